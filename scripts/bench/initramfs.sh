#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's initramfs: the test VM's (scripts/vm/mkinitramfs.sh) with
# a second archive appended that adds perf, with its shared libraries,
# when the host has it (`scripts/deps.sh bench` installs it; ethtool is
# in the test initramfs already). The
# kernel unpacks concatenated archives in order, so the test initramfs
# stays as it is and only `make bench` pays for the bigger one. Prints the
# path of the result.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
xtcp_need_kver

base=$BUILD/vm/initramfs-$KVER.cpio.gz
out=$BUILD/vm/initramfs-bench-$KVER.cpio.gz
stage=$BUILD/vm/bench-extra-$KVER
[ -f "$base" ] || xtcp_die "no $base: run 'make initramfs' first"

# name:host-path pairs; each goes to the same path in the VM
tools=()
[ ! -x /usr/bin/perf ] || tools+=(/usr/bin/perf:/usr/bin/perf)

rm -rf "$stage"
mkdir -p "$stage"
for t in "${tools[@]}"; do
	f=${t#*:}
	install -D -m 0755 "$f" "$stage${t%%:*}"
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || install -D -m 0755 "$lib" "$stage$lib"
	done
done

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$out.extra"
cat "$base" "$out.extra" >"$out.tmp"
rm -f "$out.extra"
mv "$out.tmp" "$out"
added=$(for t in "${tools[@]}"; do printf ' %s' "${t%%:*}"; done)
echo "bench-initramfs: $out (adds:${added:- nothing, no perf on this host})" >&2
echo "$out"
