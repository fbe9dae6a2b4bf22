/**
 * Newline-delimited JSON (one object a line) for fleet-sized output: the first line names the format and
 * its version (`{"format":"patchwise.plan","version":2,…}`), each record follows on its own line, written
 * as it is produced with the stream's backpressure respected, so memory stays flat in the output size.
 * A reader that stops early (`| head`) ends the output quietly.
 */
export class NdjsonWriter {
  private buf = '';
  private closed = false;
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.closed = true;
      else throw e;
    });
  }

  /** True once the reader has gone away: producers may stop early. */
  get done(): boolean {
    return this.closed;
  }

  /** Writes the header line: the format name and version, plus any fields describing the whole output. */
  header(format: string, version: number, fields: Record<string, unknown> = {}): Promise<void> {
    return this.write({ format: `patchwise.${format}`, version, ...fields });
  }

  /** Writes one record as one line; resolves when the stream can take more. */
  async write(record: unknown): Promise<void> {
    if (this.closed) return;
    this.buf += `${JSON.stringify(record)}\n`;
    if (this.buf.length >= 1 << 16) await this.flush();
  }

  /** Writes what is buffered, waiting for the stream to drain if it asks to. */
  async flush(): Promise<void> {
    if (this.closed || this.buf === '') return;
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
