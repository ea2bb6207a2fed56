#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole VM suite on another of Debian's kernels: scripts/vm/test-kernel.sh
# SERIES [test name...], e.g. 6.12. Fetches that series' headers
# (scripts/headers.sh) and image (fetch-kernel.sh), builds xtcp.ko against
# the headers in $BUILD/kernel-$KVER (its own copy of the sources, so the
# xtcp.ko `make module` built for the installed kernel is left alone), then
# boots the image.
#
# Results: "build:module-SERIES" (the build, failed by any compiler warning
# under W=1) and the VM layer "vm-SERIES" (PASS|FAIL vm-SERIES:<name>).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

series=${1:-}
[ -n "$series" ] || xtcp_die "usage: $0 SERIES [test name...]"
shift
read -r KVER KDIR < <("$XTCP_TOP/scripts/headers.sh" "$series")
[ -n "$KDIR" ] || xtcp_die "no headers for $series"
export KVER KDIR

# A fresh private copy of the sources each run (scripts/modtree.sh): every
# file is compiled again, so build:module-SERIES sees every W=1 warning.
src=$BUILD/kernel-$KVER
rm -rf "$src"
mkdir -p "$BUILD/logs"
"$XTCP_TOP/scripts/modtree.sh" "$src"
log=$BUILD/logs/build-module-$series.log
echo "test-kernel: building xtcp.ko for $KVER"
if make -j"$(nproc)" -C "$KDIR" M="$src" W=1 modules >"$log" 2>&1 && ! grep -q 'warning:' "$log"; then
	xtcp_result PASS build "module-$series"
else
	grep -E 'warning:|error:' "$log" | head -n 20 || tail -n 20 "$log"
	xtcp_result FAIL build "module-$series"
	exit 1
fi

export XTCP_KO=$src/xtcp.ko
"$XTCP_TOP/scripts/vm/mkinitramfs.sh"
XTCP_VM_LAYER=vm-$series exec "$XTCP_TOP/scripts/vm/run.sh" test "$@"
