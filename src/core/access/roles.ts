/**
 * Roles of API tokens, least to most trusted. Each role may do what the roles before it may:
 * a viewer reads; an operator scans, plans and starts runs inside windows; an approver approves
 * emergency runs, freeze overrides and deferrals past caps (never their own request); an admin manages
 * tokens and configuration (hosts).
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `s` names a role. */
export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** True when `held` may do what `needed` may. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
