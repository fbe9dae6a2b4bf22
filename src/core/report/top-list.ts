/** Keeps the `n` first items by `order` of however many are offered, and counts them all. */
export class Top<T> {
  total = 0;
  private items: T[] = [];
  constructor(
    private readonly n: number,
    private readonly order: (a: T, b: T) => number,
  ) {}
  /** Offers an item: counted always, kept while it is among the first `n`. */
  add(item: T): void {
    this.total++;
    this.items.push(item);
    if (this.items.length > this.n * 2 + 16) this.trim();
  }
  /** The first `n` items in order, and how many were offered. */
  done(): { total: number; items: T[] } {
    this.trim();
    return { total: this.total, items: this.items };
  }
  private trim(): void {
    this.items.sort(this.order);
    this.items.length = Math.min(this.items.length, this.n);
  }
}
