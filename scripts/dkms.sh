#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Proves dkms.conf: DKMS accepts the package (dkms add) and builds xtcp.ko
# against each supported header set: the installed 6.1 headers and the
# unpacked 6.12 ones (scripts/headers.sh). Nothing touches the host's
# /usr/src, /var/lib/dkms/xtcp or module tree: the source and DKMS trees are
# private (--sourcetree, --dkmstree) under $BUILD/dkms. DKMS itself may
# create its module-signing key in /var/lib/dkms on first use, as it does
# for any package.
#
# Results, layer "dkms": version (dkms.conf and MODULE_VERSION agree), add,
# build-<series> (and the module's vermagic names that kernel), exclusive
# (a kernel outside BUILD_EXCLUSIVE_KERNEL is refused).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$XTCP_TOP"

xtcp_results_reset dkms
command -v dkms >/dev/null || { xtcp_result FAIL dkms installed; exit 1; }

conf_var() {
	sed -n "s/^$1=\"\(.*\)\"\$/\1/p" dkms.conf
}
name=$(conf_var PACKAGE_NAME)
ver=$(conf_var PACKAGE_VERSION)
modver=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' module/main.c)
echo "dkms: dkms.conf says $name $ver; module/main.c says MODULE_VERSION $modver"
if [ -n "$ver" ] && [ "$ver" = "$modver" ]; then
	xtcp_result PASS dkms version
else
	xtcp_result FAIL dkms version
fi

top=$BUILD/dkms
rm -rf "$top"
mkdir -p "$top/src/$name-$ver" "$top/tree"
# What a user's clone holds, without build output.
cp -a Kbuild module include kunit dkms.conf "$top/src/$name-$ver/"
find "$top/src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
trees=(--sourcetree "$top/src" --dkmstree "$top/tree")

if dkms add -m "$name" -v "$ver" "${trees[@]}"; then
	xtcp_result PASS dkms add
else
	xtcp_result FAIL dkms add
	exit 1
fi

# build SERIES KVER KDIR
build() {
	local series=$1 kver=$2 kdir=$3 ko magic
	echo "dkms: build $name/$ver for $kver"
	if ! dkms build -m "$name" -v "$ver" -k "$kver" --kernelsourcedir "$kdir" "${trees[@]}"; then
		cat "$top/tree/$name/$ver/build/make.log" 2>/dev/null | tail -n 30
		xtcp_result FAIL dkms "build-$series"
		return
	fi
	ko=$top/tree/$name/$ver/$kver/$(uname -m)/module/$name.ko
	[ -f "$ko" ] || ko=$(ls "$ko".* 2>/dev/null | head -n 1)
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	echo "dkms: built $ko, vermagic $magic"
	if [ "$magic" = "$kver" ]; then
		xtcp_result PASS dkms "build-$series"
	else
		xtcp_result FAIL dkms "build-$series"
	fi
}

build 6.1 "$KVER" "$KDIR"
if read -r kver612 kdir612 < <(scripts/headers.sh 6.12); then
	build 6.12 "$kver612" "$kdir612"
else
	xtcp_result FAIL dkms build-6.12
fi

# 77 is DKMS's "BUILD_EXCLUSIVE does not match": what a 6.2 kernel must get.
dkms build -m "$name" -v "$ver" -k 6.2.0-1-amd64 --kernelsourcedir "$KDIR" "${trees[@]}"
rc=$?
echo "dkms: build for 6.2.0-1-amd64 exited $rc (77 = excluded)"
if [ "$rc" -eq 77 ]; then
	xtcp_result PASS dkms exclusive
else
	xtcp_result FAIL dkms exclusive
fi
dkms status "${trees[@]}"
! grep -q '^FAIL ' "$BUILD/results/dkms.txt"
