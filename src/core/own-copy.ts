/**
 * A copy of `s` that does not share the memory of the text it was sliced from: kept as a memo key or in a
 * long-lived record, a slice would pin the whole host text (or feed file) it came from. Short strings are
 * copies already; longer ones are copied by flattening a concatenation, about ten times cheaper in V8
 * than splitting into characters and joining them.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : (s + '\0').slice(0, -1);
}
