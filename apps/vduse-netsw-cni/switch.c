/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's side of an attachment: a VDUSE port named after the
 * attachment, tagged with its owner, configured in one "port add" line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/control_proto.h"
#include "client.h"
#include "switch.h"

/* A command line under construction; too long once it cannot hold a word more. */
struct line {
	char text[VNS_CONTROL_MAX_LINE + 1];
	size_t len;
	bool too_long;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->too_long)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	/* Room for the newline: the switch counts it in VNS_CONTROL_MAX_LINE. */
	if (n < 0 || (size_t)n >= sizeof(l->text) - l->len - 1)
		l->too_long = true;
	else
		l->len += (size_t)n;
}

/* FNV-1a 64 over @len bytes of @data, continuing from @h. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL; /* FNV 64 prime */
	}
	return h;
}

void switch_port_name(const char *network, const char *containerid, const char *ifname,
		      char name[SWITCH_PORT_NAME_SIZE])
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV 64 offset basis */

	/* The 0 bytes between the parts: ("ab", "c") and ("a", "bc") differ. */
	h = fnv1a(h, network, strlen(network) + 1);
	h = fnv1a(h, containerid, strlen(containerid) + 1);
	h = fnv1a(h, ifname, strlen(ifname));
	snprintf(name, SWITCH_PORT_NAME_SIZE, "cni-%016llx", (unsigned long long)h);
}

/* The switch's "error" and its "messages", as one sentence in @err. */
static int refused(const json_t *doc, const char *command, struct cni_error *err)
{
	const char *why = json_string_value(json_object_get(doc, "error"));
	const json_t *msgs = json_object_get(doc, "messages"), *m;
	char more[1024] = "";
	size_t i, len = 0;

	json_array_foreach (msgs, i, m) {
		if (json_is_string(m) && len < sizeof(more))
			len += (size_t)snprintf(more + len, sizeof(more) - len, "; %s",
						json_string_value(m));
	}
	return cni_fail(err, CNI_ERR_SWITCH_REFUSED, "the switch refused the command", "%s: %s%s",
			command, why != NULL ? why : "(no reason given)", more);
}

int switch_ask(const struct cni_conf *conf, json_t **reply, struct cni_error *err, const char *fmt,
	       ...)
{
	char why[VNS_CLIENT_ERR_SIZE], command[64], *cmd;
	struct line l = {.len = 0, .too_long = false};
	struct vns_client_answer ans;
	json_error_t jerr;
	const json_t *ok;
	json_t *doc;
	va_list ap;
	int n, ret = -1;
	size_t m;

	if (reply != NULL)
		*reply = NULL;
	add(&l, "%s ", VNS_CONTROL_JSON_WORD);
	va_start(ap, fmt);
	n = vsnprintf(l.text + l.len, sizeof(l.text) - l.len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(l.text) - l.len - 1)
		return cni_fail(err, CNI_ERR_TOO_LONG, "command too long for the switch",
				"the command is longer than the %d characters the switch takes: "
				"%.60s...",
				VNS_CONTROL_MAX_LINE - 1, l.text);
	/* Errors name the command by its words before the first KEY=VALUE. */
	cmd = l.text + l.len;
	m = strcspn(cmd, "=");
	if (cmd[m] == '=')
		while (m > 0 && cmd[m - 1] != ' ')
			m--;
	while (m > 0 && cmd[m - 1] == ' ')
		m--;
	snprintf(command, sizeof(command), "%.*s", (int)m, cmd);
	l.len += (size_t)n;
	l.text[l.len++] = '\n';
	l.text[l.len] = '\0';
	if (vns_client_ask(conf->socket, l.text, conf->timeout_s, &ans, why) < 0)
		return cni_fail(err, CNI_ERR_TRY_AGAIN, "the switch is not reachable",
				"%s (is vduse-netsw running, serving its control socket at "
				"\"socket\" %s?)",
				why, conf->socket);
	doc = json_loadb(ans.text, ans.len, 0, &jerr);
	ok = json_object_get(doc, "ok");
	if (!json_is_boolean(ok))
		cni_fail(err, CNI_ERR_SWITCH_ANSWER, "unexpected answer from the switch",
			 "%s: the switch at %s answered no JSON object with \"ok\" (%s): %.200s",
			 command, conf->socket, doc == NULL ? jerr.text : "no \"ok\"", ans.text);
	else if (json_is_false(ok))
		refused(doc, command, err);
	else
		ret = 0;
	if (ret == 0 && reply != NULL) {
		*reply = json_incref(json_object_get(doc, "reply"));
		if (!json_is_object(*reply))
			ret = cni_fail(err, CNI_ERR_SWITCH_ANSWER,
				       "unexpected answer from the switch",
				       "%s: the switch's answer has no \"reply\" object", command);
	}
	json_decref(doc);
	vns_client_answer_free(&ans);
	return ret;
}

int switch_list_ports(const struct cni_conf *conf, json_t **ports, struct cni_error *err)
{
	json_t *reply;

	*ports = NULL;
	if (switch_ask(conf, &reply, err, "show port info all") < 0)
		return -1;
	*ports = json_incref(json_object_get(reply, "ports"));
	json_decref(reply);
	if (!json_is_array(*ports))
		return cni_fail(err, CNI_ERR_SWITCH_ANSWER, "unexpected answer from the switch",
				"show port info all: no \"ports\" array in the reply");
	return 0;
}

