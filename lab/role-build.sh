#!/bin/bash
# Builds one role layer of the patchwise lab, started by lab/role-layer.ts inside
# `unshare --mount --propagation private` so that the overlay dies with it. Mounts lower = the base,
# upper = the (empty) layer being built, then runs the role's install script in a systemd-nspawn
# container that is not booted (nothing starts; the machine's network reaches the mirror) and unmounts.
# Usage: role-build.sh LOWER UPPER WORK MERGED MACHINE REPO_DIR APT_ARCHIVES_DIR ROLE SCRIPT
set -eu
lower=$1 upper=$2 work=$3 merged=$4 machine=$5 repo=$6 archives=$7 role=$8 script=$9
mkdir -p "$upper" "$work" "$merged"
# Plain copy-up only (no metacopy, no redirects): the layer must be usable as a lower layer anywhere.
mount -t overlay "$machine" \
  -o "lowerdir=$lower,upperdir=$upper,workdir=$work,redirect_dir=off,metacopy=off,index=off" "$merged"
rc=0
systemd-nspawn -q --register=no --keep-unit --console=pipe --as-pid2 \
  --directory="$merged" --machine="$machine" --resolv-conf=replace-host --timezone=off \
  --link-journal=no --setenv=LANG=C.UTF-8 --setenv=HOME=/root \
  --bind-ro="$repo:/srv/lab-repo" --bind="$archives:/var/cache/lab-apt-shared" \
  /bin/sh -c "$script" build "$role" || rc=$?
umount "$merged" || umount -l "$merged"
rm -rf "/run/systemd/nspawn/propagate/$machine" "/run/systemd/nspawn/unix-export/$machine"
exit "$rc"
