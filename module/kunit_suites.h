/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When xtcp's KUnit suites run. Built into a kernel (kunit.py on UML) they
 * register as usual and run after every initcall, xtcp's included. In
 * xtcp.ko (make XTCP_KUNIT=1) they must not register so: the kernel runs a
 * module's suites while it is COMING, before its init has made the tables,
 * drawn the secrets and registered the family. There xtcp_init() runs them
 * itself, last, and xtcp_exit() takes them down.
 */
#ifndef _XTCP_KUNIT_SUITES_H
#define _XTCP_KUNIT_SUITES_H

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include <kunit/test.h>

#ifdef MODULE
#define xtcp_kunit_suite(suite) \
	struct kunit_suite *suite##_ptr = &(suite)

extern struct kunit_suite *xtcp_seq_test_suite_ptr;
extern struct kunit_suite *xtcp_input_test_suite_ptr;
extern struct kunit_suite *xtcp_options_test_suite_ptr;
extern struct kunit_suite *xtcp_table_test_suite_ptr;
extern struct kunit_suite *xtcp_secure_test_suite_ptr;
extern struct kunit_suite *xtcp_cookie_test_suite_ptr;
extern struct kunit_suite *xtcp_accept_test_suite_ptr;
extern struct kunit_suite *xtcp_listen_test_suite_ptr;
extern struct kunit_suite *xtcp_req_test_suite_ptr;
extern struct kunit_suite *xtcp_timer_test_suite_ptr;
extern struct kunit_suite *xtcp_cc_test_suite_ptr;
extern struct kunit_suite *xtcp_recv_test_suite_ptr;
extern struct kunit_suite *xtcp_send_test_suite_ptr;
extern struct kunit_suite *xtcp_tw_test_suite_ptr;
extern struct kunit_suite *xtcp_conn_test_suite_ptr;
extern struct kunit_suite *xtcp_icmp_test_suite_ptr;
extern struct kunit_suite *xtcp_ecn_test_suite_ptr;
extern struct kunit_suite *xtcp_fastopen_test_suite_ptr;
extern struct kunit_suite *xtcp_fastopen_client_test_suite_ptr;
extern struct kunit_suite *xtcp_offload_test_suite_ptr;
#else
#define xtcp_kunit_suite(suite)	kunit_test_suite(suite)
#endif
#endif

#endif /* _XTCP_KUNIT_SUITES_H */
