/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network configuration: every key the plugin reads is checked here,
 * once, so that the commands work on values known to be right and a mistake
 * is reported as code 7 naming the key, not as a refusal of the switch.
 * Keys the plugin does not know are left alone: runtimes and Multus add
 * their own.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "cli/control_proto.h"
#include "conf.h"
#include "version.h"

bool conf_valid_id(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return false;
	return true;
}

/* An optional integer key in @lo..@hi; @return 0 (absent: @v untouched) or -1. */
static int get_uint(const json_t *doc, const char *key, long long lo, long long hi, unsigned int *v,
		    struct cni_error *err)
{
	const json_t *j = json_object_get(doc, key);

	if (j == NULL)
		return 0;
	if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"%s\": expected an integer in %lld..%lld", key, lo, hi);
	*v = (unsigned int)json_integer_value(j);
	return 0;
}

/* An optional string key; @return 0 (absent: @v untouched) or -1. */
static int get_string(const json_t *doc, const char *key, const char **v, struct cni_error *err)
{
	const json_t *j = json_object_get(doc, key);

	if (j == NULL)
		return 0;
	if (!json_is_string(j) || json_string_length(j) == 0)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"%s\": expected a non-empty string", key);
	*v = json_string_value(j);
	return 0;
}

/* One trunk entry, N or "A-B", appended to @out as the switch writes it. */
static int trunk_entry(const json_t *j, char *out, size_t size, struct cni_error *err)
{
	unsigned int lo = 0, hi = 0;
	size_t len = strlen(out);
	int end = 0, n;

	if (json_is_integer(j) && json_integer_value(j) >= 1 && json_integer_value(j) <= 4094) {
		lo = hi = (unsigned int)json_integer_value(j);
	} else if (!json_is_string(j) ||
		   sscanf(json_string_value(j), "%u-%u%n", &lo, &hi, &end) != 2 ||
		   json_string_value(j)[end] != '\0' || lo < 1 || hi > 4094 || lo > hi) {
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"trunk\": expected an array of VLAN ids (1..4094) and ranges "
				"\"A-B\" (A <= B), e.g. [10, \"20-22\"]");
	}
	n = lo == hi ? snprintf(out + len, size - len, "%s%u", len ? "+" : "", lo)
		     : snprintf(out + len, size - len, "%s%u-%u", len ? "+" : "", lo, hi);
	if (n < 0 || (size_t)n >= size - len)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"trunk\": longer than %zu characters: join neighbouring VLANs "
				"into ranges \"A-B\"",
				size - 1);
	return 0;
}

static int get_trunk(const json_t *doc, struct cni_conf *conf, struct cni_error *err)
{
	const json_t *list = json_object_get(doc, "trunk"), *j;
	size_t i;

	if (list == NULL)
		return 0;
	if (!json_is_array(list) || json_array_size(list) == 0)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"trunk\": expected a non-empty array of VLAN ids and ranges, "
				"e.g. [10, \"20-22\"]");
	if (conf->vlan != 0)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"vlan\" (an access port) and \"trunk\" together: give one");
	json_array_foreach (list, i, j) {
		if (trunk_entry(j, conf->trunk, sizeof(conf->trunk), err) < 0)
			return -1;
	}
	return 0;
}

static int get_ipam(const json_t *doc, struct cni_conf *conf, struct cni_error *err)
{
	const json_t *ipam = json_object_get(doc, "ipam");

	if (ipam == NULL)
		return 0;
	if (!json_is_object(ipam))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"ipam\": expected an object with \"type\", e.g. "
				"{\"type\": \"host-local\", ...}");
	/* "ipam": {} is how some generated configurations say "no IPAM". */
	if (json_object_size(ipam) == 0)
		return 0;
	if (get_string(ipam, "type", &conf->ipam_type, err) < 0)
		return -1;
	if (conf->ipam_type == NULL || strchr(conf->ipam_type, '/') != NULL ||
	    strcmp(conf->ipam_type, ".") == 0 || strcmp(conf->ipam_type, "..") == 0)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"ipam\": \"type\" %s: expected the name of an IPAM plugin in "
				"CNI_PATH (no '/'), e.g. \"host-local\"",
				conf->ipam_type == NULL ? "missing" : "is a path");
	return 0;
}

/* cni.dev/valid-attachments (GC): [{"containerID": S, "ifname": S}, ...]. */
static int get_attachments(const json_t *doc, struct cni_conf *conf, struct cni_error *err)
{
	const json_t *list = json_object_get(doc, "cni.dev/valid-attachments"), *a;
	size_t i;

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"cni.dev/valid-attachments\": expected an array of "
				"{\"containerID\": ID, \"ifname\": NAME}");
	json_array_foreach (list, i, a) {
		if (!json_is_string(json_object_get(a, "containerID")) ||
		    !json_is_string(json_object_get(a, "ifname")))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG,
					"invalid network configuration",
					"\"cni.dev/valid-attachments\"[%zu]: expected "
					"{\"containerID\": ID, \"ifname\": NAME}",
					i);
	}
	conf->valid_attachments = list;
	return 0;
}

static int check_socket(const char *path, struct cni_error *err)
{
	if (path[0] != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"socket\" '%s': expected an absolute path shorter than %zu "
				"characters (the switch's --control PATH)",
				path, sizeof(((struct sockaddr_un *)0)->sun_path));
	return 0;
}

