/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_CONF_H
#define CNI_CONF_H

/**
 * @file
 * The network configuration on stdin: the spec's keys, the plugin's own
 * (socket, mtu, vlan, trunk, timeout; doc/cni.md) and the attachment's MAC
 * from CNI_ARGS or runtimeConfig.
 */

#include <stdbool.h>

#include <jansson.h>

#include "cni.h"

/** Seconds the switch (and the IPAM plugin) may take to answer, unless "timeout". */
#define CNI_DEFAULT_TIMEOUT 10

/** The network configuration, checked. Strings point into @c doc. */
struct cni_conf {
	json_t *doc;		   /**< the whole configuration as read (a reference) */
	const char *version;	   /**< cniVersion, one of cni_versions[] */
	const char *name;	   /**< the network's name */
	const char *socket;	   /**< the switch's control socket */
	int timeout_s;		   /**< seconds to wait for an answer, 1..3600 */
	unsigned int mtu;	   /**< the port's MTU, 0: the switch's default */
	unsigned int vlan;	   /**< access VLAN 1..4094, 0: none */
	char trunk[512];	   /**< trunk=LIST as the switch takes it ("10+20-22"), "" none */
	const char *ipam_type;	   /**< ipam.type, NULL without "ipam" */
	char mac[18];		   /**< the attachment's MAC, "" for the switch's default */
	const json_t *prev_result; /**< prevResult, or NULL */
	const json_t *valid_attachments; /**< cni.dev/valid-attachments, or NULL */
};

/**
 * The spec's rule for a network name and a container ID: a letter or digit,
 * then letters, digits, '_', '.' and '-'.
 *
 * @param s  the name
 * @return whether @p s follows it.
 */
bool conf_valid_id(const char *s);

/**
 * Decode and check the configuration read from stdin.
 *
 * @param text  the bytes read
 * @param len   their number
 * @param conf  filled on success; conf_free() it (also after a failure)
 * @param err   CNI_ERR_DECODE when @p text is no JSON object,
 *              CNI_ERR_INCOMPATIBLE for a cniVersion not spoken,
 *              CNI_ERR_INVALID_CONFIG for a key of the wrong type or value
 *              (named, with what was expected), CNI_ERR_UNSUPPORTED_FIELD
 *              for ipMasq true
 * @return 0, or -1 with @p err filled.
 */
int conf_parse(const char *text, size_t len, struct cni_conf *conf, struct cni_error *err);

/**
 * The attachment's MAC: runtimeConfig.mac (the "mac" capability), else
 * MAC= in CNI_ARGS; conf->mac stays "" when neither is given.
 *
 * @param conf  a configuration from conf_parse()
 * @param args  CNI_ARGS ("K=V;K=V"), or NULL
 * @param err   CNI_ERR_INVALID_CONFIG for a bad runtimeConfig.mac,
 *              CNI_ERR_INVALID_ENV for a bad MAC= in CNI_ARGS
 * @return 0, or -1 with @p err filled.
 */
int conf_runtime_mac(struct cni_conf *conf, const char *args, struct cni_error *err);

/**
 * Release a configuration (NULL-safe doc).
 *
 * @param conf  a configuration conf_parse() filled, fully or partly
 */
void conf_free(struct cni_conf *conf);

#endif /* CNI_CONF_H */
