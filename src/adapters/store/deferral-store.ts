import type { Generated, Kysely } from 'kysely';
import type { Deferral, DeferralInput } from '../../core/policy/deferral.js';
import { appendAudit, type AuditTables } from './audit-log.js';
import type { Database } from './schema.js';

/** The tables of migration 0002 as Kysely sees them. */
export type DeferralTables = {
  deferral: {
    id: Generated<number>;
    findings: string;
    hosts: string;
    selector: string | null;
    reason: string;
    control: string;
    owner: string;
    approver: string | null;
    review: string;
    end_condition: string;
    created_at: string;
    created_by: string | null;
    ended_at: string | null;
    ended_reason: string | null;
    ended_by: string | null;
  };
  decision_log: AuditTables['decision_log'];
};

/** One entry of the append-only decision log: who did what, when, to which deferral. */
export interface LogEntry {
  at: string;
  actor: string;
  event: string;
  subject: string;
  detail: Record<string, unknown>;
}

type Row = DeferralTables['deferral'] & { id: number };

const DEFERRAL_PREFIX = 'D-';

/** The display id of a stored deferral (`D-7`); numbers in the database. */
export const deferralId = (n: number): string => `${DEFERRAL_PREFIX}${n}`;

/** The row number of a display id (`D-7`, `7`), or undefined. */
export function parseDeferralId(s: string): number | undefined {
  const m = /^(?:D-)?(\d+)$/i.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Deferrals and the decision log. Deferrals are never deleted: ending one sets `ended_*`; every change
 * appends a log entry in the same transaction.
 */
export class DeferralStore {
  private readonly db: Kysely<Database & DeferralTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<DeferralTables>();
  }

  /** Records a new deferral and logs it; returns it with its id. */
  async add(d: DeferralInput, actor: string): Promise<Deferral> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('deferral')
        .values({
          findings: JSON.stringify(d.findings),
          hosts: JSON.stringify(d.hosts),
          selector: d.selector ?? null,
          reason: d.reason,
          control: d.control,
          owner: d.owner,
          approver: d.approver ?? null,
          review: d.review,
          end_condition: d.until,
          created_at: d.createdAt,
          created_by: d.createdBy ?? actor,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = deferralId(Number(row.id));
      await appendAudit(tx, {
        at: d.createdAt,
        actor,
        event: 'deferral-added',
        subject: id,
        detail: { ...d },
      });
      return { ...d, id };
    });
  }

  /** Every deferral, oldest first. */
  async list(): Promise<Deferral[]> {
    const rows = await this.db.selectFrom('deferral').selectAll().orderBy('id').execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** One deferral by display id, or undefined. */
  async get(id: string): Promise<Deferral | undefined> {
    const n = parseDeferralId(id);
    if (n === undefined) return undefined;
    const r = await this.db.selectFrom('deferral').selectAll().where('id', '=', n).executeTakeFirst();
    return r ? fromRow(r as Row) : undefined;
  }

  /** Ends a deferral by hand and logs it; false when it does not exist or had already ended by hand. */
  async end(id: string, reason: string, actor: string, at: string): Promise<boolean> {
    const n = parseDeferralId(id);
    if (n === undefined) return false;
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('deferral')
        .set({ ended_at: at, ended_reason: reason, ended_by: actor })
        .where('id', '=', n)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await appendAudit(tx, {
        at,
        actor,
        event: 'deferral-ended',
        subject: deferralId(n),
        detail: { reason },
      });
      return true;
    });
  }

  /** The decision log, oldest first (optionally for one subject). */
  async log(subject?: string): Promise<LogEntry[]> {
    let q = this.db.selectFrom('decision_log').selectAll().orderBy('id');
    if (subject) q = q.where('subject', '=', subject);
    const rows = await q.execute();
    return rows.map((r) => ({
      at: r.at,
      actor: r.actor,
      event: r.event,
      subject: r.subject,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}

function fromRow(r: Row): Deferral {
  return {
    id: deferralId(r.id),
    findings: JSON.parse(r.findings) as string[],
    hosts: JSON.parse(r.hosts) as string[],
    ...(r.selector ? { selector: r.selector } : {}),
    reason: r.reason,
    control: r.control,
    owner: r.owner,
    ...(r.approver ? { approver: r.approver } : {}),
    review: r.review,
    until: r.end_condition,
    createdAt: r.created_at,
    ...(r.created_by ? { createdBy: r.created_by } : {}),
    ...(r.ended_at ? { endedAt: r.ended_at } : {}),
    ...(r.ended_reason ? { endedReason: r.ended_reason } : {}),
  };
}
