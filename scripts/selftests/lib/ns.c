// SPDX-License-Identifier: GPL-2.0
/*
 * Named network namespaces, by a small index the program chooses: 0 is
 * the caller's own, and every helper here returns to it before it
 * returns. A file under /proc/net or /proc/sys/net belongs to the
 * namespace it was opened in, so opening is all that happens elsewhere;
 * reading it can follow at home.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "xt.h"

static struct {
	const char *name;
	int fd;
} xt_ns_tab[XT_NS_MAX] = {
	{ NULL, -1 }, { NULL, -1 }, { NULL, -1 }, { NULL, -1 },
};

/* Remember the caller's own namespace as index 0, called @self in logs. */
void xt_ns_init(const char *self)
{
	xt_ns_tab[0].name = self;
	xt_ns_tab[0].fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (xt_ns_tab[0].fd < 0)
		xt_fatal("open /proc/self/ns/net");
}

/* Open `ip netns` namespace @name as index @ns. Returns 0, or -1 if absent. */
int xt_ns_open(int ns, const char *name)
{
	static const char * const dirs[] = { "/run/netns", "/var/run/netns" };
	char path[64];
	unsigned int i;

	if (ns <= 0 || ns >= XT_NS_MAX)
		xt_fatal("%s: namespace index %d", __func__, ns);
	xt_ns_tab[ns].name = name;
	for (i = 0; i < ARRAY_SIZE(dirs) && xt_ns_tab[ns].fd < 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		xt_ns_tab[ns].fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return xt_ns_tab[ns].fd < 0 ? -1 : 0;
}

int xt_ns_exists(int ns)
{
	return ns >= 0 && ns < XT_NS_MAX && xt_ns_tab[ns].fd >= 0;
}

const char *xt_ns_name(int ns)
{
	return xt_ns_exists(ns) ? xt_ns_tab[ns].name : "?";
}

void xt_ns_enter(int ns)
{
	if (!xt_ns_exists(ns) || setns(xt_ns_tab[ns].fd, CLONE_NEWNET))
		xt_fatal("setns(%s)", xt_ns_name(ns));
}

void xt_ns_leave(void)
{
	xt_ns_enter(0);
}

/* fopen() @path as seen from @ns. */
FILE *xt_ns_fopen(int ns, const char *path, const char *mode)
{
	FILE *f;

	xt_ns_enter(ns);
	f = fopen(path, mode);
	xt_ns_leave();
	return f;
}

/*
 * @n counters of @ns's /proc/net/xtcp_stat, by name, in one read (so
 * they are one moment's). A counter not there reads -1. Returns 0, or -1
 * if the file cannot be opened.
 */
int xt_ns_stats(int ns, const char *const *names, long *v, int n)
{
	FILE *f = xt_ns_fopen(ns, "/proc/net/xtcp_stat", "r");
	char key[64];
	long val;
	int i;

	for (i = 0; i < n; i++)
		v[i] = -1;
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		for (i = 0; i < n; i++)
			if (!strcmp(key, names[i]))
				v[i] = val;
	fclose(f);
	return 0;
}

/* One counter of @ns; a missing one is fatal (a typo, or no xtcp). */
long xt_ns_stat(int ns, const char *name)
{
	long v;

	xt_ns_stats(ns, &name, &v, 1);
	if (v < 0)
		xt_fatal("no counter %s in %s's /proc/net/xtcp_stat", name,
			 xt_ns_name(ns));
	return v;
}

/* @ns's /proc/sys/net/xtcp/@name, or @dflt if it cannot be read. */
long xt_ns_sysctl_get(int ns, const char *name, long dflt)
{
	char path[320];
	long v;

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	xt_ns_enter(ns);
	v = xt_read_long(path, dflt);
	xt_ns_leave();
	return v;
}

/* Write @val to @ns's /proc/sys/net/xtcp/@name. Returns 0 or an errno. */
int xt_ns_sysctl_set(int ns, const char *name, int val)
{
	char path[320], buf[32];
	int fd, err = 0, len;

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	len = snprintf(buf, sizeof(buf), "%d\n", val);
	xt_ns_enter(ns);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != len)
		err = errno;
	if (fd >= 0)
		close(fd);
	xt_ns_leave();
	return err;
}

/* @ns's interface @ifname: its index, and its MAC into @mac unless NULL. */
int xt_ns_ifindex(int ns, const char *ifname, uint8_t *mac)
{
	struct ifreq ifr = { 0 };
	int fd, idx;

	xt_ns_enter(ns);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || (mac && ioctl(fd, SIOCGIFHWADDR, &ifr)))
		xt_fatal("%s: no interface %s", xt_ns_name(ns), ifname);
	if (mac)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	idx = if_nametoindex(ifname);
	close(fd);
	xt_ns_leave();
	if (!idx)
		xt_fatal("%s: no interface %s", xt_ns_name(ns), ifname);
	return idx;
}

/* "a.b.c.d:port" as /proc/net/xtcp prints it. */
static int xt_ns_proc_addr(const char *s, uint32_t *addr, uint16_t *port)
{
	char a[32];
	unsigned int p;

	if (sscanf(s, "%31[0-9.]:%u", a, &p) != 2 || p > 65535)
		return -1;
	*addr = xt_addr(a);
	*port = p;
	return 0;
}

static int xt_ns_proc_match(const struct xt_proc_want *w, const char *local,
			    const char *remote, const char *st)
{
	uint32_t la, ra;
	uint16_t lp, rp;

	if (xt_ns_proc_addr(local, &la, &lp) ||
	    xt_ns_proc_addr(remote, &ra, &rp))
		return 0;
	return (!w->laddr || w->laddr == la) && (!w->lport || w->lport == lp) &&
	       (!w->raddr || w->raddr == ra) && (!w->rport || w->rport == rp) &&
	       (!w->state || !strcmp(w->state, st));
}

/*
 * Lines of @ns's /proc/net/xtcp that match @w (NULL: every line). The
 * state of the last one goes to @state ("NONE" if none) unless NULL.
 */
int xt_ns_proc_count(int ns, const struct xt_proc_want *w, char *state,
		     size_t len)
{
	static const struct xt_proc_want any;
	char line[256], local[64], remote[64], st[32];
	FILE *f = xt_ns_fopen(ns, "/proc/net/xtcp", "r");
	int n = 0, sl;

	if (!f)
		xt_fatal("open %s's /proc/net/xtcp", xt_ns_name(ns));
	if (state)
		snprintf(state, len, "NONE");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %63s %63s %31s", &sl, local, remote, st) != 4)
			continue;
		if (!xt_ns_proc_match(w ? w : &any, local, remote, st))
			continue;
		if (state)
			snprintf(state, len, "%s", st);
		n++;
	}
	fclose(f);
	return n;
}

/* Print @ns's /proc/net/xtcp; returns its lines, the header excluded. */
int xt_ns_proc_dump(int ns)
{
	FILE *f = xt_ns_fopen(ns, "/proc/net/xtcp", "r");
	char line[256];
	int n = -1;

	if (!f)
		return -1;
	printf("  %s /proc/net/xtcp:\n", xt_ns_name(ns));
	while (fgets(line, sizeof(line), f)) {
		printf("    %s", line);
		n++;
	}
	fclose(f);
	return n;
}
