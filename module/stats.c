// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns counters and /proc/net/xtcp_stat.
 *
 * Counters are per-CPU so that the receive path never takes a lock or
 * bounces a cache line to count; a reader sums them. The file prints one
 * "Name value" pair per line, which is easy for both people and awk.
 */
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>

#include "xtcp.h"

static const char * const xtcp_stats_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_INSEGS]	= "InSegs",
	[XTCP_MIB_INERRS]	= "InErrs",
	[XTCP_MIB_INCSUMERRORS]	= "InCsumErrors",
	[XTCP_MIB_INSHORT]	= "InShortSegs",
	[XTCP_MIB_INBADDOFF]	= "InBadDataOffset",
	[XTCP_MIB_INBADOPTS]	= "InBadOptions",
	[XTCP_MIB_INNOTHOST]	= "InNotForHost",
	[XTCP_MIB_INNOSOCKET]	= "InNoSocket",
	[XTCP_MIB_LOOKUPRESTARTS] = "LookupRestarts",
	[XTCP_MIB_OUTSEGS]	= "OutSegs",
	[XTCP_MIB_OUTRSTS]	= "OutRsts",
	[XTCP_MIB_ACTIVEOPENS]	= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]	= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]	= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]	= "EstabResets",
	[XTCP_MIB_CURRESTAB]	= "CurrEstab",
	[XTCP_MIB_LISTENOVERFLOWS] = "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]	= "ListenDrops",
	[XTCP_MIB_SYNQUEUEFULL]	= "SynQueueFull",
	[XTCP_MIB_REQTIMEOUTS]	= "RequestTimeouts",
	[XTCP_MIB_EMBRYONICRSTS] = "EmbryonicRsts",
	[XTCP_MIB_SYNRETRANS]	= "SynRetrans",
	[XTCP_MIB_SYNACKRESENDS] = "SynAckResends",
	[XTCP_MIB_CONNECTTIMEOUTS] = "ConnectTimeouts",
	[XTCP_MIB_CONNECTREFUSED] = "ConnectRefused",
	[XTCP_MIB_PORTSEXHAUSTED] = "PortsExhausted",
	[XTCP_MIB_CHALLENGEACKS] = "ChallengeAcks",
	[XTCP_MIB_CHALLENGELIMITED] = "ChallengeAcksLimited",
	[XTCP_MIB_OUTOFWINDOW]	= "OutOfWindow",
	[XTCP_MIB_BADACKS]	= "BadAcks",
	[XTCP_MIB_INNOTIMESTAMP] = "InNoTimestamp",
	[XTCP_MIB_LISTENIGNORED] = "ListenIgnored",
	[XTCP_MIB_SYNCOOKIESSENT] = "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV] = "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED] = "SyncookiesFailed",
	[XTCP_MIB_SYNCOOKIESREPLACED] = "SyncookiesReplaced",
	[XTCP_MIB_CURRREQUESTS]	= "CurrRequests",
	[XTCP_MIB_RETRANSSEGS]	= "RetransSegs",
	[XTCP_MIB_RENORECOVERY]	= "RenoRecovery",
	[XTCP_MIB_SACKRECOVERY]	= "SackRecovery",
	[XTCP_MIB_RTOS]		= "RTOs",
	[XTCP_MIB_DATATIMEOUTS]	= "DataTimeouts",
	[XTCP_MIB_SACKDISCARD]	= "SackDiscard",
	[XTCP_MIB_OFOQUEUE]	= "OfoQueue",
	[XTCP_MIB_OFOPRUNED]	= "OfoPruned",
	[XTCP_MIB_PRUNECALLED]	= "PruneCalled",
	[XTCP_MIB_RCVQDROP]	= "RcvQDrop",
	[XTCP_MIB_DUPDATA]	= "DupData",
	[XTCP_MIB_BEYONDWINDOW]	= "BeyondWindow",
	[XTCP_MIB_PAWSDROPS]	= "PAWSDrops",
	[XTCP_MIB_ZEROWINDOWPROBES] = "ZeroWindowProbes",
	[XTCP_MIB_DELAYEDACKS]	= "DelayedAcks",
	[XTCP_MIB_MEMORYPRESSURES] = "MemoryPressures",
	[XTCP_MIB_BACKLOGDROP]	= "BacklogDrop",
	[XTCP_MIB_BACKLOGQUEUED] = "BacklogQueued",
	[XTCP_MIB_BACKLOGCOALESCE] = "BacklogCoalesce",
	[XTCP_MIB_BACKLOGACKS]	= "BacklogAcks",
	[XTCP_MIB_RCVCOALESCE]	= "RcvCoalesce",
	[XTCP_MIB_FILTERDROPS]	= "FilterDrops",
	[XTCP_MIB_SYNFLOODLOGSUPPRESSED] = "SynFloodLogSuppressed",
	[XTCP_MIB_MIGRATEREQSUCCESS]	= "MigrateReqSuccess",
	[XTCP_MIB_MIGRATEREQFAILURE]	= "MigrateReqFailure",
	[XTCP_MIB_CURRORPHANS]		= "CurrOrphans",
	[XTCP_MIB_CURRTIMEWAIT]		= "CurrTimeWait",
	[XTCP_MIB_TIMEWAITS]		= "TimeWaits",
	[XTCP_MIB_TIMEWAITREUSED]	= "TimeWaitReused",
	[XTCP_MIB_TIMEWAITRECYCLED]	= "TimeWaitRecycled",
	[XTCP_MIB_TIMEWAITOVERFLOW]	= "TimeWaitOverflow",
	[XTCP_MIB_TIMEWAITRSTIGNORED]	= "TimeWaitRstIgnored",
	[XTCP_MIB_FINWAIT2TIMEOUTS]	= "FinWait2Timeouts",
	[XTCP_MIB_KEEPALIVEPROBES]	= "KeepAliveProbes",
	[XTCP_MIB_ABORTONDATA]		= "AbortOnData",
	[XTCP_MIB_ABORTONCLOSE]		= "AbortOnClose",
	[XTCP_MIB_ABORTONMEMORY]	= "AbortOnMemory",
	[XTCP_MIB_ABORTONTIMEOUT]	= "AbortOnTimeout",
	[XTCP_MIB_ABORTONLINGER]	= "AbortOnLinger",
	[XTCP_MIB_INICMPS]		= "InIcmps",
	[XTCP_MIB_INICMPERRS]		= "InIcmpErrs",
	[XTCP_MIB_ICMPNOSOCKET]		= "IcmpNoSocket",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_CONNECTUNREACH]	= "ConnectUnreachable",
	[XTCP_MIB_REQICMPDROPS]		= "RequestIcmpDrops",
	[XTCP_MIB_ICMPSOFTERRORS]	= "IcmpSoftErrors",
	[XTCP_MIB_ICMPDEFERRED]		= "IcmpDeferred",
	[XTCP_MIB_FASTOPENPASSIVE] = "FastOpenPassive",
	[XTCP_MIB_FASTOPENPASSIVEFAIL] = "FastOpenPassiveFail",
	[XTCP_MIB_FASTOPENPASSIVEALTKEY] = "FastOpenPassiveAltKey",
	[XTCP_MIB_FASTOPENLISTENOVERFLOW] = "FastOpenListenOverflow",
	[XTCP_MIB_FASTOPENCOOKIEREQD] = "FastOpenCookieReqd",
	[XTCP_MIB_FASTOPENACTIVE] = "FastOpenActive",
	[XTCP_MIB_FASTOPENACTIVEFAIL] = "FastOpenActiveFail",
	[XTCP_MIB_FASTOPENBLACKHOLE] = "FastOpenBlackhole",
	[XTCP_MIB_PMTUREDUCED]		= "PmtuReduced",
	[XTCP_MIB_DSACKOLDSENT]		= "DSACKOldSent",
	[XTCP_MIB_DSACKOFOSENT]		= "DSACKOfoSent",
	[XTCP_MIB_DSACKRECV]		= "DSACKRecv",
	[XTCP_MIB_DSACKUNDO]		= "DSACKUndo",
	[XTCP_MIB_FULLUNDO]		= "FullUndo",
	[XTCP_MIB_LOSSUNDO]		= "LossUndo",
	[XTCP_MIB_ECNNEGOTIATED]	= "EcnNegotiated",
	[XTCP_MIB_ECNCERECEIVED]	= "EcnCeReceived",
	[XTCP_MIB_ECNECERECEIVED]	= "EcnEceReceived",
	[XTCP_MIB_ECNCWNDREDUCED]	= "EcnCwndReduced",
	[XTCP_MIB_ECNCWRSENT]		= "EcnCwrSent",
	[XTCP_MIB_ECNCWRRECEIVED]	= "EcnCwrReceived",
	[XTCP_MIB_ICMPRTOREVERTS]	= "IcmpRtoReverts",
	[XTCP_MIB_RCVBUFGROWN]		= "RcvBufGrown",
	[XTCP_MIB_HYSTARTDELAYDETECT]	= "HystartDelayDetect",
	[XTCP_MIB_HYSTARTDELAYCWND]	= "HystartDelayCwnd",
	[XTCP_MIB_SACKRENEGING]		= "SackReneging",
};

