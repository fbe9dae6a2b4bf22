#!/usr/bin/env bash
# The Debian packages the test suites need. As root, installs the missing ones with apt-get; otherwise
# names them and exits 1. `npm test` runs this before the tests, `.ci/run` before `npm ci`.
set -euo pipefail

# What needs each (the lab installs its own list too, lab/prerequisites.ts, for `npm run lab`):
# - test/versions-oracle: dpkg's Perl module Dpkg::Version (libdpkg-perl) and rpm, the ordering oracles
# - test/ssh-*, test/collect-fleet: a real sshd and the ssh client tools (openssh-server, openssh-client)
# - test/windows-ics-cli: python3-icalendar, an iCalendar parser independent of ical.js (the writer)
# - test/lab: debootstrap, systemd-nspawn (systemd-container), dpkg-dev, gcc and libc6-dev (lab packages)
PACKAGES=(libdpkg-perl rpm python3-icalendar openssh-server openssh-client debootstrap systemd-container dpkg-dev gcc libc6-dev)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test-prerequisites: missing Debian packages: ${missing[*]}" >&2
    echo "  install them: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    echo "  (or run npm test as root, which installs them)" >&2
    exit 1
  fi
  echo "test-prerequisites: not root: the sshd and lab suites need root and will fail" >&2
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "test-prerequisites: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -qq -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
