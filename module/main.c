// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp module glue: the family and ipproto parameters, per-netns state,
 * and registration with the socket layer and IPv4. Nothing else lives here
 * (ehash_entries is table.c's parameter, beside the table it sizes).
 *
 * Load order: per-netns state first (the receive handler uses it), then
 * the proto and the socket family, and the IP protocol handler last, so no
 * segment arrives before everything it needs exists. Unload goes in
 * reverse; inet_del_protocol() and sock_unregister() wait for readers in
 * flight, so nothing of ours runs once they return.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <net/net_namespace.h>
#include <net/protocol.h>
#include <net/sock.h>

#include "xtcp.h"
#include "kunit_suites.h"

int xtcp_family = AF_XTCP;
module_param_named(family, xtcp_family, int, 0444);
MODULE_PARM_DESC(family, "address family number of AF_XTCP (1..45, default 18)");

bool xtcp_gso = true;
module_param_named(gso, xtcp_gso, bool, 0644);
MODULE_PARM_DESC(gso, "Send runs of data segments as one GSO skb, cut by the device or the IP layer (default on, as TCP's)");

int xtcp_ipproto = IPPROTO_XTCP;
module_param_named(ipproto, xtcp_ipproto, int, 0444);
MODULE_PARM_DESC(ipproto, "IPv4 protocol number carrying xtcp segments (1..254, default 253)");

unsigned int xtcp_net_id __read_mostly;

static int __net_init xtcp_net_init(struct net *net)
{
	int err;

	/* each namespace its own: a cookie of one is worthless in another */
	get_random_bytes(&xtcp_net(net)->cookie_key,
			 sizeof(xtcp_net(net)->cookie_key));
	xtcp_fastopen_net_init(net);
	err = xtcp_fastopen_client_net_init(net);
	if (err)
		return err;
	err = xtcp_stats_net_init(net);
	if (err)
		goto out_foc;
	err = xtcp_sysctl_net_init(net);
	if (err)
		goto out_stats;
	err = xtcp_output_net_init(net);
	if (err)
		goto out_sysctl;
	err = xtcp_proc_net_init(net);
	if (err)
		goto out_output;
	return 0;

out_output:
	xtcp_output_net_exit(net);
out_sysctl:
	xtcp_sysctl_net_exit(net);
out_stats:
	xtcp_stats_net_exit(net);
out_foc:
	xtcp_fastopen_client_net_exit(net);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	/* before the control socket and the counters they use */
	xtcp_tw_net_exit(net);
	xtcp_proc_net_exit(net);
	xtcp_output_net_exit(net);
	xtcp_sysctl_net_exit(net);
	xtcp_stats_net_exit(net);
	xtcp_fastopen_client_net_exit(net);
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
	.exit	= xtcp_net_exit,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};

static const struct net_protocol xtcp_protocol = {
	.handler	= xtcp_input_rcv,
	/* ICMP errors quoting our segments (icmp.c) */
	.err_handler	= xtcp_icmp_err,
	/* no_policy clear: the IP layer applies IPsec input policy for us */
};

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST) && defined(MODULE)
/*
 * Where each suite's pointer lives (its file has the suite): the one
 * list, so that the array below is sized by it. A hand-kept count once
 * fell one short when two suites were added at once, and the last
 * pointer was written past the array (KASAN caught it at load).
 */
static struct kunit_suite ** const xtcp_kunit_suite_ptrs[] = {
	&xtcp_seq_test_suite_ptr,
	&xtcp_input_test_suite_ptr,
	&xtcp_options_test_suite_ptr,
	&xtcp_table_test_suite_ptr,
	&xtcp_secure_test_suite_ptr,
	&xtcp_accept_test_suite_ptr,
	&xtcp_listen_test_suite_ptr,
	&xtcp_req_test_suite_ptr,
	&xtcp_timer_test_suite_ptr,
	&xtcp_cc_test_suite_ptr,
	&xtcp_recv_test_suite_ptr,
	&xtcp_send_test_suite_ptr,
	&xtcp_cookie_test_suite_ptr,
	&xtcp_tw_test_suite_ptr,
	&xtcp_conn_test_suite_ptr,
	&xtcp_icmp_test_suite_ptr,
	&xtcp_ecn_test_suite_ptr,
	&xtcp_fastopen_test_suite_ptr,
	&xtcp_fastopen_client_test_suite_ptr,
	&xtcp_offload_test_suite_ptr,
};

static struct kunit_suite *
xtcp_kunit_suites[ARRAY_SIZE(xtcp_kunit_suite_ptrs)];