static unsigned long xtcp_stats_sum(struct xtcp_mib __percpu *mib,
				    enum xtcp_mib_field field)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(mib, cpu)->mibs[field];
	return sum;
}

/**
 * xtcp_stats_read() - the current value of one counter of @net
 * @net: namespace
 * @field: the counter
 *
 * Return: the sum over all CPUs.
 */
unsigned long xtcp_stats_read(struct net *net, enum xtcp_mib_field field)
{
	return xtcp_stats_sum(xtcp_net(net)->mib, field);
}

static int xtcp_stats_seq_show(struct seq_file *seq, void *v)
{
	struct xtcp_net *xn = xtcp_net(seq_file_single_net(seq));
	int i;

	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(seq, "%s %lu\n", xtcp_stats_names[i],
			   xtcp_stats_sum(xn->mib, i));
	return 0;
}

/**
 * xtcp_stats_net_init() - set up a namespace's counters and stat file
 * @net: the namespace being created (or present at module load)
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_stats_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);

	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_stats_seq_show, NULL)) {
		free_percpu(xn->mib);
		xn->mib = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_stats_net_exit() - undo xtcp_stats_net_init()
 * @net: the namespace going away
 */
void xtcp_stats_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);

	remove_proc_entry("xtcp_stat", net->proc_net);
	free_percpu(xn->mib);
	xn->mib = NULL;
}
