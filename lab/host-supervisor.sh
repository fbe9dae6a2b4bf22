#!/bin/bash
# Runs one patchwise lab host, started by lab/host-process.ts inside `unshare --mount --propagation private`
# so that its overlay mount lives and dies with this process. It mounts the overlay (lower = shared base,
# upper = the host's own layer), boots systemd with systemd-nspawn (own PID, mount, UTS and IPC namespaces,
# the machine's network so the host can bind its own 127.0.1.N), and boots it again when the host reboots
# (nspawn exits 133). It ends when the host powers off, or on SIGTERM after a clean shutdown.
# Usage: host-supervisor.sh NAME HOST_DIR LOWER_DIR REPO_DIR APT_ARCHIVES_DIR
set -u
name=$1 dir=$2 lower=$3 repo=$4 archives=$5
stopping=
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT

while :; do
  rm -rf "$dir/work"
  mkdir -p "$dir/work" "$dir/merged"
  mount -t overlay "lab-$name" -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged" || exit 20
  echo "boot $(date +%s)" >>"$dir/boots.log"
  systemd-nspawn -q --boot --register=no --keep-unit --console=passive \
    --directory="$dir/merged" --machine="$name" --hostname="$name" \
    --resolv-conf=replace-host --timezone=off --link-journal=no \
    --bind-ro="$repo:/srv/lab-repo" --bind="$archives:/var/cache/lab-apt-shared" &
  child=$!
  while :; do
    wait "$child"
    rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=
  umount "$dir/merged" 2>/dev/null || umount -l "$dir/merged"
  echo "exit $rc $(date +%s)" >>"$dir/boots.log"
  if [ -n "$stopping" ] || [ "$rc" -ne 133 ]; then break; fi
done
