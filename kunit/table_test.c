// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_table: the ehash with request socks and full sockets
 * side by side. Included at the bottom of module/table.c; runs after the
 * module's init has set the tables up. Entries are fake objects of the
 * right types, each in a namespace of its own (a zeroed struct net is
 * enough for hashing and comparing), so nothing here can meet real
 * traffic.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

struct xtcp_table_test_ctx {
	struct net *net;
	struct net *other_net;
};

static int xtcp_table_test_init(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->net = kunit_kzalloc(test, sizeof(struct net), GFP_KERNEL);
	ctx->other_net = kunit_kzalloc(test, sizeof(struct net), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->net);
	KUNIT_ASSERT_NOT_NULL(test, ctx->other_net);
	ctx->other_net->hash_mix = 0x9e3779b9;
	test->priv = ctx;
	return 0;
}

static void xtcp_table_test_key(struct xtcp_ehash_node *eh, struct net *net,
				u16 lport, u16 rport)
{
	write_pnet(&eh->net, net);
	eh->laddr = htonl(0xc0000201);
	eh->raddr = htonl(0xc0000202);
	eh->lport = htons(lport);
	eh->rport = htons(rport);
}

static struct xtcp_request *xtcp_table_test_req(struct kunit *test,
						struct net *net, u16 lport,
						u16 rport)
{
	struct xtcp_request *req = kunit_kzalloc(test, sizeof(*req), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, req);
	req->eh.kind = XTCP_EH_REQ;
	refcount_set(&req->refcnt, 1);
	xtcp_table_test_key(&req->eh, net, lport, rport);
	return req;
}

static struct xtcp_sock *xtcp_table_test_sock(struct kunit *test,
					      struct net *net, u16 lport,
					      u16 rport)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->eh.kind = XTCP_EH_SOCK;
	refcount_set(&xs->inet.sk.sk_refcnt, 1);
	xtcp_table_test_key(&xs->eh, net, lport, rport);
	return xs;
}

/*
 * Look up the tuple of @eh as a segment from device @dif (VRF slave
 * @sdif) would; drop the reference the lookup took.
 */
static struct xtcp_ehash_node *
xtcp_table_test_find_dev(struct xtcp_ehash_node *eh, int dif, int sdif)
{
	struct xtcp_ehash_node *found;

	found = xtcp_table_ehash_lookup(read_pnet(&eh->net), eh->laddr,
					eh->lport, eh->raddr, eh->rport, dif,
					sdif);
	if (found && found->kind == XTCP_EH_REQ)
		refcount_dec(&xtcp_eh_req(found)->refcnt);
	else if (found)
		refcount_dec(&xtcp_eh_sk(found)->sk_refcnt);
	return found;
}

static struct xtcp_ehash_node *xtcp_table_test_find(struct xtcp_ehash_node *eh)
{
	return xtcp_table_test_find_dev(eh, 0, 0);
}

static void xtcp_table_test_insert_lookup_remove(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *req = xtcp_table_test_req(test, ctx->net, 80, 4000);

	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), NULL);
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&req->eh), 0);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), &req->eh);
	/* the lookup's reference was taken and given back */
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&req->eh));
	KUNIT_EXPECT_FALSE(test, xtcp_table_ehash_remove(&req->eh));
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), NULL);
}

static void xtcp_table_test_duplicate(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *a = xtcp_table_test_req(test, ctx->net, 80, 4001);
	struct xtcp_sock *b = xtcp_table_test_sock(test, ctx->net, 80, 4001);

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&a->eh), 0);
	/* one 4-tuple, one entry, whatever its kind */
	KUNIT_EXPECT_EQ(test, xtcp_table_ehash_insert(&b->eh), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, b->eh.hashed);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&a->eh));
}

static void xtcp_table_test_side_by_side(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *req = xtcp_table_test_req(test, ctx->net, 80, 4002);
	struct xtcp_sock *xs = xtcp_table_test_sock(test, ctx->net, 80, 4003);

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&req->eh), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&xs->eh), 0);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), &req->eh);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&xs->eh), &xs->eh);
	KUNIT_EXPECT_EQ(test, xtcp_table_test_find(&xs->eh)->kind,
			XTCP_EH_SOCK);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&req->eh));
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&xs->eh));
}

