import type { Generated, Kysely } from 'kysely';
import type { HostRunState, StepName, StepStatus } from '../../core/rollout/run-model.js';
import type { RunSpec } from '../../core/rollout/run-spec.js';
import { appendAudit } from './audit-log.js';
import type { DeferralTables } from './deferral-store.js';
import type { Database } from './schema.js';

/** The tables of migration 0006 as Kysely sees them. */
export type RunTables = {
  run: {
    id: string;
    created_at: string;
    actor: string;
    kind: string;
    window: string | null;
    occurrence: string | null;
    reason: string | null;
    spec: string;
    state: string;
    controller_pid: number | null;
    heartbeat_at: string | null;
    finished_at: string | null;
  };
  run_host: {
    run_id: string;
    host: string;
    position: number;
    batch: number;
    state: string;
    reason: string | null;
    detail: string;
  };
  run_step: {
    id: Generated<number>;
    run_id: string;
    host: string;
    step: string;
    status: string;
    attempts: number;
    started_at: string;
    ended_at: string | null;
    output: string;
    detail: string;
  };
};

/** A run as stored. */
export interface RunRecord {
  id: string;
  createdAt: string;
  actor: string;
  kind: 'window' | 'emergency';
  window?: string;
  occurrence?: string;
  reason?: string;
  spec: RunSpec;
  state: 'running' | 'finished' | 'stopped';
  controllerPid?: number;
  heartbeatAt?: string;
  finishedAt?: string;
}

/** A host of a run as stored. */
export interface RunHostRecord {
  host: string;
  position: number;
  batch: number;
  state: HostRunState;
  reason?: string;
  detail: Record<string, unknown>;
}

/** A step of a host as stored. */
export interface RunStepRecord {
  host: string;
  step: StepName;
  status: StepStatus;
  attempts: number;
  startedAt: string;
  endedAt?: string;
  output: string;
  detail: Record<string, unknown>;
}

/** Step output kept: the last 64 KiB (the end of a long apply says what went wrong). */
export const OUTPUT_LIMIT = 64 * 1024;

/** The last `OUTPUT_LIMIT` characters of `s`, marked when cut. */
export function boundOutput(s: string): string {
  return s.length <= OUTPUT_LIMIT
    ? s
    : `[... ${s.length - OUTPUT_LIMIT} characters cut]\n${s.slice(-OUTPUT_LIMIT)}`;
}

type Db = Kysely<Database & RunTables & DeferralTables>;

/**
 * Runs, their hosts and steps, and their entries in the decision log. Every write is its own small
 * transaction, so a controller killed at any moment leaves a record a resumed run can trust.
 */
