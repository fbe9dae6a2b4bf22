/**
 * Compensating controls the article names for a patch that cannot be applied yet: restrict access,
 * isolate, watch, switch the feature off, narrow admin access, or move the workload behind a safer path.
 */
export const COMPENSATING_CONTROLS = [
  'firewall-restriction',
  'service-isolation',
  'monitoring',
  'disable-feature',
  'limit-admin-access',
  'safer-network-path',
  'shut-down',
] as const;
export type CompensatingControl = (typeof COMPENSATING_CONTROLS)[number];

/** True when `s` names a compensating control. */
export function isCompensatingControl(s: string): s is CompensatingControl {
  return (COMPENSATING_CONTROLS as readonly string[]).includes(s);
}

/** Each control in plain words. */
export const CONTROL_LABELS: Record<CompensatingControl, string> = {
  'firewall-restriction': 'restrict access with the firewall',
  'service-isolation': 'isolate the service or VM temporarily',
  monitoring: 'increase monitoring and logging for exploit indicators',
  'disable-feature': 'disable the exposed feature',
  'limit-admin-access': 'limit administrative access',
  'safer-network-path': 'move the workload behind a safer network path',
  'shut-down': 'shut the VM down',
};