static void xtcp_table_test_replace(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *req = xtcp_table_test_req(test, ctx->net, 80, 4004);
	struct xtcp_sock *child = xtcp_table_test_sock(test, ctx->net, 80, 4004);
	struct xtcp_sock *late = xtcp_table_test_sock(test, ctx->net, 80, 4004);

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&req->eh), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_replace(&req->eh, &child->eh));
	KUNIT_EXPECT_FALSE(test, req->eh.hashed);
	KUNIT_EXPECT_TRUE(test, child->eh.hashed);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), &child->eh);
	/* a second promotion of the same request loses */
	KUNIT_EXPECT_FALSE(test, xtcp_table_ehash_replace(&req->eh, &late->eh));
	KUNIT_EXPECT_FALSE(test, late->eh.hashed);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), &child->eh);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&child->eh));
}

static void xtcp_table_test_dying_entry_skipped(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *req = xtcp_table_test_req(test, ctx->net, 80, 4005);

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&req->eh), 0);
	/* refcount 0: being freed; a lookup must not hand it out */
	refcount_set(&req->refcnt, 0);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&req->eh), NULL);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&req->eh));
}

static void xtcp_table_test_netns_apart(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *a = xtcp_table_test_req(test, ctx->net, 80, 4006);
	struct xtcp_request *b = xtcp_table_test_req(test, ctx->other_net, 80,
						     4006);

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&a->eh), 0);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&b->eh), NULL);
	/* the same 4-tuple in another namespace is another connection */
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&b->eh), 0);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&a->eh), &a->eh);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&b->eh), &b->eh);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&a->eh));
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&b->eh));
}

/* The matched hook: the socket reconnects elsewhere before the reference. */
static void xtcp_table_test_rekey(struct xtcp_ehash_node *eh)
{
	xtcp_table_matched_hook = NULL;
	eh->rport = htons(ntohs(eh->rport) + 1);
}

/*
 * A socket matched under RCU can be disconnected and connected again to
 * another 4-tuple before the lookup takes its reference (SOCK_RCU_FREE
 * keeps it alive, not its key): the key must be checked again after.
 */
static void xtcp_table_test_rekeyed_sock_missed(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_sock *xs = xtcp_table_test_sock(test, ctx->net, 80, 4007);
	struct xtcp_ehash_node key = xs->eh;

	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&xs->eh), 0);
	xtcp_table_matched_hook = xtcp_table_test_rekey;
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find(&key), NULL);
	xtcp_table_matched_hook = NULL;
	/* the lookup gave back the reference it took */
	KUNIT_EXPECT_EQ(test, refcount_read(&xs->inet.sk.sk_refcnt), 1);
	xs->eh.rport = key.rport;
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&xs->eh));
}

/*
 * Sockets and requests bound to a device hear only segments that came in
 * on it, directly or as a VRF's slave; an unbound one hears any device,
 * and a VRF's only with tcp_l3mdev_accept (0 in the fake namespace).
 */
static void xtcp_table_test_bound_dev(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_sock *xs = xtcp_table_test_sock(test, ctx->net, 80, 4008);
	struct xtcp_request *req = xtcp_table_test_req(test, ctx->net, 80, 4009);
	struct xtcp_request *any = xtcp_table_test_req(test, ctx->net, 80, 4010);

	xs->inet.sk.sk_bound_dev_if = 5;
	req->bound_dev_if = 7;
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&xs->eh), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&req->eh), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&any->eh), 0);

	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&xs->eh, 5, 0), &xs->eh);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&xs->eh, 6, 0), NULL);
	/* through a VRF: the slave is @sdif, the master @dif */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&xs->eh, 9, 5), &xs->eh);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&xs->eh, 9, 6), NULL);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&req->eh, 7, 0), &req->eh);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&req->eh, 5, 0), NULL);

	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&any->eh, 6, 0), &any->eh);
	if (IS_ENABLED(CONFIG_NET_L3_MASTER_DEV))
		KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&any->eh, 9, 6),
				    NULL);
	else	/* no VRFs: Linux lets every unbound socket hear */
		KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_dev(&any->eh, 9, 6),
				    &any->eh);

	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&xs->eh));
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&req->eh));
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&any->eh));
}

#define XTCP_TABLE_TEST_MANY	20000

