import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { ApiTables } from './token-store.js';

/** States of a request that waits for approval. */
export const REQUEST_STATES = ['pending-approval', 'approved', 'started', 'failed'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** A request made through the API that someone else must approve (an emergency run). */
export interface ApiRequestRecord {
  id: string;
  kind: string;
  state: RequestState;
  body: Record<string, unknown>;
  requestedBy: { id: string; name: string };
  createdAt: string;
  decidedBy?: string;
  decidedAt?: string;
  result?: Record<string, unknown>;
}

type Row = ApiTables['api_request'];

function record(r: Row): ApiRequestRecord {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state as RequestState,
    body: JSON.parse(r.body) as Record<string, unknown>,
    requestedBy: { id: r.requested_by, name: r.requested_by_name },
    createdAt: r.created_at,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at ? { decidedAt: r.decided_at } : {}),
    ...(r.result ? { result: JSON.parse(r.result) as Record<string, unknown> } : {}),
  };
}

/** Requests awaiting approval, and what became of them; never deleted. */
export class ApiRequestStore {
  private readonly db: Kysely<Database & ApiTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ApiTables>();
  }

  /** Records a request `pending-approval`; returns it with its id (`Q-…`). */
  async create(
    kind: string,
    body: Record<string, unknown>,
    by: { id: string; name: string },
    now: Date,
  ): Promise<ApiRequestRecord> {
    const row: Row = {
      id: `Q-${randomBytes(6).toString('hex')}`,
      kind,
      state: 'pending-approval',
      body: JSON.stringify(body),
      requested_by: by.id,
      requested_by_name: by.name,
      created_at: now.toISOString(),
      decided_by: null,
      decided_at: null,
      result: null,
    };
    await this.db.insertInto('api_request').values(row).execute();
    return record(row);
  }

  async get(id: string): Promise<ApiRequestRecord | undefined> {
    const r = await this.db.selectFrom('api_request').selectAll().where('id', '=', id).executeTakeFirst();
    return r && record(r);
  }

  /**
   * Moves a pending request to `approved` by `by`; false when it is no longer pending (someone else
   * approved it first), so one request starts at most one run.
   */
  async approve(id: string, by: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('api_request')
      .set({ state: 'approved', decided_by: by, decided_at: now.toISOString() })
      .where('id', '=', id)
      .where('state', '=', 'pending-approval')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Records what came of an approved request. */
  async settle(id: string, state: RequestState, result: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('api_request')
      .set({ state, result: JSON.stringify(result) })
      .where('id', '=', id)
      .execute();
  }
}
