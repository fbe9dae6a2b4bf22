import type { RunEvent } from '../../app/rollout/run-deps.js';
import type { RunSummary } from '../../app/rollout/run-controller.js';
import { NdjsonWriter } from '../ndjson.js';
import { safeText } from '../safe-text.js';

/** One progress line per event: time, host, step and how it stands (host data made safe to print). */
export function eventLine(e: RunEvent): string {
  const t = e.at.slice(11, 19);
  if (e.type === 'note') return safeText(`${t} ${e.host ?? ''} ${e.message}`);
  if (e.type === 'host') {
    const loud = e.state === 'rollback-failed' ? '!!! ' : '';
    return safeText(`${t} ${loud}${e.host} => ${e.state.toUpperCase()}: ${e.reason}`);
  }
  const extra = [
    e.attempts > 1 ? `attempt ${e.attempts}` : '',
    e.examined ? 'examined after a restart' : '',
    e.reason ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  return safeText(`${t} ${e.host} ${e.step} ${e.status}${extra ? ` (${extra})` : ''}`);
}

/** The summary line(s) of a finished run; a failed rollback is shown loudly. */
export function summaryLines(s: RunSummary): string {
  const counts = Object.entries(s.hosts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const lines = [`run ${s.run} ${s.state}: ${counts || 'no hosts'}`];
  if (s.stopReason) lines.push(`  ${s.stopReason}; hosts left pending (see: patchwise runs show ${s.run})`);
  if (s.hosts['rollback-failed'])
    lines.push(
      `!!! ${s.hosts['rollback-failed']} host(s) FAILED TO ROLL BACK: look at them now (patchwise runs show ${s.run})`,
    );
  return safeText(lines.join('\n'));
}

/** Prints a run's events as lines, or NDJSON (`patchwise.run` version 1) with `--json`. */
export class RunPrinter {
  private readonly json?: NdjsonWriter;
  private pending: Promise<void> = Promise.resolve();
  constructor(json: boolean) {
    if (json) this.json = new NdjsonWriter();
  }
  // Each record is flushed as it is made: the run id must be readable at once (a killed controller's
  // run is resumed by it), and progress is live, not held in the writer's 64 KiB buffer.
  created(id: string, fields: Record<string, unknown>): void {
    if (this.json) this.queue(() => this.json!.header('run', 1, { run: id, ...fields }));
    else process.stdout.write(`run ${id}\n`);
  }
  event = (e: RunEvent): void => {
    if (this.json) this.queue(() => this.json!.write(e));
    else process.stdout.write(eventLine(e) + '\n');
  };
  async summary(s: RunSummary): Promise<void> {
    if (this.json) {
      this.queue(() => this.json!.write({ type: 'summary', ...s }));
      await this.pending;
      await this.json.flush();
    } else process.stdout.write(summaryLines(s) + '\n');
  }
  private queue(f: () => Promise<void>) {
    this.pending = this.pending.then(f).then(() => this.json!.flush());
  }
}