static void xtcp_table_test_many(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *reqs;
	unsigned int i, found = 0;

	reqs = kunit_kcalloc(test, XTCP_TABLE_TEST_MANY, sizeof(*reqs),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reqs);
	for (i = 0; i < XTCP_TABLE_TEST_MANY; i++) {
		reqs[i].eh.kind = XTCP_EH_REQ;
		refcount_set(&reqs[i].refcnt, 1);
		/* many entries share a bucket: more than the table has */
		xtcp_table_test_key(&reqs[i].eh, ctx->net, 1 + i / 60000,
				    1 + i % 60000);
		reqs[i].eh.raddr = htonl(0xc6336400 + i / 1000);
		KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&reqs[i].eh), 0);
	}
	for (i = 0; i < XTCP_TABLE_TEST_MANY; i++)
		if (xtcp_table_test_find(&reqs[i].eh) == &reqs[i].eh)
			found++;
	KUNIT_EXPECT_EQ(test, found, XTCP_TABLE_TEST_MANY);
	for (i = 0; i < XTCP_TABLE_TEST_MANY; i += 2)
		KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&reqs[i].eh));
	for (i = 0, found = 0; i < XTCP_TABLE_TEST_MANY; i++)
		if (xtcp_table_test_find(&reqs[i].eh) == &reqs[i].eh)
			found++;
	KUNIT_EXPECT_EQ(test, found, XTCP_TABLE_TEST_MANY / 2);
	for (i = 1; i < XTCP_TABLE_TEST_MANY; i += 2)
		KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&reqs[i].eh));
	/* the removed ones are gone after an RCU grace period too */
	synchronize_rcu();
	for (i = 0, found = 0; i < XTCP_TABLE_TEST_MANY; i++)
		if (xtcp_table_test_find(&reqs[i].eh))
			found++;
	KUNIT_EXPECT_EQ(test, found, 0);
}

#define XTCP_TABLE_TEST_SEEK	3000

/*
 * Walk @net on from @cur, pausing RCU between entries as /proc does;
 * count in @seen which of @reqs it meets.
 */
static unsigned int xtcp_table_test_seek_all(struct kunit *test,
					     struct net *net,
					     struct xtcp_table_cursor *cur,
					     struct xtcp_request *reqs, u8 *seen)
{
	struct xtcp_ehash_node *eh;
	unsigned int n = 0;
	long i;

	rcu_read_lock();
	for (eh = xtcp_table_ehash_seek(net, cur); eh;
	     cur->skip++, eh = xtcp_table_ehash_seek(net, cur)) {
		i = xtcp_eh_req(eh) - reqs;
		KUNIT_ASSERT_TRUE(test, i >= 0 && i < XTCP_TABLE_TEST_SEEK);
		seen[i]++;
		n++;
		rcu_read_unlock();
		rcu_read_lock();
	}
	rcu_read_unlock();
	return n;
}

/*
 * A walk that pauses after every entry sees each entry of its namespace
 * once and no other namespace's; an entry removed while the walk pauses
 * on it does not make the walk skip or repeat the others.
 */
static void xtcp_table_test_seek(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_table_cursor cur = { };
	struct xtcp_ehash_node *gone;
	struct xtcp_request *reqs, *other;
	unsigned int i, once = 0;
	u8 *seen;

	reqs = kunit_kcalloc(test, XTCP_TABLE_TEST_SEEK, sizeof(*reqs),
			     GFP_KERNEL);
	other = kunit_kcalloc(test, 100, sizeof(*other), GFP_KERNEL);
	seen = kunit_kzalloc(test, XTCP_TABLE_TEST_SEEK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reqs);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < XTCP_TABLE_TEST_SEEK; i++) {
		reqs[i].eh.kind = XTCP_EH_REQ;
		xtcp_table_test_key(&reqs[i].eh, ctx->net, 7, 1 + i);
		KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&reqs[i].eh), 0);
	}
	for (i = 0; i < 100; i++) {
		other[i].eh.kind = XTCP_EH_REQ;
		xtcp_table_test_key(&other[i].eh, ctx->other_net, 7, 1 + i);
		KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&other[i].eh), 0);
	}

	KUNIT_EXPECT_EQ(test, xtcp_table_test_seek_all(test, ctx->net, &cur,
						       reqs, seen),
			XTCP_TABLE_TEST_SEEK);
	for (i = 0; i < XTCP_TABLE_TEST_SEEK; i++)
		once += seen[i] == 1;
	KUNIT_EXPECT_EQ(test, once, XTCP_TABLE_TEST_SEEK);

	/* the walk pauses on its first entry, which goes away meanwhile */
	cur = (struct xtcp_table_cursor){ };
	rcu_read_lock();
	gone = xtcp_table_ehash_seek(ctx->net, &cur);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, gone);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(gone));
	memset(seen, 0, XTCP_TABLE_TEST_SEEK);
	KUNIT_EXPECT_EQ(test, xtcp_table_test_seek_all(test, ctx->net, &cur,
						       reqs, seen),
			XTCP_TABLE_TEST_SEEK - 1);
	for (i = 0, once = 0; i < XTCP_TABLE_TEST_SEEK; i++)
		once += seen[i] == 1;
	KUNIT_EXPECT_EQ(test, once, XTCP_TABLE_TEST_SEEK - 1);
	KUNIT_EXPECT_EQ(test, seen[xtcp_eh_req(gone) - reqs], 0);

	for (i = 0; i < XTCP_TABLE_TEST_SEEK; i++)
		xtcp_table_ehash_remove(&reqs[i].eh);
	for (i = 0; i < 100; i++)
		xtcp_table_ehash_remove(&other[i].eh);
	/* no lookup may still be walking past them when KUnit frees them */
	synchronize_rcu();
	cur = (struct xtcp_table_cursor){ };
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_ehash_seek(ctx->net, &cur), NULL);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, cur.bucket, xtcp_ehash_mask + 1);
}

