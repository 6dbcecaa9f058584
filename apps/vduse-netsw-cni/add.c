/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADD: the address first (IPAM), because the switch configures it in the
 * container's netdev as it creates the port; the address is released again
 * when the switch refuses the port, so a failed ADD leaves nothing behind.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ipam.h"
#include "result.h"
#include "switch.h"

/* Append @ips of the IPAM result to @res, on interface @index; also routes, dns. */
static int merge_ipam(json_t *res, const json_t *ipam, size_t index)
{
	const char *keys[] = {"ips", "routes"};
	json_t *ip, *dns = json_object_get(ipam, "dns");
	size_t i;

	for (size_t k = 0; k < 2; k++) {
		json_t *to = json_object_get(res, keys[k]), *from = json_object_get(ipam, keys[k]);

		if (!json_is_array(to)) {
			to = json_array();
			if (json_object_set_new(res, keys[k], to) < 0)
				return -1;
		}
		if (json_is_array(from) && json_array_extend(to, from) < 0)
			return -1;
	}
	json_array_foreach (json_object_get(res, "ips"), i, ip) {
		if (json_object_get(ip, "interface") == NULL &&
		    json_object_set_new(ip, "interface", json_integer((json_int_t)index)) < 0)
			return -1;
	}
	if (json_is_object(dns) && json_object_size(dns) > 0 &&
	    json_object_set(res, "dns", dns) < 0)
		return -1;
	return 0;
}

/*
 * The result: prevResult (when a plugin ran before this one) with the
 * container's interface and the IPAM result added, in conf->version.
 */
static json_t *make_result(const struct cni_env *env, const struct cni_conf *conf,
			   const json_t *port, const json_t *ipam)
{
	json_t *res = conf->prev_result ? json_deep_copy(conf->prev_result) : json_object();
	json_t *ifaces, *iface, *out = NULL;
	size_t index;

	if (res == NULL)
		return NULL;
	ifaces = json_object_get(res, "interfaces");
	if (!json_is_array(ifaces)) {
		ifaces = json_array();
		json_object_set_new(res, "interfaces", ifaces);
	}
	index = json_array_size(ifaces);
	iface = json_pack("{s:s, s:O, s:s}", "name", env->ifname, "mac",
			  json_object_get(port, "mac"), "sandbox", env->netns);
	/* mtu: a 1.1.0 key; result_convert() drops it for older versions. */
	if (iface != NULL && json_is_integer(json_object_get(port, "mtu")))
		json_object_set(iface, "mtu", json_object_get(port, "mtu"));
	if (iface != NULL && json_array_append_new(ifaces, iface) == 0 &&
	    (ipam == NULL || merge_ipam(res, ipam, index) == 0))
		out = result_convert(res, conf->version);
	json_decref(res);
	return out;
}

/* Release the address IPAM gave, after a failure; its own error only logged. */
static void undo_ipam(const struct ipam *ipam, const struct cni_conf *conf)
{
	struct cni_error undo = {.code = 0};

	if (ipam != NULL && ipam_exec(ipam, "DEL", conf, NULL, NULL, &undo) < 0)
		cni_log(&undo);
}

/* Remove the port after a failure past its creation; its own error only logged. */
static void undo_port(const struct cni_conf *conf, const char *name)
{
	struct cni_error undo = {.code = 0};

	if (switch_purge_port(conf, name, &undo) < 0)
		cni_log(&undo);
}

int cmd_add(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err)
{
	char name[SWITCH_PORT_NAME_SIZE];
	struct ipam ipam, *use_ipam = NULL;
	json_t *port = NULL, *ipres = NULL, *res = NULL;
	int ret = -1;

	if (conf_runtime_mac(conf, env->args, err) < 0)
		return -1;
	switch_port_name(conf->name, env->containerid, env->ifname, name);
	/* The IPAM plugin is found first: a mistake in "ipam" is no matter of the switch. */
	if (conf->ipam_type != NULL) {
		if (ipam_find(conf, env->path, &ipam, err) < 0)
			return -1;
		use_ipam = &ipam;
	}
	/*
	 * A second ADD of an attachment is refused before IPAM: undoing a
	 * refused port releases the address, which the first port holds.
	 */
	if (switch_find_port(conf, name, &port, err) < 0)
		return -1;
	if (port != NULL) {
		json_decref(port);
		return cni_fail(err, CNI_ERR_IFACE_EXISTS, "the interface exists already",
				"port %s of attachment %s/%s in network %s exists in the switch "
				"(an ADD without DEL before it?)",
				name, env->containerid, env->ifname, conf->name);
	}
	if (use_ipam != NULL && ipam_exec(use_ipam, "ADD", conf, NULL, &ipres, err) < 0)
		return -1;
	if (switch_add_port(conf, env, name, ipres, err) < 0) {
		undo_ipam(use_ipam, conf);
		goto out;
	}
	if (switch_find_port(conf, name, &port, err) < 0 || port == NULL ||
	    !json_is_string(json_object_get(port, "mac"))) {
		cni_fail(err, CNI_ERR_SWITCH_ANSWER, "unexpected answer from the switch",
			 "port %s: added, but show port info has no such port or no \"mac\"", name);
		undo_port(conf, name);
		undo_ipam(use_ipam, conf);
		goto out;
	}
	res = make_result(env, conf, port, ipres);
	if (res == NULL || result_print(res) < 0) {
		cni_fail(err, CNI_ERR_IO, "cannot write the result",
			 "port %s: added, but the result could not be made or written", name);
		undo_port(conf, name);
		undo_ipam(use_ipam, conf);
		goto out;
	}
	ret = 0;
out:
	json_decref(res);
	json_decref(port);
	json_decref(ipres);
	return ret;
}
