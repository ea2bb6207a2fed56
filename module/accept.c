// SPDX-License-Identifier: GPL-2.0
/*
 * A listener's queues: the request socks it has answered with a SYN-ACK
 * and the children that completed their handshake and wait for accept().
 *
 * One spinlock (taken with BHs off, since segments arrive in softirq)
 * covers both lists, the request count and the open flag, so that:
 *  - a promotion takes a request off the request list and puts its child
 *    on the accept queue in one step, and
 *  - once xtcp_accept_close() returns, nothing joins either list: a
 *    closing listener drains them knowing they only shrink.
 *
 * The queue holds a reference on each child; a request on the list is
 * alive because the ehash holds it (see request.c). sk_ack_backlog
 * mirrors the accept queue's length for poll() and sk_acceptq_is_full().
 * Nothing here sends, resets or frees: callers decide what to do with
 * what the queue refuses or gives back.
 */
#include <linux/list.h>
#include <linux/spinlock.h>
#include <net/sock.h>

#include "xtcp.h"

static struct xtcp_accept_queue *xtcp_accept_q(const struct sock *lsk)
{
	return &xtcp_sk(lsk)->lsn.queue;
}

/**
 * xtcp_accept_init() - an empty, closed queue
 * @q: the queue
 */
void xtcp_accept_init(struct xtcp_accept_queue *q)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->children);
	INIT_LIST_HEAD(&q->reqs);
	q->syn_qlen = 0;
	q->open = 0;
}

/**
 * xtcp_accept_open() - let requests and children in
 * @lsk: the listener
 */
void xtcp_accept_open(struct sock *lsk)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);

	spin_lock_bh(&q->lock);
	WRITE_ONCE(q->open, 1);
	spin_unlock_bh(&q->lock);
}

/**
 * xtcp_accept_close() - let nothing in any more
 * @lsk: the listener
 *
 * After this, whoever wants to add a request or a child is refused and
 * the lists only shrink.
 */
void xtcp_accept_close(struct sock *lsk)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);

	spin_lock_bh(&q->lock);
	WRITE_ONCE(q->open, 0);
	spin_unlock_bh(&q->lock);
}

/**
 * xtcp_accept_is_open() - does the queue take new entries? Unlocked.
 * @lsk: the listener
 *
 * Return: false once xtcp_accept_close() has run.
 */
bool xtcp_accept_is_open(const struct sock *lsk)
{
	return READ_ONCE(xtcp_accept_q(lsk)->open);
}

/**
 * xtcp_accept_synq_limit() - how many request socks @lsk may hold
 * @lsk: the listener
 *
 * Return: backlog + 1 (as many as the accept queue), at most the
 * namespace's max_syn_backlog.
 */
unsigned int xtcp_accept_synq_limit(const struct sock *lsk)
{
	return min_t(unsigned int, READ_ONCE(lsk->sk_max_ack_backlog) + 1,
		     XTCP_SYSCTL(sock_net(lsk), max_syn_backlog));
}

/**
 * xtcp_accept_synq_len() - request socks @lsk holds now, unlocked
 * @lsk: the listener
 *
 * Return: the count, possibly stale by the time it is used.
 */
unsigned int xtcp_accept_synq_len(const struct sock *lsk)
{
	return READ_ONCE(xtcp_accept_q(lsk)->syn_qlen);
}

/**
 * xtcp_accept_synq_full() - is the request queue at its limit? Unlocked.
 * @lsk: the listener
 *
 * Return: true if a new request would be refused.
 */
bool xtcp_accept_synq_full(const struct sock *lsk)
{
	return xtcp_accept_synq_len(lsk) >= xtcp_accept_synq_limit(lsk);
}

/**
 * xtcp_accept_req_add() - put a new request on @lsk's list
 * @lsk: the listener
 * @req: the request, not yet on any list
 *
 * Return: 0, -ENOSPC if the request queue is full (the unlocked check the
 * caller made may have raced with another CPU), or -ESHUTDOWN if the
 * queue is closed.
 */
int xtcp_accept_req_add(struct sock *lsk, struct xtcp_request *req)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);
	int err = 0;

	spin_lock_bh(&q->lock);
	if (!q->open)
		err = -ESHUTDOWN;
	else if (q->syn_qlen >= xtcp_accept_synq_limit(lsk))
		err = -ENOSPC;
	if (!err) {
		list_add_tail(&req->lnode, &q->reqs);
		WRITE_ONCE(q->syn_qlen, q->syn_qlen + 1);
	}
	spin_unlock_bh(&q->lock);
	return err;
}