/* Last in init: the suites use the tables, the secrets and the family. */
static void xtcp_kunit_run(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_kunit_suites); i++)
		xtcp_kunit_suites[i] = *xtcp_kunit_suite_ptrs[i];
	__kunit_test_suites_init(xtcp_kunit_suites,
				 ARRAY_SIZE(xtcp_kunit_suites));
}

static void xtcp_kunit_exit(void)
{
	__kunit_test_suites_exit(xtcp_kunit_suites,
				 ARRAY_SIZE(xtcp_kunit_suites));
}
#else
static inline void xtcp_kunit_run(void) { }
static inline void xtcp_kunit_exit(void) { }
#endif

static int __init xtcp_init(void)
{
	int err;

	/* NPROTO bounds the socket layer's family table. */
	if (xtcp_family < 1 || xtcp_family >= NPROTO) {
		pr_err("family=%d out of range 1..%d\n", xtcp_family,
		       NPROTO - 1);
		return -EINVAL;
	}
	/* 0 is IPv6 hop-by-hop options on the wire, 255 is reserved. */
	if (xtcp_ipproto < 1 || xtcp_ipproto > 254) {
		pr_err("ipproto=%d out of range 1..254\n", xtcp_ipproto);
		return -EINVAL;
	}
	xtcp_family_ops.family = xtcp_family;
	xtcp_stream_ops.family = xtcp_family;

	xtcp_secure_init();
	err = xtcp_table_init();
	if (err) {
		pr_err("cannot allocate the connection tables: %d\n", err);
		return err;
	}
	err = xtcp_req_init();
	if (err) {
		pr_err("cannot create the request sock cache: %d\n", err);
		goto out_table;
	}

	err = xtcp_tw_init();
	if (err) {
		pr_err("cannot create the TIME_WAIT cache: %d\n", err);
		goto out_req;
	}

	err = xtcp_sock_init();
	if (err) {
		pr_err("cannot set up socket memory accounting: %d\n", err);
		goto out_tw;
	}

	err = register_pernet_subsys(&xtcp_net_ops);
	if (err) {
		pr_err("cannot set up per-netns state: %d\n", err);
		goto out_sock;
	}

	err = proto_register(&xtcp_prot, 1);
	if (err) {
		pr_err("cannot register proto: %d\n", err);
		goto out_pernet;
	}

	err = sock_register(&xtcp_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is taken by another protocol; load with family=<free number>\n",
			       xtcp_family);
		else
			pr_err("cannot register address family %d: %d\n",
			       xtcp_family, err);
		goto out_proto;
	}

	/* inet_add_protocol() says only "slot taken", as -1 */
	if (inet_add_protocol(&xtcp_protocol, xtcp_ipproto) < 0) {
		pr_err("IP protocol %d is taken by another protocol; load with ipproto=<free number>\n",
		       xtcp_ipproto);
		err = -EBUSY;
		goto out_family;
	}
	err = xtcp_offload_init();
	if (err) {
		pr_err("IP protocol %d has another GSO offload; load with ipproto=<free number>\n",
		       xtcp_ipproto);
		goto out_protocol;
	}

	pr_info("loaded: address family %d, IP protocol %d, %u ehash buckets, request sock %zu bytes, TIME_WAIT entry %zu bytes, socket %u bytes\n",
		xtcp_family, xtcp_ipproto, xtcp_ehash_entries,
		sizeof(struct xtcp_request), sizeof(struct xtcp_tw),
		xtcp_prot.obj_size);
	xtcp_kunit_run();
	return 0;

out_protocol:
	inet_del_protocol(&xtcp_protocol, xtcp_ipproto);
out_family:
	sock_unregister(xtcp_family);
out_proto:
	proto_unregister(&xtcp_prot);
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_sock:
	xtcp_sock_exit();
out_tw:
	xtcp_tw_exit();
out_req:
	xtcp_req_exit();
out_table:
	xtcp_table_exit();
	return err;
}

static void __exit xtcp_exit(void)
{
	xtcp_kunit_exit();
	inet_del_protocol(&xtcp_protocol, xtcp_ipproto);
	xtcp_offload_exit();
	sock_unregister(xtcp_family);
	proto_unregister(&xtcp_prot);
	unregister_pernet_subsys(&xtcp_net_ops);
	xtcp_sock_exit();
	xtcp_tw_exit();
	xtcp_req_exit();
	xtcp_table_exit();
	pr_info("unloaded\n");
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: TCP connection establishment as a protocol family of its own");
MODULE_AUTHOR("The xtcp developers");
MODULE_VERSION("0.1");

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/seq_test.c"
#endif
