#!/bin/sh
# Installs the Debian packages Kiln needs to build, test and run its demo.
# Called by the top-level Makefile when a tool or header is missing; safe to
# run again (apt-get skips what is already there).  Needs root.
set -e

PACKAGES="
  build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
  libuv1-dev libjansson-dev libssl-dev libcmocka-dev
  python3 python3-pytest python3-openvswitch python3-ovsdbapp python3-scapy
  openvswitch-common openvswitch-switch ovn-common ovn-central ovn-host
  iproute2 iputils-ping ethtool iperf3 procps psmisc python3-pyftpdlib
  busybox
"

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: not root; install these Debian packages by hand:" >&2
    echo $PACKAGES >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting the OVS/OVN system services: Kiln's
# tests start their own peers in temporary directories.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