/* Take @req off the request list if it is on it. Lock held. */
static void __xtcp_accept_req_del(struct xtcp_accept_queue *q,
				  struct xtcp_request *req)
{
	if (!list_empty(&req->lnode)) {
		list_del_init(&req->lnode);
		WRITE_ONCE(q->syn_qlen, q->syn_qlen - 1);
	}
}

/**
 * xtcp_accept_req_del() - take @req off its listener's list, if on it
 * @lsk: the listener
 * @req: the request
 */
void xtcp_accept_req_del(struct sock *lsk, struct xtcp_request *req)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);

	spin_lock_bh(&q->lock);
	__xtcp_accept_req_del(q, req);
	spin_unlock_bh(&q->lock);
}

/**
 * xtcp_accept_req_pop() - take the oldest request off the list
 * @lsk: the listener
 *
 * Return: the request with a reference for the caller, or NULL if the
 * list is empty.
 */
struct xtcp_request *xtcp_accept_req_pop(struct sock *lsk)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);
	struct xtcp_request *req;

	spin_lock_bh(&q->lock);
	req = list_first_entry_or_null(&q->reqs, struct xtcp_request, lnode);
	if (req) {
		__xtcp_accept_req_del(q, req);
		/* a request on the list is alive: the ehash still holds it */
		refcount_inc(&req->refcnt);
	}
	spin_unlock_bh(&q->lock);
	return req;
}

/**
 * xtcp_accept_child_add() - queue a new child for accept()
 * @lsk: the listener
 * @child: the child, hashed; the queue takes over the caller's reference
 * @req: the request it was promoted from, taken off the request list in
 *	the same step; NULL for a cookie's child
 *
 * @req leaves the list even when the child is refused: a closing
 * listener's drain must not find a request whose last reference the
 * caller is about to drop.
 *
 * Return: true if queued; false if the queue is closed, and the caller
 * keeps its reference to @child.
 */
bool xtcp_accept_child_add(struct sock *lsk, struct sock *child,
			   struct xtcp_request *req)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);

	spin_lock_bh(&q->lock);
	if (req)
		__xtcp_accept_req_del(q, req);
	if (!q->open) {
		spin_unlock_bh(&q->lock);
		return false;
	}
	list_add_tail(&xtcp_sk(child)->accept_node, &q->children);
	sk_acceptq_added(lsk);
	spin_unlock_bh(&q->lock);
	return true;
}

/**
 * xtcp_accept_child_pop() - take the oldest child off the accept queue
 * @lsk: the listener
 *
 * Return: the child with the queue's reference, now the caller's, or
 * NULL if the queue is empty.
 */
struct sock *xtcp_accept_child_pop(struct sock *lsk)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);
	struct xtcp_sock *cxs;

	spin_lock_bh(&q->lock);
	cxs = list_first_entry_or_null(&q->children, struct xtcp_sock,
				       accept_node);
	if (cxs) {
		list_del_init(&cxs->accept_node);
		sk_acceptq_removed(lsk);
	}
	spin_unlock_bh(&q->lock);
	return cxs ? &cxs->inet.sk : NULL;
}

/**
 * xtcp_accept_has_child() - is a child waiting? Unlocked.
 * @lsk: the listener
 *
 * Return: true if accept() would find one now.
 */
bool xtcp_accept_has_child(const struct sock *lsk)
{
	return !list_empty_careful(&xtcp_accept_q(lsk)->children);
}

/**
 * xtcp_accept_count_drop() - count a segment the listener dropped
 * @lsk: the listener
 * @overflow: dropped because the accept queue was full
 *
 * ListenDrops always, ListenOverflows too on overflow, per namespace and
 * per listener (XTCP_LISTEN_INFO).
 */
void xtcp_accept_count_drop(struct sock *lsk, bool overflow)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);
	struct net *net = sock_net(lsk);

	if (overflow) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		atomic_long_inc(&q->overflows);
	}
	XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
	atomic_long_inc(&q->drops);
}

/**
 * xtcp_accept_info() - the queue's lengths and drops, in one snapshot
 * @lsk: the listener
 * @info: filled in
 */
void xtcp_accept_info(struct sock *lsk, struct xtcp_listen_info *info)
{
	struct xtcp_accept_queue *q = xtcp_accept_q(lsk);

	spin_lock_bh(&q->lock);
	info->backlog = lsk->sk_max_ack_backlog;
	info->accept_qlen = lsk->sk_ack_backlog;
	info->syn_qlen = q->syn_qlen;
	spin_unlock_bh(&q->lock);
	info->overflows = atomic_long_read(&q->overflows);
	info->drops = atomic_long_read(&q->drops);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/accept_test.c"
#endif
