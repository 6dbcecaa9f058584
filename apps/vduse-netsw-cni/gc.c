/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GC: the switch's ports are the record of the attachments (their owner
 * tags), so stale ones are found there: this network's ports whose
 * (containerID, ifname) the runtime no longer lists. Each is removed and its
 * address released, as DEL would; errors do not stop the rest.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ipam.h"
#include "switch.h"

/* Is (@cid, @ifname) in cni.dev/valid-attachments? */
static bool valid(const json_t *list, const char *cid, size_t cid_len, const char *ifname)
{
	const json_t *a;
	size_t i;

	json_array_foreach (list, i, a) {
		const char *c = json_string_value(json_object_get(a, "containerID"));
		const char *n = json_string_value(json_object_get(a, "ifname"));

		if (strlen(c) == cid_len && strncmp(c, cid, cid_len) == 0 && strcmp(n, ifname) == 0)
			return true;
	}
	return false;
}

/* Note an error: the first is reported, the others logged. */
static void note(struct cni_error *err, const struct cni_error *sub)
{
	if (err->code == 0)
		*err = *sub;
	else
		cni_log(sub);
}

/* Remove one stale port and release its address. */
static void collect(const struct cni_conf *conf, const struct ipam *ipam, const char *name,
		    const char *cid, size_t cid_len, const char *ifname, struct cni_error *err)
{
	char containerid[256];
	struct ipam_attachment att = {.containerid = containerid, .ifname = ifname};
	struct cni_error sub = {.code = 0};

	snprintf(containerid, sizeof(containerid), "%.*s", (int)cid_len, cid);
	fprintf(stderr, "vduse-netsw-cni: GC: port %s of %s/%s is stale: removing it\n", name,
		containerid, ifname);
	if (switch_purge_port(conf, name, &sub) < 0)
		note(err, &sub);
	sub.code = 0;
	if (ipam != NULL && ipam_exec(ipam, "DEL", conf, &att, NULL, &sub) < 0)
		note(err, &sub);
}

int cmd_gc(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err)
{
	char prefix[320];
	struct cni_error sub = {.code = 0};
	struct ipam ipam, *use_ipam = NULL;
	json_t *ports = NULL, *port;
	size_t i, len;

	if (conf->valid_attachments == NULL)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"GC needs \"cni.dev/valid-attachments\": the attachments to keep "
				"([] for none)");
	len = (size_t)snprintf(prefix, sizeof(prefix), SWITCH_OWNER_PREFIX "%s:", conf->name);
	if (conf->ipam_type != NULL) {
		if (ipam_find(conf, env->path, &ipam, &sub) == 0)
			use_ipam = &ipam;
		else
			note(err, &sub);
	}
	sub.code = 0;
	if (switch_list_ports(conf, &ports, &sub) < 0)
		note(err, &sub);
	json_array_foreach (ports, i, port) {
		const char *owner = json_string_value(json_object_get(port, "owner"));
		const char *name = json_string_value(json_object_get(port, "name"));
		const char *cid, *ifname;

		/* Ethdev ports and other networks' have another owner, or none. */
		if (owner == NULL || name == NULL || strncmp(owner, prefix, len) != 0)
			continue;
		cid = owner + len;
		ifname = strchr(cid, ':');
		if (ifname == NULL ||
		    valid(conf->valid_attachments, cid, (size_t)(ifname - cid), ifname + 1))
			continue;
		collect(conf, use_ipam, name, cid, (size_t)(ifname - cid), ifname + 1, err);
	}
	json_decref(ports);
	sub.code = 0;
	if (use_ipam != NULL && use_ipam->has_gc_status &&
	    ipam_exec(use_ipam, "GC", conf, NULL, NULL, &sub) < 0)
		note(err, &sub);
	return err->code == 0 ? 0 : -1;
}
