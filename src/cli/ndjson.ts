/**
 * Newline-delimited JSON (one object a line) for fleet-sized output: the first line names the format and
 * its version (`{"format":"patchwise.plan","version":2,…}`), each record follows on its own line, written
 * as it is produced with the stream's backpressure respected, so memory stays flat in the output size.
 * A reader that stops early (`| head`) ends the command quietly (see main.ts).
 */
export class NdjsonWriter {
  private buf = '';
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /**
   * True once the stream is gone (its reader stopped): producers may stop early. A closed stdout itself
   * ends the command quietly (main.ts, endQuietlyOnClosedPipe), for this output as for any other.
   */
  get done(): boolean {
    return (this.out as { destroyed?: boolean }).destroyed === true;
  }

  /** Writes the header line: the format name and version, plus any fields describing the whole output. */
  header(format: string, version: number, fields: Record<string, unknown> = {}): Promise<void> {
    return this.write({ format: `patchwise.${format}`, version, ...fields });
  }

  /** Writes one record as one line; resolves when the stream can take more. */
  async write(record: unknown): Promise<void> {
    if (this.done) return;
    this.buf += `${JSON.stringify(record)}\n`;
    if (this.buf.length >= 1 << 16) await this.flush();
  }

  /** Writes what is buffered, waiting for the stream to drain if it asks to. */
  async flush(): Promise<void> {
    if (this.done || this.buf === '') return;
    const chunk = this.buf;
    this.buf = '';
    if (!this.out.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('error', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.once('drain', done);
        this.out.once('error', done);
        this.out.once('close', done);
      });
    }
  }
}
