/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_CMD_H
#define CNI_CMD_H

/**
 * @file
 * The CNI commands but VERSION (main.c answers it). Each is called with an
 * environment main.c has checked for what the command needs, and a checked
 * configuration; each prints its result on success (ADD alone has one) and
 * leaves the error for main.c to print.
 *
 * Each returns 0 on success, or -1 with @p err filled.
 */

#include "cni.h"
#include "conf.h"

/**
 * ADD: IPAM ADD, then the port in the switch; on the switch's refusal, IPAM
 * DEL and the switch's reason (CNI_ERR_IFACE_EXISTS when the port or the
 * netdev exists already).
 */
int cmd_add(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);

/**
 * DEL: the port purged (whether or not the switch has it), then IPAM DEL,
 * also when the switch cannot be reached (then CNI_ERR_TRY_AGAIN).
 */
int cmd_del(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);

/**
 * CHECK: the port as prevResult says (MAC, link up, netdev name), then IPAM
 * CHECK; CNI_ERR_CHECK names what differs.
 */
int cmd_check(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);

/** STATUS: the switch answers, and so does the IPAM plugin; else CNI_ERR_NOT_AVAILABLE. */
int cmd_status(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);

/**
 * GC: the network's ports whose attachment is not in
 * cni.dev/valid-attachments purged and their addresses released, then IPAM
 * GC where the IPAM plugin speaks 1.1.0. Goes on after an error and reports
 * the first.
 */
int cmd_gc(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);

#endif /* CNI_CMD_H */
