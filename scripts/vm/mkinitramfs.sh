#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs, $BUILD/vm/initramfs-$KVER.cpio.gz: busybox,
# iproute2 (real ip/tc/ss with their libraries), the kernel modules the tests
# need, xtcp.ko, the selftests and the in-VM runner. No root needed: files are
# staged as the current user and archived with owner 0:0. Skipped when no
# input changed since the last build.
#
# Environment (all optional):
#   XTCP_VM_MODDIR   directory holding lib/modules/$KVER (default: Debian's
#                    image from fetch-kernel.sh)
#   XTCP_VM_MODULES  kernel modules to load at boot, in order, dependencies
#                    added automatically (default: see "mods" below); modules
#                    built into the kernel are skipped
#   XTCP_KO          the xtcp module (default: $BUILD/module/xtcp.ko, what
#                    `make module` builds)
#   XTCP_KUNIT_KO    xtcp built with its KUnit suites, shipped as
#                    /xtcp/xtcp-kunit.ko for the kunit test (debug kernel)
#   XTCP_VM_TESTS_LIST  tests.list to ship (default: scripts/selftests/)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
xtcp_need_kver

top=$XTCP_TOP
ko=$XTCP_KO
kunit_ko=${XTCP_KUNIT_KO:-}
list=${XTCP_VM_TESTS_LIST:-$top/scripts/selftests/tests.list}
moddir=${XTCP_VM_MODDIR:-}
[ -n "$moddir" ] || moddir=$("$top/scripts/vm/fetch-kernel.sh")
kmods=$moddir/lib/modules/$KVER
out=$BUILD/vm/initramfs-$KVER.cpio.gz
stage=$BUILD/vm/root-$KVER

[ -f "$ko" ] || xtcp_die "no $ko: run 'make module' first"
kover=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ "$kover" = "$KVER" ] || xtcp_die "$ko is built for $kover, the VM runs $KVER: rebuild it (make module KVER=$KVER)"
[ -z "$kunit_ko" ] || [ "$(modinfo -F vermagic "$kunit_ko" | cut -d' ' -f1)" = "$KVER" ] ||
	xtcp_die "$kunit_ko is not built for $KVER"
[ -f "$kmods/modules.dep" ] || xtcp_die "no $kmods/modules.dep (run depmod -b $moddir $KVER)"

# crc32c_generic first: libcrc32c's init (act_csum) needs a crc32c driver.
mods=(crc32c_generic veth sch_netem inet_diag tcp_diag act_pedit act_csum act_gact act_mirred
	cls_u32 cls_matchall cls_flower sch_ingress ifb vrf)
[ -z "${XTCP_VM_MODULES+set}" ] || read -r -a mods <<<"$XTCP_VM_MODULES"
# ifb would otherwise make ifb0/ifb1 itself; tests create their own.
declare -A modparams=([ifb]="numifbs=0")

shopt -s nullglob
selftest_bins=("$BUILD"/selftests/*)
selftest_sh=("$top"/scripts/selftests/*.sh "$top"/scripts/bench/*.sh)
bins=(/bin/busybox /sbin/ip /sbin/tc /bin/ss /sbin/ethtool)
# Real programs the preload tests run under xtcp-run (scripts/deps.sh
# installs their Debian packages: nginx-light, curl, wrk, iperf3, socat).
apps=(/usr/sbin/nginx /usr/bin/curl /usr/bin/wrk /usr/bin/iperf3 /usr/bin/socat)
for f in "${apps[@]}"; do
	[ -x "$f" ] || xtcp_die "no $f: run 'make deps' (scripts/deps.sh)"
done
# Built here, so that every caller (test-kernel.sh, debugtest.sh) ships
# the current one; make does nothing when it is up to date.
preload_lib=$BUILD/preload/libxtcp-preload.so
make -C "$top" --no-print-directory -s BUILD="$BUILD" preload >&2 ||
	xtcp_die "could not build $preload_lib"

# Rebuild only if an input (name, size, mtime) or a setting changed.
inputs=("$0" "$top/scripts/vm/init" "$top/scripts/selftests/runner.sh" "$list"
	"$ko" ${kunit_ko:+"$kunit_ko"} "${selftest_bins[@]}" "${selftest_sh[@]}" "${bins[@]}"
	"${apps[@]}" "$preload_lib" "$BUILD/preload/preload_check" "$top/scripts/preload/xtcp-run"
	"$kmods/modules.dep")
[ -f "$top/scripts/vm/demo.sh" ] && inputs+=("$top/scripts/vm/demo.sh")
sum=$( { stat -L -c '%n %s %Y' "${inputs[@]}"; echo "$moddir ${mods[*]}"; } | md5sum)
if [ -f "$out" ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$sum" ]; then
	echo "mkinitramfs: $out is up to date"
	exit 0
fi

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,root,var,xtcp/bin}
ln -s ../run "$stage/var/run"

# busybox and its applets; the iproute2 tools below are real binaries.
cp /bin/busybox "$stage/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
	case ${applet##*/} in busybox|ip|tc|ss|ethtool) continue ;; esac
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done

