import type { RunRequest } from '../app/rollout/plan-run.js';
import type { RunInputs } from '../app/rollout/run-app.js';
import { UserError } from '../core/errors.js';

/** Where a run started by the API stands in this process. */
export interface LaunchedRun {
  id: string;
  hosts: string[];
}

/**
 * Starts runs in this process and keeps their promises, so `serve` can wait for them on SIGTERM. A run
 * goes on after the request that started it has been answered: the answer is its id (202), and
 * `GET /api/runs/{id}` shows its progress from the store.
 */
export class RunLauncher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly held = new Set<string>();
  constructor(
    private readonly inputs: RunInputs,
    private readonly clock: () => Date,
  ) {}

  /** True while this process drives run `id` (its own runs look alive to `heldByOther`'s pid test). */
  holds(id: string): boolean {
    return this.held.has(id);
  }

  /** Runs in flight in this process. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * Plans and records a run and resolves with its id once recorded; the run goes on in the background.
   * @throws UserError (planning refused it) or OperationalError before anything is recorded.
   */
  async start(req: Omit<RunRequest, 'now'>, actor: string): Promise<LaunchedRun> {
    const { startRun } = await import('../app/rollout/run-app.js');
    return new Promise<LaunchedRun>((resolve, reject) => {
      let created = false;
      const p = startRun(
        this.inputs,
        { ...req, now: this.clock() },
        {
          actor,
          onEvent: () => undefined,
          skipEmpty: true,
          onCreated: (id, spec) => {
            created = true;
            this.held.add(id);
            void p.finally(() => this.held.delete(id));
            resolve({ id, hosts: spec.hosts.map((h) => h.name) });
          },
        },
      ).then(
        (summary) => {
          if (!created && !summary)
            reject(new UserError('run-empty', 'Nothing to patch: no host in scope has a planned change.'));
        },
        (e: unknown) => {
          if (!created) reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
      this.track(p);
    });
  }

  /** Resumes or rolls back a run in the background (`work` does the run's own recording). */
  background(id: string, work: () => Promise<unknown>): void {
    this.held.add(id);
    this.track(work().finally(() => this.held.delete(id)));
  }

  /** Waits for the runs in flight, at most `ms`; true when all ended. */
  async drain(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const all = Promise.allSettled([...this.inFlight]).then(() => true);
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}
