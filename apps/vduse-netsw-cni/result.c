/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Results and errors. Versions 0.4.0 to 1.1.0 share one result layout but
 * for a few keys, so a conversion is a copy with those keys fixed.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "result.h"
#include "version.h"

int cni_fail(struct cni_error *err, int code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	if (err->code != 0)
		return -1;
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
	return -1;
}

void cni_log(const struct cni_error *err)
{
	fprintf(stderr, "vduse-netsw-cni: %s: %s\n", err->msg, err->details);
}

/* Drop @keys (NULL-terminated) from every object of the array @list. */
static void drop_keys(json_t *list, const char *const *keys)
{
	size_t i;
	json_t *o;

	json_array_foreach (list, i, o) {
		for (const char *const *k = keys; *k != NULL; k++)
			json_object_del(o, *k);
	}
}

json_t *result_convert(const json_t *res, const char *version)
{
	static const char *const iface_keys_1_1[] = {"mtu", "socketPath", "pciID", NULL};
	static const char *const route_keys_1_1[] = {"mtu",   "advmss", "priority",
						     "table", "scope",	NULL};
	bool v04 = strcmp(version, "0.4.0") == 0;
	json_t *out = json_deep_copy(res), *ip;
	size_t i;

	if (out == NULL || json_object_set_new(out, "cniVersion", json_string(version)) < 0) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach (json_object_get(out, "ips"), i, ip) {
		const char *addr = json_string_value(json_object_get(ip, "address"));

		if (!v04)
			json_object_del(ip, "version");
		else if (addr != NULL)
			json_object_set_new(ip, "version",
					    json_string(strchr(addr, ':') ? "6" : "4"));
	}
	if (cni_version_cmp(version, "1.1.0") < 0) {
		drop_keys(json_object_get(out, "interfaces"), iface_keys_1_1);
		drop_keys(json_object_get(out, "routes"), route_keys_1_1);
	}
	return out;
}

int result_print(const json_t *doc)
{
	if (json_dumpf(doc, stdout, JSON_COMPACT) < 0 || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF)
		return -1;
	return 0;
}

void result_print_error(const struct cni_error *err, const char *version)
{
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s}", "cniVersion", version, "code", err->code,
				"msg", err->msg, "details", err->details);

	if (doc != NULL)
		result_print(doc);
	json_decref(doc);
	cni_log(err);
}
