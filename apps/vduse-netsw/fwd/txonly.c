/* SPDX-License-Identifier: BSD-3-Clause */
/* txonly: UDP frames of one flow sent to the peer port, as fast as it takes them. */
#include "gen.h"

static uint32_t one_flow(uint64_t seq)
{
	(void)seq;
	return FWD_GEN_DST_NET;
}

static uint16_t txonly_generate(struct vns_worker *w, struct vns_port *in, uint16_t queue)
{
	(void)queue;
	return fwd_gen_burst(w, in, one_flow);
}

const struct fwd_engine fwd_txonly = {
	.name = "txonly",
	.help = "send UDP frames of one flow to the peer port (set txpkts)",
	.generate = txonly_generate,
};
