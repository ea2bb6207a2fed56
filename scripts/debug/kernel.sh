#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xtcp's debug kernel (KASAN, lockdep, debug objects, kmemleak, KUnit:
# see debug.config) from Debian's linux-source-6.1, the tree scripts/kunit.sh
# extracts, into $XTCP_DEBUG_KBUILD (default $XTCP_CACHE/debug-build). The
# config is this directory's *.config fragments merged onto allnoconfig;
# every option they ask for is checked to have survived, and the build fails
# if one did not (a missing dependency silently drops an option).
#
# Cached: a build whose fragments, source tree and compiler match the last
# one's stamp does nothing. Prints, for the caller to eval:
#   DEBUG_KVER=<release>  DEBUG_KERNEL=<bzImage>
#   DEBUG_KSRC=<source tree>  DEBUG_KBUILD=<O= dir, for M= module builds>
#   DEBUG_MODDIR=<INSTALL_MOD_PATH holding lib/modules/<release>>
# Progress and the build log go to stderr and $DEBUG_KBUILD/build.log.
#
# Locking: the source tree is held shared (as kunit.sh's runs do), the build
# dir exclusively. A caller that goes on to build against the tree (M=)
# should hold $XTCP_CACHE/linux-source-6.1.lock shared itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

OUT=${XTCP_DEBUG_KBUILD:-$XTCP_CACHE/debug-build}
# Bump when a change to this script must rebuild the kernel.
RECIPE=3

TREE=$("$XTCP_TOP/scripts/kunit.sh" --source-only)
mkdir -p "$XTCP_CACHE" "$OUT"
exec 9>"$XTCP_CACHE/linux-source-6.1.lock"
flock -s 9
exec 8>"$OUT.lock"
flock 8

frags=("$here"/*.config)
src_id=$(cat "$TREE/.xtcp-extracted")
stamp=$( {
	echo "recipe $RECIPE"
	echo "source $src_id"
	gcc --version | head -n 1
	cat "${frags[@]}"
} | sha256sum | cut -d' ' -f1)

print() {
	local kver
	kver=$(cat "$OUT/include/config/kernel.release")
	echo "DEBUG_KVER=$kver"
	echo "DEBUG_KERNEL=$OUT/arch/x86/boot/bzImage"
	echo "DEBUG_KSRC=$TREE"
	echo "DEBUG_KBUILD=$OUT"
	echo "DEBUG_MODDIR=$OUT/modroot"
}

if [ "$(cat "$OUT/.xtcp-stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$OUT/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: $OUT is up to date" >&2
	print
	exit 0
fi

# Objects built from another extraction may look newer than its sources.
if [ "$(cat "$OUT/.xtcp-source" 2>/dev/null)" != "$src_id" ]; then
	find "$OUT" -mindepth 1 -delete
	echo "$src_id" >"$OUT/.xtcp-source"
fi
rm -f "$OUT/.xtcp-stamp"

log=$OUT/build.log
: >"$log"
kmake() {
	make -C "$TREE" O="$OUT" ARCH=x86_64 -j"$(nproc)" "$@" >>"$log" 2>&1 || {
		tail -n 40 "$log" >&2
		xtcp_die "debug kernel: make $* failed; log: $log"
	}
}

# allnoconfig with our fragments as the fixed answers (KCONFIG_ALLCONFIG),
# the way merge_config.sh -n does it.
cat "${frags[@]}" >"$OUT/xtcp.config"
start=$SECONDS
kmake KCONFIG_ALLCONFIG="$OUT/xtcp.config" allnoconfig
kmake olddefconfig

# Every CONFIG_X=v asked for must be in .config as is; every "# CONFIG_X is
# not set" must not be set.
missing=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$OUT/.config" || missing+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$OUT/.config" || echo absent))")
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -qE "^$sym=" "$OUT/.config" || missing+=("$line (got: $(grep -E "^$sym=" "$OUT/.config"))")
		;;
	esac
done <"$OUT/xtcp.config"
if [ ${#missing[@]} -gt 0 ]; then
	printf 'debug-kernel: option lost in olddefconfig: %s\n' "${missing[@]}" >&2
	xtcp_die "debug kernel config is missing options (a dependency is off?); fix scripts/debug/*.config"
fi

echo "debug-kernel: building in $OUT (log: $log)" >&2
kmake bzImage modules
[ -f "$OUT/Module.symvers" ] || xtcp_die "debug kernel: no $OUT/Module.symvers"
rm -rf "$OUT/modroot"
kmake INSTALL_MOD_PATH="$OUT/modroot" modules_install
echo "debug-kernel: built in $((SECONDS - start))s" >&2
echo "$stamp" >"$OUT/.xtcp-stamp"
print
