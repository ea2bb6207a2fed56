#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package xtcp's build, tests and VM need. Idempotent:
# when everything is present it does nothing and touches no network.
set -euo pipefail

pkgs=(
	# module build against Debian's kernel, and the kernel tree for KUnit;
	# dwarves is pahole, which 6.12's kbuild needs (scripts/headers.sh)
	linux-headers-amd64 linux-source-6.1 gcc make libc6-dev bc flex bison
	libelf-dev libssl-dev dwarves kmod perl python3 xz-utils
	# style checks; DKMS packaging (dkms.conf is built by make check)
	sparse dkms
	# test VM: emulator, initramfs, the userspace inside it (ethtool:
	# data_gso_cut turns a veth's tx-gso-list off)
	qemu-system-x86 busybox-static cpio iproute2 ethtool
	# real programs run over xtcp by the preload tests (scripts/preload/)
	nginx-light curl wrk iperf3 socat
)
# `scripts/deps.sh bench` (make bench): perf, which
# scripts/bench/initramfs.sh copies into the benchmark's initramfs
[ "${1:-}" != bench ] || pkgs+=(linux-perf)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