# Copy ELF files with the shared libraries ldd finds, under the same paths.
copy_with_libs() {
	local f lib
	for f in "$@"; do
		install -D -m 0755 "$f" "$stage$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] || install -D -m 0755 "$lib" "$stage$lib"
		done
	done
}
copy_with_libs /sbin/ip /sbin/tc /bin/ss /sbin/ethtool "${apps[@]}"
# nginx's MIME table (the tests write their own nginx.conf). /etc/passwd
# below has nobody too: nginx's user when a configuration names none.
install -D -m 0644 /etc/nginx/mime.types "$stage/etc/nginx/mime.types"
# netem's delay distributions, and ip's name tables.
for f in /usr/lib/x86_64-linux-gnu/tc/*.dist; do
	install -D -m 0644 "$f" "$stage$f"
done
[ ! -d /etc/iproute2 ] || cp -r /etc/iproute2 "$stage/etc/"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
	'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$stage/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$stage/etc/group"
cat >"$stage/etc/profile" <<'EOF'
export PATH=/xtcp/bin:/sbin:/bin:/usr/sbin:/usr/bin
export PS1='xtcp-vm:\w# '
EOF

# Kernel modules: each requested one after its dependencies (modules.dep
# lists a module's full dependency closure, to be loaded right to left).
# Softdeps are left out on purpose: crc32c-intel, for one, fails on CPUs
# without SSE4.2, and crc32c_generic is loaded explicitly instead.
norm() { local n=${1##*/}; n=${n%%.ko*}; echo "${n//-/_}"; }
declare -A seen=()
modlist=()
add_mod() { # relative path inside lib/modules/$KVER
	local rel=$1 name
	name=$(norm "$rel")
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	install -D -m 0644 "$kmods/$rel" "$stage/lib/modules/$KVER/$rel"
	modlist+=("/lib/modules/$KVER/$rel${modparams[$name]:+ ${modparams[$name]}}")
}
for m in "${mods[@]}"; do
	n=$(norm "$m")
	line=$(awk -v n="$n" '{ k = $1; sub(/:$/, "", k); b = k; sub(/.*\//, "", b);
		sub(/\.ko.*/, "", b); gsub(/-/, "_", b); if (b == n) { print; exit } }' \
		"$kmods/modules.dep")
	if [ -z "$line" ]; then
		if grep -q "/${n//_/[-_]}\.ko\$" "$kmods/modules.builtin" 2>/dev/null; then
			continue
		fi
		xtcp_die "kernel module $m not found in $kmods"
	fi
	read -r -a deps <<<"${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_mod "${deps[i]}"
	done
	add_mod "${line%%:*}"
done
mkdir -p "$stage/lib/modules/$KVER" "$stage/etc/xtcp"
printf '%s\n' "${modlist[@]}" >"$stage/etc/xtcp/modules"
# For the kernel's request_module(): busybox modprobe reads modules.dep.
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ ! -f "$kmods/$f" ] || cp "$kmods/$f" "$stage/lib/modules/$KVER/"
done
depmod -b "$stage" "$KVER"

# xtcp itself, the tests and the runner. Debug info is of no use in the VM
# and only slows the kernel's unpacking of the archive.
strip_copy() { strip --strip-debug -o "$2" "$1" 2>/dev/null || cp "$1" "$2"; }
strip_copy "$ko" "$stage/xtcp/xtcp.ko"
[ -z "$kunit_ko" ] || strip_copy "$kunit_ko" "$stage/xtcp/xtcp-kunit.ko"
for f in "${selftest_bins[@]}"; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	strip_copy "$f" "$stage/xtcp/bin/${f##*/}"
	chmod 0755 "$stage/xtcp/bin/${f##*/}"
done
for f in "${selftest_sh[@]}"; do
	[ "${f##*/}" != runner.sh ] || continue
	install -m 0755 "$f" "$stage/xtcp/bin/"
done
# xtcp-run finds the library in ../lib/xtcp/ beside itself.
install -D -m 0755 "$preload_lib" "$stage/xtcp/lib/xtcp/libxtcp-preload.so"
install -m 0755 "$top/scripts/preload/xtcp-run" "$stage/xtcp/bin/xtcp-run"
strip_copy "$BUILD/preload/preload_check" "$stage/xtcp/bin/preload_check"
install -m 0755 "$top/scripts/selftests/runner.sh" "$stage/xtcp/runner.sh"
install -m 0644 "$list" "$stage/xtcp/tests.list"
[ ! -f "$top/scripts/vm/demo.sh" ] || install -m 0755 "$top/scripts/vm/demo.sh" "$stage/xtcp/demo.sh"
install -m 0755 "$top/scripts/vm/init" "$stage/init"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$sum" >"$out.inputs"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1), ${#modlist[@]} kernel modules)"
