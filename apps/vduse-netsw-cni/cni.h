/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_H
#define CNI_H

/**
 * @file
 * What every part of the plugin shares: the invocation (environment), the
 * error being reported, and the spec's and the plugin's error codes
 * (doc/cni.md lists them for users).
 */

/** Error codes: 1..99 are the CNI spec's, 100 and up the plugin's own. */
enum cni_code {
	CNI_ERR_INCOMPATIBLE = 1,      /**< a cniVersion the plugin does not speak */
	CNI_ERR_UNSUPPORTED_FIELD = 2, /**< a configuration key the plugin cannot honour */
	CNI_ERR_INVALID_ENV = 4,       /**< a CNI_* variable missing or malformed */
	CNI_ERR_IO = 5,		       /**< stdin could not be read */
	CNI_ERR_DECODE = 6,	       /**< stdin is not a JSON object */
	CNI_ERR_INVALID_CONFIG = 7,    /**< a key of the configuration is wrong */
	CNI_ERR_TRY_AGAIN = 11,	       /**< the switch is not reachable (now) */
	CNI_ERR_NOT_AVAILABLE = 50,    /**< STATUS: ADD cannot be served */
	CNI_ERR_SWITCH_REFUSED = 100,  /**< the switch refused a command: its reason */
	CNI_ERR_IFACE_EXISTS = 101,    /**< the attachment's port or netdev exists already */
	CNI_ERR_IPAM_NOT_FOUND = 102,  /**< ipam.type is no executable in CNI_PATH */
	CNI_ERR_IPAM_FAILED = 103,     /**< the IPAM plugin failed without a CNI error */
	CNI_ERR_CHECK = 104,	       /**< CHECK: the port is not as prevResult says */
	CNI_ERR_SWITCH_ANSWER = 105,   /**< the switch's answer is not what was expected */
	CNI_ERR_TOO_LONG = 106,	       /**< the port add command exceeds the switch's line */
};

/** The error being reported: printed on stdout as the spec's error result. */
struct cni_error {
	int code;	    /**< enum cni_code, or an IPAM plugin's own code */
	char msg[256];	    /**< short: what failed */
	char details[2048]; /**< long: why, and what was expected */
};

/** The invocation's CNI_* environment; NULL for a variable not set. */
struct cni_env {
	const char *command;	 /**< CNI_COMMAND */
	const char *containerid; /**< CNI_CONTAINERID */
	const char *netns;	 /**< CNI_NETNS */
	const char *ifname;	 /**< CNI_IFNAME */
	const char *args;	 /**< CNI_ARGS */
	const char *path;	 /**< CNI_PATH */
};

/**
 * Fill @p err (unless it holds an error already: the first cause is the one
 * reported) and return -1, so that a caller can `return cni_fail(...)`.
 *
 * @param err   the error to fill
 * @param code  enum cni_code, or an IPAM plugin's code passed on
 * @param msg   the short message
 * @param fmt   printf format of the details
 * @return -1
 */
int cni_fail(struct cni_error *err, int code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * Log @p err on stderr: an error that is not the one reported (a later one,
 * or one met while undoing), for the runtime's log.
 *
 * @param err  the error
 */
void cni_log(const struct cni_error *err);

#endif /* CNI_H */
