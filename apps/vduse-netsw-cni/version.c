/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CNI spec versions. 0.4.0 is the oldest spoken: it has CHECK and prevResult
 * on DEL, and its results differ from 1.x only by the "version" of an IP,
 * which result.c converts.
 */
#include <stdio.h>
#include <string.h>

#include "version.h"

const char *const cni_versions[] = {"0.4.0", "1.0.0", "1.1.0", NULL};

/* MAJOR.MINOR.PATCH in @v; @return 0, or -1 when it is not that. */
static int parse(const char *s, unsigned int v[3])
{
	int end = 0;

	if (sscanf(s, "%u.%u.%u%n", &v[0], &v[1], &v[2], &end) != 3 || s[end] != '\0')
		return -1;
	return 0;
}

int cni_version_cmp(const char *a, const char *b)
{
	unsigned int va[3], vb[3];
	int bad_a = parse(a, va) < 0, bad_b = parse(b, vb) < 0;

	if (bad_a || bad_b)
		return bad_b - bad_a;
	for (int i = 0; i < 3; i++)
		if (va[i] != vb[i])
			return va[i] < vb[i] ? -1 : 1;
	return 0;
}

bool cni_version_supported(const char *version)
{
	for (int i = 0; cni_versions[i] != NULL; i++)
		if (strcmp(cni_versions[i], version) == 0)
			return true;
	return false;
}

bool cni_version_listed(const json_t *list, const char *version)
{
	size_t i;
	json_t *v;

	json_array_foreach (list, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), version) == 0)
			return true;
	}
	return false;
}

const char *cni_version_shared(const char *ours, const json_t *theirs)
{
	const char *best = NULL;

	for (int i = 0; cni_versions[i] != NULL; i++)
		if (cni_version_cmp(cni_versions[i], ours) <= 0 &&
		    cni_version_listed(theirs, cni_versions[i]))
			best = cni_versions[i];
	return best;
}