/* --- nulls chains: restarts and the swap's interleavings --- */

/*
 * Ports from @from on (the local port in the high half: a large table
 * has more buckets than remote ports) that put @eh's key in bucket @b, or
 * not; set in @eh. Return: where the search stopped, for the next, or 0.
 */
static u32 xtcp_table_test_rport_in(struct xtcp_ehash_node *eh, u32 from,
				    struct xtcp_table_bucket *b, bool in)
{
	u32 k;

	for (k = from; k < (1U << 26); k++) {
		eh->lport = htons(100 + (k >> 16));
		eh->rport = htons(k & 0xffff);
		if ((xtcp_table_ebucket(eh) == b) == in)
			return k;
	}
	return 0;
}

static struct xtcp_ehash_node *xtcp_table_test_mover;
static struct xtcp_ehash_node xtcp_table_test_mover_key;

/* The visit hook: the mover connects elsewhere while the walk is on it. */
static void xtcp_table_test_move(struct hlist_nulls_node *n)
{
	struct xtcp_ehash_node *eh = xtcp_table_test_mover;

	if (n != &eh->node)
		return;
	xtcp_table_visit_hook = NULL;
	xtcp_table_ehash_remove(eh);
	eh->lport = xtcp_table_test_mover_key.lport;
	eh->rport = xtcp_table_test_mover_key.rport;
	WARN_ON(xtcp_table_ehash_insert(eh));
}

static struct xtcp_ehash_node *
xtcp_table_test_find_counted(struct xtcp_ehash_node *eh, unsigned int *restarts)
{
	struct xtcp_ehash_node *found;

	*restarts = 0;
	found = xtcp_table_ehash_find(read_pnet(&eh->net), eh->laddr, eh->lport,
				      eh->raddr, eh->rport, 0, 0, -1, restarts);
	if (found && found->kind == XTCP_EH_REQ)
		refcount_dec(&xtcp_eh_req(found)->refcnt);
	else if (found)
		refcount_dec(&xtcp_eh_sk(found)->sk_refcnt);
	return found;
}

/*
 * A lookup stands on a socket when it disconnects and connects to a
 * 4-tuple of another chain: the walk follows it there, ends on that
 * chain's nulls, and must start again to find the entry behind it.
 */
static void xtcp_table_test_nulls_restart(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *target = xtcp_table_test_req(test, ctx->net, 90, 1);
	struct xtcp_sock *mover = xtcp_table_test_sock(test, ctx->net, 90, 1);
	struct xtcp_table_bucket *b = xtcp_table_ebucket(&target->eh);
	unsigned int restarts;
	u32 rport;

	rport = xtcp_table_test_rport_in(&mover->eh, 2, b, true);
	KUNIT_ASSERT_NE(test, rport, 0);
	xtcp_table_test_mover_key = target->eh;
	KUNIT_ASSERT_NE(test, xtcp_table_test_rport_in(&xtcp_table_test_mover_key,
						       rport + 1, b, false), 0);
	/* the mover in front: added last */
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&target->eh), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&mover->eh), 0);

	xtcp_table_test_mover = &mover->eh;
	xtcp_table_visit_hook = xtcp_table_test_move;
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_counted(&target->eh,
							       &restarts),
			    &target->eh);
	xtcp_table_visit_hook = NULL;
	KUNIT_EXPECT_EQ(test, restarts, 1);
	KUNIT_EXPECT_PTR_NE(test, xtcp_table_ebucket(&mover->eh), b);
	/* a walk no move disturbs does not restart */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_find_counted(&target->eh,
							       &restarts),
			    &target->eh);
	KUNIT_EXPECT_EQ(test, restarts, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&target->eh));
	KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&mover->eh));
	synchronize_rcu();
}

