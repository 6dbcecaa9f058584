/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_VERSION_H
#define CNI_VERSION_H

/**
 * @file
 * CNI spec versions: those the plugin speaks, their order, and the choice of
 * one shared with a delegated plugin.
 */

#include <stdbool.h>

#include <jansson.h>

/** The version the plugin answers VERSION with when not told one. */
#define CNI_VERSION_LATEST "1.1.0"

/**
 * The versions the plugin speaks, oldest first, NULL-terminated:
 * 0.4.0 (CHECK; "version" in ips), 1.0.0, 1.1.0 (STATUS, GC).
 */
extern const char *const cni_versions[];

/**
 * Compare two versions "MAJOR.MINOR.PATCH" numerically.
 *
 * @return <0, 0 or >0 as @p a is older than, the same as or newer than @p b;
 *         a malformed version is older than any well-formed one.
 */
int cni_version_cmp(const char *a, const char *b);

/**
 * @return whether @p version is one of cni_versions[].
 */
bool cni_version_supported(const char *version);

/**
 * The version to speak with a delegated plugin: the newest of cni_versions[]
 * that @p theirs (its VERSION answer's supportedVersions) lists and that is
 * not newer than @p ours (the configuration's cniVersion).
 *
 * @param ours    the configuration's cniVersion
 * @param theirs  a JSON array of version strings
 * @return the chosen version (a cni_versions[] string), or NULL if none fits.
 */
const char *cni_version_shared(const char *ours, const json_t *theirs);

/**
 * @return whether the JSON array of version strings @p list holds @p version.
 */
bool cni_version_listed(const json_t *list, const char *version);

#endif /* CNI_VERSION_H */
