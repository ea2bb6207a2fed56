#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/modtree.sh DIR: make DIR a copy of the module's sources (Kbuild,
# module/, include/, kunit/) to build xtcp.ko in with `make -C KDIR M=DIR`.
#
# Why a copy: Kbuild writes an external module's objects, .cmd files,
# Module.symvers and modules.order into M= itself, and the kernels we build
# for (6.1, 6.12) have no option to put them elsewhere. Building in a copy
# under $BUILD keeps the top of the tree to its agreed layout.
#
# The copy is refreshed, not recreated: sources keep their mtimes (cp -p),
# so Kbuild rebuilds only what changed, and a source deleted from the tree
# is deleted from the copy too (objects are left; Kbuild links only what
# the Kbuild file names).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Sources only: objects or .cmd files an older in-place build left in the
# tree must not be taken for the copy's own.
sources() {
	find module include kunit -type f \
		\( -name '*.[ch]' -o -name Kconfig -o -name .kunitconfig \) "$@"
}

dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
(cd "$dir" && [ -d module ] && sources -delete || true)
cd "$XTCP_TOP"
cp -p Kbuild "$dir/"
sources -exec cp -p --parents -t "$dir" {} +