/* What the swap-interleaving hook does and sees. */
static struct {
	struct xtcp_ehash_node *old, *new;
	unsigned int visits;	/* entries the walk stepped on so far */
	unsigned int swap_at;	/* swap when stepping on the swap_at-th */
	unsigned int seen;	/* times the walk stepped on old or new */
} xtcp_table_test_swap;

static void xtcp_table_test_swap_hook(struct hlist_nulls_node *n)
{
	if (++xtcp_table_test_swap.visits == xtcp_table_test_swap.swap_at)
		WARN_ON(!xtcp_table_ehash_replace(xtcp_table_test_swap.old,
						  xtcp_table_test_swap.new));
	if (n == &xtcp_table_test_swap.old->node ||
	    n == &xtcp_table_test_swap.new->node)
		xtcp_table_test_swap.seen++;
}

#define XTCP_TABLE_TEST_CHAIN	4

/*
 * The swap of a promotion or of TIME_WAIT, replayed at every step of a
 * concurrent walk (before it, on each entry, after it), with the swapped
 * entry at each place of a chain of four: the walk steps on the old or the
 * new entry exactly once, a lookup of their key finds one of them, every
 * other entry is found, and no walk restarts.
 */
static void xtcp_table_test_swap_interleavings(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_request *reqs[XTCP_TABLE_TEST_CHAIN];
	struct xtcp_ehash_node absent, *found;
	struct xtcp_table_bucket *b;
	struct xtcp_sock *child;
	unsigned int pos, k, i, restarts;
	u32 rport = 1;

	reqs[0] = xtcp_table_test_req(test, ctx->net, 100, rport);
	b = xtcp_table_ebucket(&reqs[0]->eh);
	for (i = 1; i < XTCP_TABLE_TEST_CHAIN; i++) {
		reqs[i] = xtcp_table_test_req(test, ctx->net, 100, 0);
		rport = xtcp_table_test_rport_in(&reqs[i]->eh, rport + 1, b,
						 true);
		KUNIT_ASSERT_NE(test, rport, 0);
	}
	absent = reqs[0]->eh;
	KUNIT_ASSERT_NE(test, xtcp_table_test_rport_in(&absent, rport + 1, b,
						       true), 0);
	for (i = 0; i < XTCP_TABLE_TEST_CHAIN; i++)
		KUNIT_ASSERT_EQ(test, xtcp_table_ehash_insert(&reqs[i]->eh), 0);

	for (pos = 0; pos < XTCP_TABLE_TEST_CHAIN; pos++) {
		/* k = 0: swapped before the walk; CHAIN + 1: never */
		for (k = 0; k <= XTCP_TABLE_TEST_CHAIN + 1; k++) {
			child = xtcp_table_test_sock(test, ctx->net, 0, 0);
			child->eh.lport = reqs[pos]->eh.lport;
			child->eh.rport = reqs[pos]->eh.rport;
			xtcp_table_test_swap.old = &reqs[pos]->eh;
			xtcp_table_test_swap.new = &child->eh;
			xtcp_table_test_swap.visits = 0;
			xtcp_table_test_swap.seen = 0;
			xtcp_table_test_swap.swap_at = k;
			if (!k)
				KUNIT_ASSERT_TRUE(test, xtcp_table_ehash_replace(&reqs[pos]->eh,
										 &child->eh));
			xtcp_table_visit_hook = xtcp_table_test_swap_hook;
			/* a key not in the chain: the walk goes to its end */
			found = xtcp_table_test_find_counted(&absent, &restarts);
			xtcp_table_visit_hook = NULL;
			KUNIT_EXPECT_PTR_EQ(test, found, NULL);
			KUNIT_EXPECT_EQ(test, restarts, 0);
			KUNIT_EXPECT_EQ_MSG(test, xtcp_table_test_swap.seen, 1,
					    "swap of entry %u at step %u", pos, k);

			/* and a lookup of the swapped key itself */
			if (child->eh.hashed)
				KUNIT_ASSERT_TRUE(test, xtcp_table_ehash_replace(&child->eh,
										 &reqs[pos]->eh));
			xtcp_table_test_swap.old = &reqs[pos]->eh;
			xtcp_table_test_swap.new = &child->eh;
			xtcp_table_test_swap.visits = 0;
			xtcp_table_test_swap.swap_at = k ? k : 1;
			xtcp_table_visit_hook = xtcp_table_test_swap_hook;
			found = xtcp_table_test_find_counted(&reqs[pos]->eh,
							     &restarts);
			xtcp_table_visit_hook = NULL;
			KUNIT_EXPECT_TRUE_MSG(test, found == &reqs[pos]->eh ||
					      found == &child->eh,
					      "swap of entry %u at step %u",
					      pos, k);
			KUNIT_EXPECT_EQ(test, restarts, 0);
			if (child->eh.hashed)
				KUNIT_ASSERT_TRUE(test, xtcp_table_ehash_replace(&child->eh,
										 &reqs[pos]->eh));
			for (i = 0; i < XTCP_TABLE_TEST_CHAIN; i++)
				KUNIT_EXPECT_PTR_EQ(test,
						    xtcp_table_test_find(&reqs[i]->eh),
						    &reqs[i]->eh);
			/* the lookups above may still stand on it: no reuse */
			synchronize_rcu();
		}
	}
	for (i = 0; i < XTCP_TABLE_TEST_CHAIN; i++)
		KUNIT_EXPECT_TRUE(test, xtcp_table_ehash_remove(&reqs[i]->eh));
	synchronize_rcu();
}

