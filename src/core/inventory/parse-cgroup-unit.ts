/** A systemd unit name: what `systemctl restart` takes. */
const UNIT = /^[A-Za-z0-9:_.@\\-]{1,255}\.(?:service|scope)$/;

/**
 * The systemd unit a process belongs to, from its `/proc/PID/cgroup`: the deepest `.service` or `.scope`
 * component of the unified (`0::`) hierarchy, else of the v1 `name=systemd` one, e.g.
 * `0::/system.slice/nginx.service` → `nginx.service`, `…/user-1000.slice/session-3.scope` →
 * `session-3.scope`. Undefined when the process is in no unit (no systemd, a container's root).
 */
export function parseCgroupUnit(text: string): string | undefined {
  const lines = text.split('\n');
  const unified = lines.find((l) => l.startsWith('0::'));
  const v1 = lines.find((l) => /^\d+:name=systemd:/.test(l));
  for (const line of [unified, v1]) {
    if (line === undefined) continue;
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    const unit = path
      .split('/')
      .reverse()
      .find((part) => UNIT.test(part));
    if (unit) return unit;
  }
  return undefined;
}
