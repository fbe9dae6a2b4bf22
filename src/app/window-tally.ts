import type { HostWindows } from '../core/windows/host-windows.js';
import type { FleetHost } from './fleet-pipeline.js';

/** Host names a note shows before "and N more". */
const SHOWN = 5;

/** What a run found about hosts and their windows: findings due before any window, hosts in no window. */
export interface WindowCounts {
  /** Hosts with open findings due before their next window opens, and how many findings. */
  noWindowBeforeDue: { hosts: number; findings: number; first: string[] };
  /** Hosts no window's scope covers (0 when the configuration has no windows). */
  uncovered: { hosts: number; first: string[] };
}

/**
 * Counts, host by host as they leave the pipeline, what the windows mean for the fleet; keeps only
 * counters and the first few names, so memory stays flat.
 */
export class WindowTally {
  readonly counts: WindowCounts = {
    noWindowBeforeDue: { hosts: 0, findings: 0, first: [] },
    uncovered: { hosts: 0, first: [] },
  };

  constructor(private readonly windows: HostWindows) {}

  /** Counts one host. */
  add(h: FleetHost): void {
    const n = h.decided?.rollup.noWindowBeforeDueCount ?? 0;
    if (n > 0) {
      const c = this.counts.noWindowBeforeDue;
      c.hosts++;
      c.findings += n;
      if (c.first.length < SHOWN) c.first.push(h.host.name);
    }
    if (this.windows.any && !h.window && !this.windows.covers(h.host)) {
      const u = this.counts.uncovered;
      u.hosts++;
      if (u.first.length < SHOWN) u.first.push(h.host.name);
    }
  }

  /** Both sentences for people (see {@link dueNote} and {@link uncoveredNote}), those that apply. */
  notes(): string[] {
    return [this.dueNote(), this.uncoveredNote()].filter((n): n is string => n !== undefined);
  }

  /** The sentence about findings due before their host's next window, when there are any. */
  dueNote(): string | undefined {
    const d = this.counts.noWindowBeforeDue;
    if (d.hosts === 0) return undefined;
    return `No window before due date: ${plural(d.findings, 'finding')} on ${plural(d.hosts, 'host')} (${names(d.first, d.hosts)}) ${d.findings === 1 ? 'is' : 'are'} due before the next window covering the host opens; propose an emergency run, or an extra window before the due date.`;
  }

  /** The sentence about hosts no window covers, when there are any. */
  uncoveredNote(): string | undefined {
    const u = this.counts.uncovered;
    if (u.hosts === 0) return undefined;
    return `${plural(u.hosts, 'host')} ${u.hosts === 1 ? 'is' : 'are'} covered by no window (${names(u.first, u.hosts)}): deadlines follow the tier rhythm; add a window whose scope covers ${u.hosts === 1 ? 'it' : 'them'}.`;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function names(first: readonly string[], total: number): string {
  return first.join(', ') + (total > first.length ? `, and ${total - first.length} more` : '');
}
