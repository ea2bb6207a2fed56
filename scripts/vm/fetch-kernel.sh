#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure $XTCP_CACHE/image-$KVER/ holds Debian's kernel image for $KVER
# (boot/vmlinuz-$KVER and lib/modules/$KVER), unpacked with dpkg -x so no
# maintainer script runs, plus boot/vmlinux-$KVER: the kernel decompressed
# out of vmlinuz. QEMU boots that ELF directly through its PVH entry point,
# which halves the VM's boot time under TCG (no firmware, no decompression).
# Idempotent and safe to run concurrently: the tree is unpacked in a
# temporary directory and renamed into place with a stamp once complete.
# Prints the image directory on stdout; progress goes to stderr.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
xtcp_need_kver

img=$XTCP_CACHE/image-$KVER
stamp=$img/.xtcp-complete
vmlinux=$img/boot/vmlinux-$KVER
novmlinux=$img/.xtcp-no-vmlinux
pkg=linux-image-$KVER-unsigned

# Prints the path of $pkg's .deb in $XTCP_CACHE, downloading it if needed.
fetch_deb() {
	local deb dl aptopt=() sudo=
	deb=$(ls "$XTCP_CACHE/${pkg}"_*_amd64.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$deb" ]; then
		echo "$deb"
		return
	fi
	dl=$(mktemp -d "$XTCP_CACHE/.download.XXXXXX")
	# As root apt wants to drop to _apt, which cannot write here.
	[ "$(id -u)" -ne 0 ] || aptopt=(-o APT::Sandbox::User=root)
	echo "fetch-kernel: apt-get download $pkg" >&2
	if ! (cd "$dl" && apt-get -q "${aptopt[@]}" download "$pkg" >&2); then
		# Stale package lists are the usual cause: refresh once, retry.
		[ "$(id -u)" -eq 0 ] || sudo=sudo
		$sudo apt-get -q update >&2
		(cd "$dl" && apt-get -q "${aptopt[@]}" download "$pkg" >&2) ||
			{ rm -rf "$dl"; xtcp_die "cannot download $pkg"; }
	fi
	deb=$(ls "$dl"/*.deb)
	mv "$deb" "$XTCP_CACHE/"
	rm -rf "$dl"
	echo "$XTCP_CACHE/${deb##*/}"
}

unpack() {
	local deb=$1 tmp
	echo "fetch-kernel: extracting ${deb##*/}" >&2
	tmp=$(mktemp -d "$img.tmp.XXXXXX")
	dpkg -x "$deb" "$tmp"
	[ -f "$tmp/boot/vmlinuz-$KVER" ] && [ -d "$tmp/lib/modules/$KVER" ] ||
		{ rm -rf "$tmp"; xtcp_die "$deb has no boot/vmlinuz-$KVER or lib/modules/$KVER"; }
	# The package leaves modules.dep to its postinst, which dpkg -x skips.
	depmod -b "$tmp" "$KVER"
	touch "$tmp/.xtcp-complete"
	rm -rf "$img"
	# Lost a race with another run: theirs is as good as ours.
	mv -T "$tmp" "$img" 2>/dev/null || rm -rf "$tmp"
}

# The bzImage payload is one compressed stream: find it by its magic (as the
# kernel's scripts/extract-vmlinux does) and keep the first that is an ELF.
extract_vmlinux() {
	local magic tool off
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd' '\x1f\x8b\x08:gzip'; do
		tool=${magic#*:}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -aboP "${magic%%:*}" "$1" | cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | "$tool" -dc >"$2" 2>/dev/null || true
			[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" != '177ELF' ] || return 0
		done
	done
	return 1
}

[ -f "$stamp" ] || { mkdir -p "$XTCP_CACHE"; unpack "$(fetch_deb)"; }

if [ ! -f "$vmlinux" ] && [ ! -f "$novmlinux" ]; then
	tmp=$(mktemp "$vmlinux.XXXXXX")
	if grep -q '^CONFIG_PVH=y' "$img/boot/config-$KVER" 2>/dev/null &&
		extract_vmlinux "$img/boot/vmlinuz-$KVER" "$tmp"; then
		chmod 0644 "$tmp"
		mv "$tmp" "$vmlinux"
	else
		rm -f "$tmp"
		echo "fetch-kernel: no PVH vmlinux in vmlinuz-$KVER; booting the slower bzImage" >&2
		touch "$novmlinux"
	fi
fi
echo "$img"