int conf_parse(const char *text, size_t len, struct cni_conf *conf, struct cni_error *err)
{
	unsigned int timeout = CNI_DEFAULT_TIMEOUT;
	json_error_t jerr;
	json_t *doc;

	memset(conf, 0, sizeof(*conf));
	conf->socket = VNS_CONTROL_DEFAULT;
	doc = json_loadb(text, len, 0, &jerr);
	if (doc == NULL)
		return cni_fail(err, CNI_ERR_DECODE, "cannot decode the network configuration",
				"stdin, line %d column %d: %s (expected the network configuration "
				"as one JSON object)",
				jerr.line, jerr.column, jerr.text);
	conf->doc = doc;
	if (!json_is_object(doc))
		return cni_fail(err, CNI_ERR_DECODE, "cannot decode the network configuration",
				"stdin holds JSON, but no object (expected the network "
				"configuration, {\"cniVersion\": ..., \"name\": ..., ...})");
	if (get_string(doc, "cniVersion", &conf->version, err) < 0)
		return -1;
	if (conf->version == NULL || !cni_version_supported(conf->version))
		return cni_fail(err, CNI_ERR_INCOMPATIBLE, "incompatible CNI version",
				"cniVersion %s%s%s: expected 0.4.0, 1.0.0 or 1.1.0",
				conf->version ? "'" : "", conf->version ? conf->version : "missing",
				conf->version ? "'" : "");
	if (get_string(doc, "name", &conf->name, err) < 0)
		return -1;
	if (conf->name == NULL || !conf_valid_id(conf->name))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"name\" %s: expected a letter or digit, then letters, digits, "
				"'_', '.' and '-'",
				conf->name ? conf->name : "missing");
	if (get_string(doc, "socket", &conf->socket, err) < 0 ||
	    check_socket(conf->socket, err) < 0 ||
	    get_uint(doc, "timeout", 1, 3600, &timeout, err) < 0 ||
	    get_uint(doc, "mtu", 68, 65521, &conf->mtu, err) < 0 ||
	    get_uint(doc, "vlan", 1, 4094, &conf->vlan, err) < 0 || get_trunk(doc, conf, err) < 0 ||
	    get_ipam(doc, conf, err) < 0 || get_attachments(doc, conf, err) < 0)
		return -1;
	conf->timeout_s = (int)timeout;
	if (json_is_true(json_object_get(doc, "ipMasq")))
		return cni_fail(err, CNI_ERR_UNSUPPORTED_FIELD, "unsupported field",
				"\"ipMasq\": true: this plugin sets up no masquerading (the "
				"switch is layer 2); remove it or set it false");
	conf->prev_result = json_object_get(doc, "prevResult");
	if (conf->prev_result != NULL && !json_is_object(conf->prev_result))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "invalid network configuration",
				"\"prevResult\": expected a result object");
	return 0;
}

/* A unicast, non-zero MAC in @s, copied to @out in lower case; @return 0 or -1. */
static int parse_mac(const char *s, char out[18])
{
	unsigned char b[6];
	int end = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &end) != 6 ||
	    end != 17 || (b[0] & 1) || (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0)
		return -1;
	/* sscanf would also take blanks and signs: each byte is two hex digits. */
	for (int i = 2; i <= 17; i += 3)
		if ((i < 17 && s[i] != ':') || !isxdigit((unsigned char)s[i - 2]) ||
		    !isxdigit((unsigned char)s[i - 1]))
			return -1;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

#define MAC_EXPECTED "expected a unicast MAC, six two-digit hex bytes, e.g. 02:00:00:00:00:01"

int conf_runtime_mac(struct cni_conf *conf, const char *args, struct cni_error *err)
{
	const json_t *mac = json_object_get(json_object_get(conf->doc, "runtimeConfig"), "mac");
	char *copy, *pair, *rest;

	if (mac != NULL) {
		if (!json_is_string(mac) || parse_mac(json_string_value(mac), conf->mac) < 0)
			return cni_fail(err, CNI_ERR_INVALID_CONFIG,
					"invalid network configuration",
					"runtimeConfig \"mac\": " MAC_EXPECTED);
		return 0;
	}
	if (args == NULL || *args == '\0')
		return 0;
	copy = strdup(args);
	if (copy == NULL)
		return cni_fail(err, CNI_ERR_IO, "out of memory", "copying CNI_ARGS");
	rest = copy;
	while ((pair = strsep(&rest, ";")) != NULL) {
		char *value = strchr(pair, '=');

		if (*pair == '\0')
			continue;
		if (value == NULL) {
			cni_fail(err, CNI_ERR_INVALID_ENV, "invalid CNI_ARGS",
				 "CNI_ARGS '%s': expected KEY=VALUE pairs separated by ';'", args);
			break;
		}
		*value++ = '\0';
		if (strcmp(pair, "MAC") == 0 && parse_mac(value, conf->mac) < 0) {
			cni_fail(err, CNI_ERR_INVALID_ENV, "invalid CNI_ARGS",
				 "CNI_ARGS MAC='%s': " MAC_EXPECTED, value);
			break;
		}
	}
	free(copy);
	return pair == NULL ? 0 : -1;
}

void conf_free(struct cni_conf *conf)
{
	json_decref(conf->doc);
	conf->doc = NULL;
}
