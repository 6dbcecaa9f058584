/* SPDX-License-Identifier: BSD-3-Clause */
/* flowgen: UDP frames over FWD_GEN_FLOWS flows (destination addresses) to the peer port. */
#include "gen.h"

static uint32_t many_flows(uint64_t seq)
{
	return FWD_GEN_DST_NET + (uint32_t)(seq % FWD_GEN_FLOWS);
}

static uint16_t flowgen_generate(struct vns_worker *w, struct vns_port *in, uint16_t queue)
{
	(void)queue;
	return fwd_gen_burst(w, in, many_flows);
}

const struct fwd_engine fwd_flowgen = {
	.name = "flowgen",
	.help = "send UDP frames over 1024 flows to the peer port (set txpkts)",
	.generate = flowgen_generate,
};
