/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Force-included into every xtcp
 * source file by Kbuild, so the rest of the module is written against one
 * API. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * Each entry names the kernel that changed the API. Nothing the module uses
 * so far differs between 6.1 and 6.12 (the default proto_ops are the
 * kernel's own sock_no_* functions, whose types follow the kernel's).
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "xtcp supports Linux 6.1 and later"
#endif

#endif /* _XTCP_COMPAT_H */
