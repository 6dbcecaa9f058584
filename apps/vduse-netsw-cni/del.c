/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DEL: best effort and idempotent (CNI spec, section 2). The port is found
 * by its name, derived from the attachment, so no state is needed; and the
 * address is released even when the switch cannot be reached, since it
 * cannot be reached later through a port that is gone.
 */
#include "cmd.h"
#include "ipam.h"
#include "switch.h"

int cmd_del(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err)
{
	char name[SWITCH_PORT_NAME_SIZE];
	struct cni_error port_err = {.code = 0};
	struct ipam ipam;

	switch_port_name(conf->name, env->containerid, env->ifname, name);
	/* "port purge" answers ok whether or not the switch had the port. */
	switch_purge_port(conf, name, &port_err);
	if (conf->ipam_type != NULL && (ipam_find(conf, env->path, &ipam, err) < 0 ||
					ipam_exec(&ipam, "DEL", conf, NULL, NULL, err) < 0)) {
		if (port_err.code != 0)
			cni_log(&port_err);
		return -1;
	}
	if (port_err.code != 0) {
		*err = port_err;
		return -1;
	}
	return 0;
}