int switch_find_port(const struct cni_conf *conf, const char *name, json_t **port,
		     struct cni_error *err)
{
	json_t *ports, *p;
	size_t i;

	*port = NULL;
	if (switch_list_ports(conf, &ports, err) < 0)
		return -1;
	json_array_foreach (ports, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n != NULL && strcmp(n, name) == 0) {
			*port = json_incref(p);
			break;
		}
	}
	json_decref(ports);
	return 0;
}

/* A value fit for a KEY=VALUE word: the switch splits at blanks and commas. */
static bool one_word(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (isspace((unsigned char)*s) || *s == ',' || !isprint((unsigned char)*s))
			return false;
	return true;
}

/* The gateway of the first IP of the family @v6 in the IPAM result's "ips", or NULL. */
static const char *first_gateway(const json_t *ips, bool v6)
{
	const json_t *ip;
	size_t i;

	json_array_foreach (ips, i, ip) {
		const char *addr = json_string_value(json_object_get(ip, "address"));

		if (addr != NULL && (strchr(addr, ':') != NULL) == v6)
			return json_string_value(json_object_get(ip, "gateway"));
	}
	return NULL;
}

/* Is @dst a default route's destination, 0.0.0.0/0 or ::/0? */
static bool is_default(const char *dst)
{
	const char *slash = strrchr(dst, '/');

	return slash != NULL && strcmp(slash, "/0") == 0;
}

/*
 * ip= for each address; for each route, its "gw", else (as the CNI spec
 * says) the gateway of the first IP of its family: a default route through
 * a gateway is gw=GW, another route=DST@GW, one without any gateway
 * route=DST (on the link). No routes, no gw=: a gateway alone routes nothing.
 * @return 0, or -1 when a value is not one word.
 */
static int add_addresses(struct line *l, const json_t *ipam, struct cni_error *err)
{
	const json_t *ips = json_object_get(ipam, "ips"), *routes = json_object_get(ipam, "routes");
	const json_t *o;
	const char *bad = NULL;
	size_t i;

	json_array_foreach (ips, i, o) {
		const char *addr = json_string_value(json_object_get(o, "address"));
		const char *gw = json_string_value(json_object_get(o, "gateway"));

		if (!one_word(addr) || (gw != NULL && !one_word(gw)))
			bad = "an IP's \"address\" or \"gateway\"";
		else
			add(l, " ip=%s", addr);
	}
	json_array_foreach (routes, i, o) {
		const char *dst = json_string_value(json_object_get(o, "dst"));
		const char *gw = json_string_value(json_object_get(o, "gw"));

		if (!one_word(dst) || (gw != NULL && !one_word(gw))) {
			bad = "a route's \"dst\" or \"gw\"";
			continue;
		}
		if (gw == NULL)
			gw = first_gateway(ips, strchr(dst, ':') != NULL);
		if (gw == NULL)
			add(l, " route=%s", dst);
		else if (is_default(dst))
			add(l, " gw=%s", gw);
		else
			add(l, " route=%s@%s", dst, gw);
	}
	if (bad != NULL)
		return cni_fail(err, CNI_ERR_IPAM_FAILED, "unusable IPAM result",
				"%s in the IPAM plugin's result is missing or not one word "
				"(expected e.g. 10.88.0.5/24, 10.88.0.1)",
				bad);
	return 0;
}

/* Does the switch's refusal say that the port or the interface exists? */
static bool says_exists(const struct cni_error *err)
{
	return err->code == CNI_ERR_SWITCH_REFUSED && strstr(err->details, "exists") != NULL;
}

int switch_add_port(const struct cni_conf *conf, const struct cni_env *env, const char *name,
		    const json_t *ipam, struct cni_error *err)
{
	struct line l = {.len = 0, .too_long = false};
	struct cni_error sub = {.code = 0};

	add(&l, "port add vduse %s netns=%s ifname=%s", name, env->netns, env->ifname);
	if (conf->mac[0] != '\0')
		add(&l, " mac=%s", conf->mac);
	if (conf->mtu != 0)
		add(&l, " mtu=%u", conf->mtu);
	if (conf->vlan != 0)
		add(&l, " vlan=%u", conf->vlan);
	else if (conf->trunk[0] != '\0')
		add(&l, " trunk=%s", conf->trunk);
	if (ipam != NULL && add_addresses(&l, ipam, err) < 0)
		return -1;
	add(&l, " owner=" SWITCH_OWNER_PREFIX "%s:%s:%s", conf->name, env->containerid,
	    env->ifname);
	if (l.too_long)
		return cni_fail(err, CNI_ERR_TOO_LONG, "command too long for the switch",
				"port add vduse %s: with its addresses and routes the line is "
				"longer than the %d characters the switch takes; fewer routes "
				"or a shorter CNI_NETNS path",
				name, VNS_CONTROL_MAX_LINE - 1);
	if (switch_ask(conf, NULL, &sub, "%s", l.text) == 0)
		return 0;
	if (says_exists(&sub))
		return cni_fail(err, CNI_ERR_IFACE_EXISTS, "the interface exists already", "%s",
				sub.details);
	*err = sub;
	return -1;
}

int switch_purge_port(const struct cni_conf *conf, const char *name, struct cni_error *err)
{
	return switch_ask(conf, NULL, err, "port purge %s", name);
}