/* --- listener hash --- */

static struct xtcp_sock *xtcp_table_test_listener(struct kunit *test,
						  struct net *net, u32 addr,
						  u16 port, int dev)
{
	struct xtcp_sock *xs = xtcp_table_test_sock(test, net, port, 0);

	write_pnet(&xs->inet.sk.sk_net, net);
	xs->inet.inet_num = port;
	xs->inet.inet_rcv_saddr = htonl(addr);
	xs->inet.sk.sk_bound_dev_if = dev;
	xs->listen_node.pprev = NULL;
	return xs;
}

static struct sock *xtcp_table_test_lfind(struct net *net, u32 addr, u16 port,
					  int dif, unsigned int *restarts)
{
	struct sock *sk;

	*restarts = 0;
	sk = xtcp_table_listen_find(net, htonl(addr), port, dif, 0, NULL,
				    restarts);
	if (sk)
		refcount_dec(&sk->sk_refcnt);
	return sk;
}

/*
 * An exact address beats the wildcard, a listener bound to the arriving
 * device beats an unbound one of the same address, and one bound to
 * another device hears nothing; listeners on a thousand other addresses
 * of the port are not in the way.
 */
static void xtcp_table_test_listen_score(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_sock *any = xtcp_table_test_listener(test, ctx->net, 0, 92, 0);
	struct xtcp_sock *exact = xtcp_table_test_listener(test, ctx->net,
							    0x0a000001, 92, 0);
	struct xtcp_sock *dev = xtcp_table_test_listener(test, ctx->net,
							  0x0a000001, 92, 5);
	struct xtcp_sock *other = xtcp_table_test_listener(test, ctx->net,
							    0x0a000002, 92, 7);
	struct xtcp_sock *many;
	unsigned int restarts, i;

	many = kunit_kcalloc(test, 1000, sizeof(*many), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0; i < 1000; i++) {
		write_pnet(&many[i].inet.sk.sk_net, ctx->net);
		refcount_set(&many[i].inet.sk.sk_refcnt, 1);
		many[i].inet.inet_num = 92;
		many[i].inet.inet_rcv_saddr = htonl(0x0b000000 + i);
		KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&many[i].inet.sk), 0);
	}
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&any->inet.sk), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&exact->inet.sk), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&dev->inet.sk), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&other->inet.sk), 0);

	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 92,
							5, &restarts),
			    &dev->inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 92,
							6, &restarts),
			    &exact->inet.sk);
	/* 10.0.0.2's listener is bound to device 7: the wildcard hears 6 */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000002, 92,
							6, &restarts),
			    &any->inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000002, 92,
							7, &restarts),
			    &other->inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0b000123, 92,
							1, &restarts),
			    &many[0x123].inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 93,
							5, &restarts),
			    NULL);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->other_net,
							0x0a000001, 92, 5,
							&restarts),
			    NULL);
	KUNIT_EXPECT_EQ(test, restarts, 0);

	xtcp_table_listen_remove(&dev->inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 92,
							5, &restarts),
			    &exact->inet.sk);
	xtcp_table_listen_remove(&exact->inet.sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 92,
							5, &restarts),
			    &any->inet.sk);
	xtcp_table_listen_remove(&any->inet.sk);
	xtcp_table_listen_remove(&other->inet.sk);
	for (i = 0; i < 1000; i++)
		xtcp_table_listen_remove(&many[i].inet.sk);
	synchronize_rcu();
}

