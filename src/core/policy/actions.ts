/**
 * The six actions of the article's patch decision framework, most urgent first. The array order is the
 * urgency order: `emergency` (patch now) … `weekly` (next weekly maintenance).
 */
export const ACTIONS = [
  'emergency',
  'compensate',
  'urgent-window',
  'staged',
  'regular-window',
  'weekly',
] as const;
export type Action = (typeof ACTIONS)[number];

/** True when `s` names one of the six actions. */
export function isAction(s: string): s is Action {
  return (ACTIONS as readonly string[]).includes(s);
}

/** Urgency rank of an action: 0 is the most urgent. */
export function actionRank(a: Action): number {
  // A switch rather than ACTIONS.indexOf: sorting a fleet's decisions calls this millions of times.
  switch (a) {
    case 'emergency':
      return 0;
    case 'compensate':
      return 1;
    case 'urgent-window':
      return 2;
    case 'staged':
      return 3;
    case 'regular-window':
      return 4;
    case 'weekly':
      return 5;
    default:
      return -1;
  }
}

/** The more urgent of two actions. */
export function moreUrgent(a: Action, b: Action): Action {
  return actionRank(a) <= actionRank(b) ? a : b;
}

/** The most urgent action of a list, or undefined for an empty list. */
export function mostUrgent(actions: Iterable<Action>): Action | undefined {
  let best: Action | undefined;
  for (const a of actions) best = best === undefined ? a : moreUrgent(best, a);
  return best;
}

/** What each action means, in the article's words. */
export const ACTION_LABELS: Record<Action, string> = {
  emergency: 'patch immediately or apply the vendor workaround',
  compensate: 'apply compensating controls (no fix to apply, or the host must be isolated)',
  'urgent-window': 'schedule an urgent maintenance window',
  staged: 'test first, then patch in staged order',
  'regular-window': 'apply during the regular maintenance window',
  weekly: 'patch during weekly maintenance',
};

/**
 * What must be in place before (or instead of) patching: the article's rollback column. The last
 * entries are the tier-specific emergency behaviours.
 */
export const ROLLBACK_REQUIREMENTS = [
  'snapshot-first',
  'backup-verified',
  'owner-available',
  'reboot-plan',
  'health-checks',
  'snapshot-or-backup',
  'basic-restore-path',
  'rollback-plan-approved',
  'rebuild-from-image',
  'review-before-patching',
] as const;
export type RollbackRequirement = (typeof ROLLBACK_REQUIREMENTS)[number];

/** True when `s` names a rollback requirement. */
export function isRollbackRequirement(s: string): s is RollbackRequirement {
  return (ROLLBACK_REQUIREMENTS as readonly string[]).includes(s);
}

/** The article's rollback requirement per action (before tier and package adjustments). */
export const ACTION_ROLLBACK: Record<Action, readonly RollbackRequirement[]> = {
  emergency: ['snapshot-first', 'backup-verified', 'owner-available'],
  compensate: [],
  // The article's row is a kernel update: its reboot plan is added wherever a package needs a reboot.
  'urgent-window': ['snapshot-first', 'health-checks'],
  staged: ['rollback-plan-approved'],
  'regular-window': ['snapshot-or-backup'],
  weekly: ['basic-restore-path'],
};
