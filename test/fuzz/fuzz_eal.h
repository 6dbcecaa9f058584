/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FUZZ_EAL_H
#define FUZZ_EAL_H

/* DPDK for a fuzz target: an EAL without hugepages or devices, and mbufs. */

#include <stdlib.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

/** Start the EAL on one lcore and create a pool of 1023 mbufs; abort() on failure. */
static inline struct rte_mempool *fuzz_eal_init(void)
{
	char *eal[] = {"fuzz", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		       "-m",   "128",	    "-l",	"0",	       "--log-level=1"};
	struct rte_mempool *mp;

	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		abort();
	mp = rte_pktmbuf_pool_create("fuzz", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL)
		abort();
	return mp;
}

#endif /* FUZZ_EAL_H */