/* A reuseport member in LISTEN, hashed (no kernel group: not needed here). */
static struct xtcp_sock *xtcp_table_test_member(struct kunit *test,
						struct net *net, int dev)
{
	struct xtcp_sock *xs = xtcp_table_test_listener(test, net, 0x0a000001,
							94, dev);

	KUNIT_EXPECT_EQ(test, xtcp_table_listen_add(&xs->inet.sk), 0);
	xs->inet.sk.sk_reuseport = 1;
	xs->inet.sk.sk_state = TCP_LISTEN;
	return xs;
}

/*
 * A closing member's hand-over target: another member of its (address,
 * port, device) that still listens, picked evenly by the hash, never
 * itself, one that stopped listening or one on another device; none
 * when it is the last. The reference taken is given back here.
 */
static void xtcp_table_test_reuseport_peer(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	static const u32 hashes[] = { 0, 0x60000000, 0xb0000000, 0xffffffff };
	struct xtcp_sock *m[4], *other_dev;
	struct sock *seen[ARRAY_SIZE(hashes)], *p;
	unsigned int i, j, distinct = 0;

	for (i = 0; i < ARRAY_SIZE(m); i++)
		m[i] = xtcp_table_test_member(test, ctx->net, 0);
	other_dev = xtcp_table_test_member(test, ctx->net, 3);
	/* m[3] has stopped listening: m[1] and m[2] are the candidates */
	m[3]->inet.sk.sk_state = TCP_CLOSE;

	for (i = 0; i < ARRAY_SIZE(hashes); i++) {
		p = xtcp_table_reuseport_peer(&m[0]->inet.sk, hashes[i]);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, refcount_read(&p->sk_refcnt), 2);
		refcount_dec(&p->sk_refcnt);
		KUNIT_EXPECT_TRUE(test,
				  p == &m[1]->inet.sk || p == &m[2]->inet.sk);
		seen[i] = p;
	}
	/* hashes in different thirds of the range pick different members */
	for (i = 0; i < 3; i++) {
		for (j = 0; j < i && seen[j] != seen[i]; j++)
			;
		distinct += j == i;
	}
	KUNIT_EXPECT_EQ(test, distinct, 2);
	/* the highest hash is the last candidate, as reciprocal_scale() */
	KUNIT_EXPECT_PTR_EQ(test, seen[3], seen[2]);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_reuseport_peer(&other_dev->inet.sk,
							    0), NULL);

	m[1]->inet.sk.sk_state = TCP_CLOSE;
	m[2]->inet.sk.sk_state = TCP_CLOSE;
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_reuseport_peer(&m[0]->inet.sk, 0),
			    NULL);
	for (i = 0; i < ARRAY_SIZE(m); i++)
		xtcp_table_listen_remove(&m[i]->inet.sk);
	xtcp_table_listen_remove(&other_dev->inet.sk);
	synchronize_rcu();
}

static struct xtcp_sock *xtcp_table_test_lmover;
static u16 xtcp_table_test_lmover_port;

/* The visit hook: the listener closes, binds another port and listens. */
static void xtcp_table_test_lmove(struct hlist_nulls_node *n)
{
	struct sock *sk = &xtcp_table_test_lmover->inet.sk;

	if (n != &xtcp_table_test_lmover->listen_node)
		return;
	xtcp_table_visit_hook = NULL;
	xtcp_table_listen_remove(sk);
	xtcp_table_test_lmover->inet.inet_num = xtcp_table_test_lmover_port;
	WARN_ON(xtcp_table_listen_add(sk));
}

