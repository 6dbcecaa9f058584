/* SPDX-License-Identifier: BSD-3-Clause */
/* The registry of forwarding engines. */
#include <string.h>

#include <rte_common.h>

#include "fwd.h"

static const struct fwd_engine *const engines[] = {
	&fwd_bridge, &fwd_io, &fwd_mac, &fwd_macswap, &fwd_rxonly, &fwd_txonly, &fwd_flowgen,
};

const struct fwd_engine *fwd_engine_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(engines); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

const char *fwd_engine_names(void)
{
	return "bridge|io|mac|macswap|rxonly|txonly|flowgen";
}