export class RunStore {
  private readonly db: Db;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<RunTables & DeferralTables>();
  }

  /** Records a new run with its hosts (all `pending`) and logs `run-started`. */
  async create(
    run: Omit<RunRecord, 'state' | 'finishedAt' | 'heartbeatAt'>,
    hosts: readonly { host: string; position: number; batch: number }[],
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('run')
        .values({
          id: run.id,
          created_at: run.createdAt,
          actor: run.actor,
          kind: run.kind,
          window: run.window ?? null,
          occurrence: run.occurrence ?? null,
          reason: run.reason ?? null,
          spec: JSON.stringify(run.spec),
          state: 'running',
          controller_pid: run.controllerPid ?? null,
          heartbeat_at: run.createdAt,
          finished_at: null,
        })
        .execute();
      for (const h of hosts)
        await tx
          .insertInto('run_host')
          .values({ run_id: run.id, ...h, state: 'pending', reason: null, detail: '{}' })
          .execute();
      await appendAudit(tx, {
        at: run.createdAt,
        actor: run.actor,
        event: 'run-started',
        subject: run.id,
        detail: {
          kind: run.kind,
          window: run.window,
          occurrence: run.occurrence,
          reason: run.reason,
          hosts: hosts.map((h) => h.host),
        },
      });
    });
  }

  /** One run, or undefined. */
  async get(id: string): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom('run').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRun(r) : undefined;
  }

  /** Every run, newest first. */
  async list(): Promise<RunRecord[]> {
    return (
      await this.db
        .selectFrom('run')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute()
    ).map(toRun);
  }

  /** A run's hosts in their order. */
  async hosts(runId: string): Promise<RunHostRecord[]> {
    const rows = await this.db
      .selectFrom('run_host')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      host: r.host,
      position: r.position,
      batch: r.batch,
      state: r.state as HostRunState,
      ...(r.reason !== null ? { reason: r.reason } : {}),
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  /** A run's steps (of one host when given), in the order they started. */
  async steps(runId: string, host?: string): Promise<RunStepRecord[]> {
    let q = this.db.selectFrom('run_step').selectAll().where('run_id', '=', runId);
    if (host) q = q.where('host', '=', host);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      host: r.host,
      step: r.step as StepName,
      status: r.status as StepStatus,
      attempts: r.attempts,
      startedAt: r.started_at,
      ...(r.ended_at !== null ? { endedAt: r.ended_at } : {}),
      output: r.output,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  /** Writes a step `running` (attempts + 1) before it runs; returns the attempt number. */
  async stepStarted(runId: string, host: string, step: StepName, at: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('run_step')
        .values({
          run_id: runId,
          host,
          step,
          status: 'running',
          attempts: 1,
          started_at: at,
          ended_at: null,
          output: '',
          detail: '{}',
        })
        .onConflict((oc) =>
          oc.columns(['run_id', 'host', 'step']).doUpdateSet((eb) => ({
            status: 'running',
            attempts: eb('run_step.attempts', '+', 1),
            started_at: at,
            ended_at: null,
          })),
        )
        .returning('attempts')
        .executeTakeFirstOrThrow();
      return row.attempts;
    });
  }

  /** Writes a step's outcome after it ran, and logs it (`run-step`, subject `RUN/host`). */
  async stepEnded(
    runId: string,
    host: string,
    step: StepName,
    end: {
      status: Exclude<StepStatus, 'running'>;
      output: string;
      detail: Record<string, unknown>;
      at: string;
      actor: string;
    },
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('run_step')
        .set({
          status: end.status,
          ended_at: end.at,
          output: boundOutput(end.output),
          detail: JSON.stringify(end.detail),
        })
        .where('run_id', '=', runId)
        .where('host', '=', host)
        .where('step', '=', step)
        .execute();
      await appendAudit(tx, {
        at: end.at,
        actor: end.actor,
        event: 'run-step',
        subject: `${runId}/${host}`,
        detail: { step, status: end.status, ...end.detail },
      });
    });
  }

  /** Adds facts to a running step's detail before acting on them (a reboot's boot time before). */
  async stepNote(
    runId: string,
    host: string,
    step: StepName,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.db
      .updateTable('run_step')
      .set({ detail: JSON.stringify(detail) })
      .where('run_id', '=', runId)
      .where('host', '=', host)
      .where('step', '=', step)
      .execute();
  }

  /** Removes a step's record (a by-hand rollback runs `rollback` and `verify-rollback` afresh). */
  async forgetSteps(runId: string, host: string, steps: readonly StepName[]): Promise<void> {
    await this.db
      .deleteFrom('run_step')
      .where('run_id', '=', runId)
      .where('host', '=', host)
      .where('step', 'in', [...steps])
      .execute();
  }

  /** Sets a host's state (and why). */
  async setHost(
    runId: string,
    host: string,
    state: HostRunState,
    reason?: string,
    detail?: Record<string, unknown>,
  ) {
    await this.db
      .updateTable('run_host')
      .set({ state, reason: reason ?? null, ...(detail ? { detail: JSON.stringify(detail) } : {}) })
      .where('run_id', '=', runId)
      .where('host', '=', host)
      .execute();
  }

  /** Takes the run for controller `pid` (resume) and beats its heart. */
  async heartbeat(runId: string, pid: number, at: string): Promise<void> {
    await this.db
      .updateTable('run')
      .set({ controller_pid: pid, heartbeat_at: at, state: 'running', finished_at: null })
      .where('id', '=', runId)
      .execute();
  }

  /** Ends a run (`finished`, or `stopped` by maxErrors, a failed rollback, the cutoff) and logs it. */
  async finish(
    runId: string,
    state: 'finished' | 'stopped',
    at: string,
    actor: string,
    summary: Record<string, unknown>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('run')
        .set({ state, finished_at: at, controller_pid: null })
        .where('id', '=', runId)
        .execute();
      await appendAudit(tx, {
        at,
        actor,
        event: 'run-finished',
        subject: runId,
        detail: { state, ...summary },
      });
    });
  }

  /** Appends an audit log entry (approvals, overrides, by-hand rollbacks) in its own transaction. */
  async log(at: string, actor: string, event: string, subject: string, detail: Record<string, unknown>) {
    await appendAudit(this.db, { at, actor, event, subject, detail });
  }
}

function toRun(r: RunTables['run']): RunRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    actor: r.actor,
    kind: r.kind as RunRecord['kind'],
    ...(r.window !== null ? { window: r.window } : {}),
    ...(r.occurrence !== null ? { occurrence: r.occurrence } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    spec: JSON.parse(r.spec) as RunSpec,
    state: r.state as RunRecord['state'],
    ...(r.controller_pid !== null ? { controllerPid: r.controller_pid } : {}),
    ...(r.heartbeat_at !== null ? { heartbeatAt: r.heartbeat_at } : {}),
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
  };
}