/* The listener hash's walks start again as the ehash's do. */
static void xtcp_table_test_listen_restart(struct kunit *test)
{
	struct xtcp_table_test_ctx *ctx = test->priv;
	struct xtcp_sock *target = xtcp_table_test_listener(test, ctx->net,
							     0x0a000001, 94, 0);
	struct xtcp_sock *mover = xtcp_table_test_listener(test, ctx->net,
							    0x0a000001, 0, 0);
	u32 slot = xtcp_table_lslot(ctx->net, htonl(0x0a000001), 94);
	unsigned int restarts;
	u16 port;

	for (port = 95; port; port++)
		if (xtcp_table_lslot(ctx->net, htonl(0x0a000001), port) == slot)
			break;
	KUNIT_ASSERT_NE(test, port, 0);
	mover->inet.inet_num = port;
	for (port = 95; port; port++)
		if (xtcp_table_lslot(ctx->net, htonl(0x0a000001), port) != slot)
			break;
	xtcp_table_test_lmover_port = port;
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&target->inet.sk), 0);
	KUNIT_ASSERT_EQ(test, xtcp_table_listen_add(&mover->inet.sk), 0);

	xtcp_table_test_lmover = mover;
	xtcp_table_visit_hook = xtcp_table_test_lmove;
	KUNIT_EXPECT_PTR_EQ(test, xtcp_table_test_lfind(ctx->net, 0x0a000001, 94,
							0, &restarts),
			    &target->inet.sk);
	xtcp_table_visit_hook = NULL;
	KUNIT_EXPECT_EQ(test, restarts, 1);
	xtcp_table_listen_remove(&target->inet.sk);
	xtcp_table_listen_remove(&mover->inet.sk);
	synchronize_rcu();
}

/*
 * design.md: a request sock of at most 192 bytes (Linux's is 312), in a
 * kernel as shipped. Lockdep adds a lockdep_map to its timer (40 bytes).
 */
static void xtcp_table_test_request_size(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "a debug kernel's timer_list is larger");
	KUNIT_EXPECT_LE(test, sizeof(struct xtcp_request), 192);
}

/*
 * Within a namespace every port has a bind bucket of its own: checking a
 * port walks that port's sockets only, not those of others that share a
 * bucket (4096 hashed buckets cost connect() a fifth of its rate beside
 * 100,000 connections). Two namespaces' same port may share one.
 */
static void xtcp_table_test_bind_bucket_per_port(struct kunit *test)
{
	unsigned long *seen;
	u32 port;

	seen = kunit_kzalloc(test, BITS_TO_LONGS(XTCP_BHASH_SIZE) *
			     sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (port = 0; port <= U16_MAX; port++) {
		size_t i = xtcp_table_bbucket(&init_net, port) - xtcp_bhash;

		KUNIT_ASSERT_LT(test, i, (size_t)XTCP_BHASH_SIZE);
		KUNIT_ASSERT_FALSE_MSG(test, test_and_set_bit(i, seen),
				       "port %u shares bucket %zu", port, i);
	}
}

static struct kunit_case xtcp_table_test_cases[] = {
	KUNIT_CASE(xtcp_table_test_insert_lookup_remove),
	KUNIT_CASE(xtcp_table_test_duplicate),
	KUNIT_CASE(xtcp_table_test_side_by_side),
	KUNIT_CASE(xtcp_table_test_replace),
	KUNIT_CASE(xtcp_table_test_dying_entry_skipped),
	KUNIT_CASE(xtcp_table_test_netns_apart),
	KUNIT_CASE(xtcp_table_test_rekeyed_sock_missed),
	KUNIT_CASE(xtcp_table_test_bound_dev),
	KUNIT_CASE(xtcp_table_test_many),
	KUNIT_CASE(xtcp_table_test_seek),
	KUNIT_CASE(xtcp_table_test_request_size),
	KUNIT_CASE(xtcp_table_test_nulls_restart),
	KUNIT_CASE(xtcp_table_test_swap_interleavings),
	KUNIT_CASE(xtcp_table_test_listen_score),
	KUNIT_CASE(xtcp_table_test_listen_restart),
	KUNIT_CASE(xtcp_table_test_reuseport_peer),
	KUNIT_CASE(xtcp_table_test_bind_bucket_per_port),
	{}
};

static struct kunit_suite xtcp_table_test_suite = {
	.name = "xtcp_table",
	.init = xtcp_table_test_init,
	.test_cases = xtcp_table_test_cases,
};

xtcp_kunit_suite(xtcp_table_test_suite);
