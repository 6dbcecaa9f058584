/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CHECK: what the switch says of the port against what ADD reported
 * (prevResult). Addresses and routes are not compared: a later plugin of
 * the chain may have changed them, and the IPAM plugin checks its own.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "ipam.h"
#include "switch.h"

/* The interface of prevResult that is this attachment's, or NULL. */
static const json_t *prev_interface(const struct cni_conf *conf, const struct cni_env *env)
{
	const json_t *iface;
	size_t i;

	json_array_foreach (json_object_get(conf->prev_result, "interfaces"), i, iface) {
		const char *name = json_string_value(json_object_get(iface, "name"));
		const char *sandbox = json_string_value(json_object_get(iface, "sandbox"));

		if (name != NULL && strcmp(name, env->ifname) == 0 && sandbox != NULL &&
		    strcmp(sandbox, env->netns) == 0)
			return iface;
	}
	return NULL;
}

/* The port against the interface ADD reported; @return 0, or -1 naming what differs. */
static int check_port(const char *name, const json_t *port, const json_t *iface,
		      const struct cni_env *env, struct cni_error *err)
{
	const char *want_mac = json_string_value(json_object_get(iface, "mac"));
	const char *mac = json_string_value(json_object_get(port, "mac"));
	const char *netdev = json_string_value(json_object_get(port, "netdev"));

	if (want_mac != NULL && (mac == NULL || strcasecmp(mac, want_mac) != 0))
		return cni_fail(err, CNI_ERR_CHECK, "the port differs from prevResult",
				"port %s: MAC %s, expected %s (prevResult)", name,
				mac ? mac : "missing", want_mac);
	if (!json_is_true(json_object_get(port, "link_up")))
		return cni_fail(err, CNI_ERR_CHECK, "the port's link is down",
				"port %s: link_up is not true (port stop or set link-down in "
				"the switch?)",
				name);
	if (netdev == NULL || strcmp(netdev, env->ifname) != 0)
		return cni_fail(err, CNI_ERR_CHECK, "the port's netdev differs",
				"port %s: netdev %s, expected %s (CNI_IFNAME)", name,
				netdev ? netdev : "not reported by the switch", env->ifname);
	return 0;
}

int cmd_check(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err)
{
	char name[SWITCH_PORT_NAME_SIZE];
	const json_t *iface;
	json_t *port;
	struct ipam ipam;
	int ret;

	if (conf->prev_result == NULL)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"CHECK needs \"prevResult\": the result of the attachment's ADD");
	iface = prev_interface(conf, env);
	if (iface == NULL)
		return cni_fail(err, CNI_ERR_CHECK, "no such interface in prevResult",
				"prevResult has no interface %s in sandbox %s (CNI_IFNAME, "
				"CNI_NETNS)",
				env->ifname, env->netns);
	switch_port_name(conf->name, env->containerid, env->ifname, name);
	if (switch_find_port(conf, name, &port, err) < 0)
		return -1;
	if (port == NULL)
		return cni_fail(err, CNI_ERR_CHECK, "the port is missing",
				"port %s of attachment %s/%s: the switch has no such port "
				"(removed, or the switch restarted without it)",
				name, env->containerid, env->ifname);
	ret = check_port(name, port, iface, env, err);
	json_decref(port);
	if (ret == 0 && conf->ipam_type != NULL &&
	    (ipam_find(conf, env->path, &ipam, err) < 0 ||
	     ipam_exec(&ipam, "CHECK", conf, NULL, NULL, err) < 0))
		ret = -1;
	return ret;
}
