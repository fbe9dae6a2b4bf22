/**
 * The fixed POSIX sh script {@link collectHostExtras} runs on a host through `sh -s -- MARKER` with the
 * script on standard input: one round trip for kernel, boot time, pending reboot, stale processes and
 * listening sockets. Nothing from the host or the inventory is ever interpolated into it; its only
 * parameter is the random section marker, which host output cannot forge. Every probe tolerates a
 * missing file or command (the section then stays empty).
 */
/** Every process's pid and command name, a line each (`PID<TAB>COMM`), from /proc: no procps needed. */
export const PROC_COMMS =
  'for p in /proc/[0-9]*; do read -r c <"$p/comm" && printf \'%s\\t%s\\n\' "${p#/proc/}" "$c"; done 2>/dev/null';

export const HOST_EXTRAS_SCRIPT = [
  'm="$1"',
  's() { printf \'\\n%s %s\\n\' "$m" "$1"; }',
  's uid; id -u',
  's uname; uname -r',
  's now; date +%s',
  "s stat; grep '^btime ' /proc/stat",
  's pid1; cat /proc/1/stat',
  's clk; getconf CLK_TCK 2>/dev/null || echo 100',
  's uptime; cat /proc/uptime',
  's boot; ls -1 /boot 2>/dev/null',
  's modules; ls -1 /lib/modules 2>/dev/null',
  's reboot; if [ -e /run/reboot-required ]; then echo yes; else echo no; fi',
  's rebootpkgs; cat /run/reboot-required.pkgs 2>/dev/null',
  "s deleted; grep -F ' (deleted)' /proc/[0-9]*/maps 2>/dev/null",
  `s comm; ${PROC_COMMS}`,
  's cgroup; for f in $(grep -l -F \' (deleted)\' /proc/[0-9]*/maps 2>/dev/null); do d="${f%/maps}"; while read -r l; do printf \'%s\\t%s\\n\' "${d#/proc/}" "$l"; done <"$d/cgroup"; done 2>/dev/null',
  's tcp; cat /proc/net/tcp 2>/dev/null',
  's tcp6; cat /proc/net/tcp6 2>/dev/null',
  's udp; cat /proc/net/udp 2>/dev/null',
  's udp6; cat /proc/net/udp6 2>/dev/null',
  "s fds; ls -l /proc/[0-9]*/fd 2>/dev/null | grep -E '^/proc/|socket:'",
  's end',
  '',
].join('\n');

/** The sections the script prints, in order. */
export const HOST_EXTRAS_SECTIONS = [
  'uid',
  'uname',
  'now',
  'stat',
  'pid1',
  'clk',
  'uptime',
  'boot',
  'modules',
  'reboot',
  'rebootpkgs',
  'deleted',
  'comm',
  'cgroup',
  'tcp',
  'tcp6',
  'udp',
  'udp6',
  'fds',
  'end',
] as const;
export type HostExtrasSection = (typeof HOST_EXTRAS_SECTIONS)[number];
