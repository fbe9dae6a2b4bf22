import { createHash } from 'node:crypto';
import type { LoadedConfig } from '../adapters/config/load-config.js';
import {
  appendAudit,
  auditHash,
  auditIdsWithHash,
  GENESIS_HASH,
  lastAudit,
  streamAudit,
  type AnyStoreDb,
  type AuditEntry,
} from '../adapters/store/audit-log.js';

/** What can be wrong with an entry of the chain. */
export const AUDIT_PROBLEMS = ['edited', 'removed', 'reordered', 'unchained'] as const;
export type AuditProblemKind = (typeof AUDIT_PROBLEMS)[number];

/** The first entry where the chain breaks, and how. */
export interface AuditProblem {
  /** the entry named: the edited, reordered or unchained one; for `removed`, the first missing id */
  id: number;
  kind: AuditProblemKind;
  message: string;
}

/** The outcome of `audit verify`: the entries checked (all, or those before the problem) and the last good hash. */
export interface AuditVerdict {
  ok: boolean;
  entries: number;
  lastId: number | null;
  lastHash: string;
  problem?: AuditProblem;
}

/**
 * Re-computes the audit log's hash chain in id order, a page at a time, and stops at the first entry
 * that does not fit: edited (its hash is not the hash of its content), removed (a gap in the ids, or a
 * `prev_hash` that names no entry), reordered (its `prev_hash` is the hash of another entry than the one
 * before it), unchained (no hash: written around `appendAudit`).
 */
export async function verifyAuditLog(
  db: AnyStoreDb,
  opts: { pageSize?: number } = {},
): Promise<AuditVerdict> {
  let prevId = 0;
  let prevHash = GENESIS_HASH;
  // the entry before the previous one: the good end of the chain when the previous one is found edited
  let before = { id: 0, hash: GENESIS_HASH };
  let entries = 0;
  for await (const e of streamAudit(db, { pageSize: opts.pageSize })) {
    const problem = await checkEntry(db, e, prevId, prevHash);
    if (problem) {
      const good =
        problem.id === prevId ? { entries: entries - 1, ...before } : { entries, id: prevId, hash: prevHash };
      return { ok: false, entries: good.entries, lastId: good.id || null, lastHash: good.hash, problem };
    }
    entries++;
    before = { id: prevId, hash: prevHash };
    prevId = e.id;
    prevHash = e.hash!;
  }
  return { ok: true, entries, lastId: prevId || null, lastHash: prevHash };
}

async function checkEntry(
  db: AnyStoreDb,
  e: AuditEntry,
  prevId: number,
  prevHash: string,
): Promise<AuditProblem | undefined> {
  if (e.hash === null || e.prevHash === null)
    return {
      id: e.id,
      kind: 'unchained',
      message: `entry ${e.id} has no hash: it was written around the audit log's writer.`,
    };
  const selfOk = auditHash({ ...e, prevHash: e.prevHash }) === e.hash;
  if (e.prevHash !== prevHash) {
    const others = (await auditIdsWithHash(db, e.prevHash)).filter((id) => id !== prevId);
    const after = prevId ? `entry ${prevId}` : 'the start of the log';
    if (others.length > 0)
      return {
        id: e.id,
        kind: 'reordered',
        message: `entry ${e.id} was reordered: it was written after entry ${others[0]} (its prev_hash is that entry's hash) but now follows ${after}.`,
      };
    if (e.id > prevId + 1) {
      const gone = e.id - prevId - 1 === 1 ? `entry ${prevId + 1}` : `entries ${prevId + 1}-${e.id - 1}`;
      return {
        id: prevId + 1,
        kind: 'removed',
        message: `${gone} ${gone.startsWith('entries') ? 'were' : 'was'} removed: entry ${e.id} follows ${after}, and its prev_hash is the hash of no entry in the log.`,
      };
    }
    if (selfOk && prevId)
      return {
        id: prevId,
        kind: 'edited',
        message: `entry ${prevId} was edited and its hash re-computed: entry ${e.id}'s prev_hash is not its hash, nor any entry's.`,
      };
    return {
      id: e.id,
      kind: 'edited',
      message: `entry ${e.id} was edited (or renumbered): its prev_hash is not the hash of ${after}, nor of any entry.`,
    };
  }
  if (!selfOk)
    return {
      id: e.id,
      kind: 'edited',
      message: `entry ${e.id} was edited: its stored hash is not the hash of its content (at, actor, event, subject, detail).`,
    };
  return undefined;
}

/** One entry as `audit export` writes it: the detail parsed, with the hash inputs to check the chain. */
export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  event: string;
  subject: string;
  detail: unknown;
  /** the stored detail text, only when it is not exactly `JSON.stringify(detail)` (hand-written rows) */
  detailText?: string;
  prevHash: string | null;
  hash: string | null;
}

/** The export record of an entry. */
export function auditRecord(e: AuditEntry): AuditRecord {
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    detail = null;
  }
  const exact = detail !== null && JSON.stringify(detail) === e.detail;
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    event: e.event,
    subject: e.subject,
    detail,
    ...(exact ? {} : { detailText: e.detail }),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** The subject of `config-changed` entries. */
export const CONFIG_SUBJECT = 'config';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Appends `config-changed` when the effective configuration (patchwise.yaml with its includes, as
 * validated) differs from the one the last `config-changed` entry recorded, naming the sections that
 * changed. Hashes only: the file may hold what an audit log should not. Returns the entry when it wrote one.
 */
export async function recordConfigChange(
  db: AnyStoreDb,
  loaded: LoadedConfig,
  actor: string,
  at: Date,
): Promise<AuditEntry | undefined> {
  const sections: Record<string, string> = {};
  for (const [k, v] of Object.entries(loaded.config).sort(([a], [b]) => a.localeCompare(b)))
    sections[k] = sha256(JSON.stringify(v) ?? 'null');
  const digest = sha256(JSON.stringify(sections));
  const last = await lastAudit(db, CONFIG_SUBJECT);
  const before = last
    ? (JSON.parse(last.detail) as { sha256?: string; sections?: Record<string, string> })
    : {};
  if (before.sha256 === digest) return undefined;
  const keys = new Set([...Object.keys(sections), ...Object.keys(before.sections ?? {})]);
  const changed = [...keys].filter((k) => sections[k] !== before.sections?.[k]).sort();
  return appendAudit(db, {
    at: at.toISOString(),
    actor,
    event: 'config-changed',
    subject: CONFIG_SUBJECT,
    detail: { file: loaded.path, sha256: digest, previous: before.sha256 ?? null, changed, sections },
  });
}
