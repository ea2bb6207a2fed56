#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the newest Debian generic amd64 kernel whose headers are installed;
# xtcp.ko and the test VM's kernel image are both taken from this version.
ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed -n 's|^/usr/src/linux-headers-\(.*-amd64\)$|\1|p' |
	grep -v -e '-cloud-' -e '-rt-' | sort -V | tail -n 1
