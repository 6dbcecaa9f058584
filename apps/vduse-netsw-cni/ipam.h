/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_IPAM_H
#define CNI_IPAM_H

/**
 * @file
 * IPAM delegation (CNI spec, section 4): the plugin named by ipam.type,
 * found in CNI_PATH, run with the plugin's own environment and the whole
 * network configuration on its stdin, in the newest version both speak.
 */

#include <limits.h>
#include <stdbool.h>

#include <jansson.h>

#include "cni.h"
#include "conf.h"

/** An IPAM plugin found and asked for its versions. */
struct ipam {
	char path[PATH_MAX]; /**< the executable */
	const char *type;    /**< ipam.type */
	const char *version; /**< the version to speak with it (cni_versions[]) */
	bool has_gc_status;  /**< it lists 1.1.0, so it takes GC and STATUS */
	int timeout_s;	     /**< seconds it may take to answer */
};

/** Who an IPAM call is for, when not the invocation's own attachment (GC). */
struct ipam_attachment {
	const char *containerid; /**< CNI_CONTAINERID to give it */
	const char *ifname;	 /**< CNI_IFNAME to give it */
};

/**
 * Find conf->ipam_type in CNI_PATH and ask it VERSION.
 *
 * @param conf      the configuration, with ipam_type set
 * @param cni_path  CNI_PATH: directories separated by ':'
 * @param ipam      filled on success
 * @param err       CNI_ERR_INVALID_ENV when CNI_PATH is empty,
 *                  CNI_ERR_IPAM_NOT_FOUND when no directory holds an
 *                  executable of that name, CNI_ERR_INCOMPATIBLE when it
 *                  speaks no version of the plugin's not newer than the
 *                  configuration's, or an error of running it (ipam_exec())
 * @return 0, or -1 with @p err filled.
 */
int ipam_find(const struct cni_conf *conf, const char *cni_path, struct ipam *ipam,
	      struct cni_error *err);

/**
 * Run the IPAM plugin with CNI_COMMAND=@p command and the configuration on
 * its stdin, rewritten to ipam->version (cniVersion, prevResult); the
 * GC-only key cni.dev/valid-attachments is left out but for GC. Its stderr is
 * the plugin's.
 *
 * @param ipam     from ipam_find()
 * @param command  "ADD", "DEL", "CHECK", "GC" or "STATUS"
 * @param conf     the configuration
 * @param other    another attachment to name in CNI_CONTAINERID and
 *                 CNI_IFNAME (CNI_NETNS then unset), or NULL for the
 *                 invocation's own
 * @param result   for ADD: filled with its result converted to
 *                 conf->version (json_decref() it); NULL for the others
 * @param err      its own error result passed on (its code, its msg
 *                 prefixed with its type), else CNI_ERR_IPAM_FAILED (could
 *                 not run, no answer within the timeout, an exit status
 *                 without an error result, a result that is no JSON object)
 * @return 0, or -1 with @p err filled.
 */
int ipam_exec(const struct ipam *ipam, const char *command, const struct cni_conf *conf,
	      const struct ipam_attachment *other, json_t **result, struct cni_error *err);

#endif /* CNI_IPAM_H */
