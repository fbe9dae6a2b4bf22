import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002Deferrals from './0002-deferrals.js';
import * as m0003CompactScans from './0003-compact-scans.js';
import * as m0004FirstSeen from './0004-first-seen.js';
import * as m0005WindowEvents from './0005-window-events.js';
import * as m0006Runs from './0006-runs.js';
import * as m0007Api from './0007-api.js';
import * as m0008AuditChain from './0008-audit-chain.js';
import * as m0009Remediation from './0009-remediation.js';
import * as m0010Notifications from './0010-notifications.js';

/**
 * Every migration, in order. Add a new file `NNNN-what.ts` and one line here; never edit a migration
 * that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-deferrals': m0002Deferrals,
  '0003-compact-scans': m0003CompactScans,
  '0004-first-seen': m0004FirstSeen,
  '0005-window-events': m0005WindowEvents,
  '0006-runs': m0006Runs,
  '0007-api': m0007Api,
  '0008-audit-chain': m0008AuditChain,
  '0009-remediation': m0009Remediation,
  '0010-notifications': m0010Notifications,
};
