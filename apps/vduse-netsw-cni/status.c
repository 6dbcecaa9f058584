/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STATUS: can an ADD be served now? It needs the switch and, with "ipam",
 * the IPAM plugin; either missing is code 50 with the reason.
 */
#include <stdio.h>

#include "cmd.h"
#include "ipam.h"
#include "switch.h"

/* @sub's reason, as code 50. */
static int not_available(const struct cni_error *sub, struct cni_error *err)
{
	return cni_fail(err, CNI_ERR_NOT_AVAILABLE, "the plugin is not available", "%s: %s",
			sub->msg, sub->details);
}

int cmd_status(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err)
{
	struct cni_error sub = {.code = 0};
	struct ipam ipam;

	if (switch_ask(conf, NULL, &sub, "show port summary all") < 0)
		return not_available(&sub, err);
	if (conf->ipam_type == NULL)
		return 0;
	if (ipam_find(conf, env->path, &ipam, &sub) < 0)
		return not_available(&sub, err);
	/* Only a 1.1.0 plugin knows STATUS; an older one is ready when it answers VERSION. */
	if (ipam.has_gc_status && ipam_exec(&ipam, "STATUS", conf, NULL, NULL, err) < 0)
		return -1;
	return 0;
}
