/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_RESULT_H
#define CNI_RESULT_H

/**
 * @file
 * What the plugin prints: results and errors, in the layout of the version
 * asked for; and results converted between the versions the plugin speaks
 * (an IPAM plugin's, a prevResult handed to one).
 */

#include <jansson.h>

#include "cni.h"

/**
 * A result in the layout of @p version: "cniVersion" set; each IP's
 * "version" ("4" or "6") added for 0.4.0 and dropped for 1.x; the keys
 * 1.1.0 added (interfaces' mtu, socketPath, pciID; routes' mtu, advmss,
 * priority, table, scope) dropped below 1.1.0. Other keys are kept.
 *
 * @param res      a result (an IPAM plugin's abbreviated one, or a full one)
 * @param version  one of cni_versions[]
 * @return a new object (json_decref() it), or NULL when out of memory.
 */
json_t *result_convert(const json_t *res, const char *version);

/**
 * Print @p doc on stdout, compact, followed by a newline.
 *
 * @param doc  the result
 * @return 0, or -1 when stdout could not be written (the caller reports
 *         CNI_ERR_IO; nothing else can be told to the runtime then).
 */
int result_print(const json_t *doc);

/**
 * Print @p err as the spec's error result on stdout, and one line on stderr
 * for the runtime's log.
 *
 * @param err      the error
 * @param version  the cniVersion to put in it
 */
void result_print_error(const struct cni_error *err, const char *version);

#endif /* CNI_RESULT_H */
