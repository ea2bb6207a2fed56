// SPDX-License-Identifier: GPL-2.0
/*
 * xinject's view of the namespaces under test (xs, and xi or xn now and
 * then): their counters, /proc/net/xtcp, sysctls, and the sockets made
 * in them. A socket keeps its namespace, so it is made there and used
 * from xi.
 */
#include "inject.h"

long xs_stat(const char *name)
{
	return xt_ns_stat(NS_XS, name);
}

/* Linux TCP's counter TcpExt @name in xs (/proc/net/netstat); fatal if none. */
long xs_tcpext(const char *name)
{
	FILE *f = xt_ns_fopen(NS_XS, "/proc/net/netstat", "r");
	char names[4096], vals[4096], *n, *v, *sn, *sv;
	long found = -1;

	if (!f)
		xt_fatal("no /proc/net/netstat in xs");
	while (found < 0 && fgets(names, sizeof(names), f) &&
	       fgets(vals, sizeof(vals), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(vals, " \n", &sv);
		while ((n = strtok_r(NULL, " \n", &sn)) &&
		       (v = strtok_r(NULL, " \n", &sv)))
			if (!strcmp(n, name)) {
				found = atol(v);
				break;
			}
	}
	fclose(f);
	if (found < 0)
		xt_fatal("no TcpExt counter %s in xs", name);
	return found;
}

/*
 * Lines of @ns's /proc/net/xtcp with this local port, remote port (0: any
 * remote, including the listener's 0.0.0.0:0) and state (NULL: any).
 * The remote address is ours, whatever the port.
 */
int xs_proc_count(int ns, uint16_t lport, uint16_t rport,
		  const char *state)
{
	struct xt_proc_want w = {
		.lport = lport,
		.raddr = rport ? inj_addr : 0, .rport = rport,
		.state = state,
	};

	return xt_ns_proc_count(ns, &w, NULL, 0);
}

/* An xtcp listener in @ns on @addr:@port. */
int xs_listen_in(int ns, const char *addr, uint16_t port, int backlog)
{
	int fd = xt_sock_listen(ns, xt_addr(addr), port, backlog, 0);

	xt_log("  listener on %s:%u in %s", addr, port, xt_ns_name(ns));
	return fd;
}

int xs_listen(void)
{
	return xs_listen_in(NS_XS, SRV_ADDR, LPORT, 16);
}

/* A non-blocking connect() in @ns from SRV_ADDR:@lport to us at @rport. */
int xs_connect_in(int ns, uint16_t lport, uint16_t rport)
{
	int err, fd = xt_sock_connect(ns, srv_addr, lport, inj_addr, rport,
				      &err);

	xt_check(err == EINPROGRESS,
		 "connect() %s:%u -> %s:%u in %s: EINPROGRESS (got %s)",
		 SRV_ADDR, lport, INJ_ADDR, rport, xt_ns_name(ns),
		 err ? strerror(err) : "no error");
	return fd;
}

/* Write @val to @ns's /proc/sys/net/xtcp/@name. Returns 0 or an errno. */
int xs_sysctl_set(int ns, const char *name, int val)
{
	int err = xt_ns_sysctl_set(ns, name, val);

	xt_log("  %s: /proc/sys/net/xtcp/%s = %d%s%s", xt_ns_name(ns), name,
	       val, err ? ": " : "", err ? strerror(err) : "");
	return err;
}

/* @ns's /proc/sys/net/xtcp/@name, or -1000 if it cannot be read. */
long xs_sysctl_get(int ns, const char *name)
{
	return xt_ns_sysctl_get(ns, name, -1000);
}

/* Set a sysctl of xs that the scenario depends on; checked. */
void xs_sysctl_must(const char *name, int val)
{
	xt_check(!xs_sysctl_set(NS_XS, name, val) &&
		 xs_sysctl_get(NS_XS, name) == val,
		 "xs: net.xtcp.%s = %d, reads back", name, val);
}

/* getsockopt(XTCP_LISTEN_INFO) on @lfd, printed. Returns 0 or -1. */
int xs_listen_info(int lfd, struct xtcp_listen_info *li)
{
	socklen_t len = sizeof(*li);
	int r;

	memset(li, 0xff, sizeof(*li));
	r = getsockopt(lfd, SOL_XTCP, XTCP_LISTEN_INFO, li, &len);
	xt_check(!r && len == sizeof(*li),
		 "getsockopt(SOL_XTCP, XTCP_LISTEN_INFO): %zu bytes (got %d, len %u, %s)",
		 sizeof(*li), r, len, r ? strerror(errno) : "no error");
	if (r || len != sizeof(*li))
		return -1;
	xt_log("  XTCP_LISTEN_INFO: backlog %u accept_qlen %u syn_qlen %u overflows %llu drops %llu",
	       li->backlog, li->accept_qlen, li->syn_qlen,
	       (unsigned long long)li->overflows,
	       (unsigned long long)li->drops);
	return 0;
}

/* XTCP_LISTEN_INFO's queue lengths and drop counts must be these. */
void xs_check_listen_info(int lfd, const char *what, unsigned int accq,
			  unsigned int synq, unsigned long long ovf,
			  unsigned long long drops)
{
	struct xtcp_listen_info li;

	if (xs_listen_info(lfd, &li))
		return;
	xt_check(li.accept_qlen == accq && li.syn_qlen == synq,
		 "%s: accept_qlen %u, syn_qlen %u (got %u, %u)", what, accq,
		 synq, li.accept_qlen, li.syn_qlen);
	xt_check(li.overflows == ovf && li.drops == drops,
		 "%s: listener's overflows %llu, drops %llu (got %llu, %llu)",
		 what, ovf, drops, (unsigned long long)li.overflows,
		 (unsigned long long)li.drops);
}
