#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's headers for a kernel series we support besides the installed one
# (Debian 12 ships 6.1 and, from bookworm-security, 6.12), unpacked into
# $XTCP_CACHE/headers-$KVER with dpkg -x. Installing them with apt would
# pull in that kernel's image and, through it, systemd upgrades: we only
# need to build against them. Three packages make a usable tree: the
# flavour's headers, the common headers and linux-kbuild (the host tools,
# fixdep and modpost). The flavour's Makefile includes the common one by
# absolute path under /usr/src, which is rewritten to the unpacked copy.
# linux-kbuild-6.12 wants pahole for the BTF step: deps.sh installs it.
#
# Usage: scripts/headers.sh 6.12
# Prints "KVER KDIR", e.g. "6.12.117+deb12-amd64 $XTCP_CACHE/headers-.../usr/src/...".
# The newest version apt knows of is used; with no package lists, or when
# apt cannot fetch, the newest already unpacked tree is.
# Idempotent and safe to run concurrently (unpacks in a temporary
# directory, renamed into place with a stamp when complete).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-}
[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || xtcp_die "usage: $0 SERIES (e.g. 6.12)"
mkdir -p "$XTCP_CACHE"

# The generic amd64 flavour: not -cloud, -rt or a signed template.
newest_known() {
	apt-cache pkgnames "linux-headers-$series." 2>/dev/null |
		sed -n "s/^linux-headers-\($series\.[0-9]*+deb[0-9]*-amd64\)$/\1/p" |
		sort -V | tail -n 1
}

newest_unpacked() {
	local d
	for d in "$XTCP_CACHE"/headers-"$series".*-amd64/.xtcp-complete; do
		[ -f "$d" ] || continue
		d=${d%/.xtcp-complete}
		echo "${d##*/headers-}"
	done | sort -V | tail -n 1
}

kver=$(newest_known || true)
if [ -z "$kver" ]; then
	kver=$(newest_unpacked)
	[ -n "$kver" ] || xtcp_die "apt knows no linux-headers-$series.*-amd64 (run apt-get update)"
fi
root=$XTCP_CACHE/headers-$kver
kdir=$root/usr/src/linux-headers-$kver

if [ ! -f "$root/.xtcp-complete" ]; then
	ver=${kver%-amd64}
	pkgs=("linux-headers-$kver" "linux-headers-$ver-common" "linux-kbuild-$ver")
	dl=$(mktemp -d "$XTCP_CACHE/.headers.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	aptopt=()
	# As root apt wants to drop to _apt, which cannot write here.
	[ "$(id -u)" -ne 0 ] || aptopt=(-o APT::Sandbox::User=root)
	echo "headers: apt-get download ${pkgs[*]}" >&2
	(cd "$dl" && apt-get -q "${aptopt[@]}" download "${pkgs[@]}" >&2) ||
		xtcp_die "cannot download ${pkgs[*]}"
	mkdir "$dl/root"
	for deb in "$dl"/*.deb; do
		dpkg -x "$deb" "$dl/root"
	done
	mk=$dl/root/usr/src/linux-headers-$kver/Makefile
	grep -q "^include /usr/src/linux-headers-$ver-common/Makefile\$" "$mk" ||
		xtcp_die "unexpected $mk: $(head -c 200 "$mk")"
	echo "include $root/usr/src/linux-headers-$ver-common/Makefile" >"$mk"
	[ -x "$dl/root/usr/src/linux-headers-$kver/scripts/basic/fixdep" ] ||
		xtcp_die "linux-kbuild-$ver did not provide scripts/basic/fixdep"
	touch "$dl/root/.xtcp-complete"
	# A run killed half-way leaves a tree without the stamp.
	[ -f "$root/.xtcp-complete" ] || rm -rf "$root"
	# Lost a race with another run: theirs is as good as ours.
	mv -T "$dl/root" "$root" 2>/dev/null || true
	echo "headers: unpacked $kver into $root" >&2
fi
echo "$kver $kdir"
