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
	{}
};

static struct kunit_suite xtcp_table_test_suite = {
	.name = "xtcp_table",
	.init = xtcp_table_test_init,
	.test_cases = xtcp_table_test_cases,
};

xtcp_kunit_suite(xtcp_table_test_suite);
