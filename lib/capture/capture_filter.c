/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The filter: libpcap compiles the expression to classic BPF for Ethernet
 * frames (no device: a "dead" handle), DPDK converts that to eBPF whose
 * argument is an mbuf (so packet loads read across segments), loads it, and
 * JIT-compiles it where it can (x86-64, arm64). dpdk-dumpcap runs filters
 * the same way. Control thread only; the workers call filter->jit or
 * rte_bpf_exec_burst() on the result.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "capture_priv.h"

/* A failed DPDK call's error, never 0. */
static int rte_errno_or_inval(void)
{
	return rte_errno > 0 ? -rte_errno : -EINVAL;
}

/* Classic BPF from libpcap, or -EINVAL with libpcap's message. */
static int compile_cbpf(struct bpf_program *prog, const char *expr, uint32_t snaplen, char *errmsg,
			size_t errmsg_size)
{
	pcap_t *pcap = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	int ret = 0;

	if (pcap == NULL) {
		snprintf(errmsg, errmsg_size, "libpcap: out of memory");
		return -ENOMEM;
	}
	if (pcap_compile(pcap, prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errmsg, errmsg_size, "%s", pcap_geterr(pcap));
		ret = -EINVAL;
	}
	pcap_close(pcap);
	return ret;
}

int capture_filter_compile(struct capture_filter *filter, const char *expr, uint32_t snaplen,
			   bool no_jit, char *errmsg, size_t errmsg_size)
{
	struct bpf_program prog;
	struct rte_bpf_prm *prm;
	struct rte_bpf_jit jit = {0};
	int ret;

	*filter = (struct capture_filter){0};
	if (expr == NULL || expr[0] == '\0')
		return 0;

	ret = compile_cbpf(&prog, expr, snaplen, errmsg, errmsg_size);
	if (ret < 0)
		return ret;
	prm = rte_bpf_convert(&prog);
	pcap_freecode(&prog);
	if (prm == NULL) {
		ret = rte_errno_or_inval();
		snprintf(errmsg, errmsg_size, "DPDK cannot convert the filter to eBPF: %s",
			 rte_strerror(-ret));
		return ret;
	}
	/* rte_bpf_load() keeps its own copy of the instructions. */
	filter->bpf = rte_bpf_load(prm);
	ret = filter->bpf == NULL ? rte_errno_or_inval() : 0;
	rte_free(prm);
	if (ret < 0) {
		snprintf(errmsg, errmsg_size, "DPDK's BPF verifier refused the filter: %s",
			 rte_strerror(-ret));
		return ret;
	}
	if (!no_jit && rte_bpf_get_jit(filter->bpf, &jit) == 0)
		filter->jit = jit.func;
	return 0;
}

void capture_filter_free(struct capture_filter *filter)
{
	if (filter->bpf != NULL)
		rte_bpf_destroy(filter->bpf);
	*filter = (struct capture_filter){0};
}
