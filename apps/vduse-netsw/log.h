/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_LOG_H
#define VNS_LOG_H

/**
 * @file
 * The switch's log: DPDK's, with a log type per part ("netsw.app",
 * "netsw.vduse" for lib/vduse, "netsw.port.vduse", "netsw.port.ethdev"),
 * so that EAL's --log-level sets them as it sets DPDK's own
 * (`--log-level=netsw.*:debug`). Any thread.
 */

#include <rte_log.h>

/** The app's log type (netsw.app). */
extern int vns_logtype;

/** Log a line at RTE_LOG_@p level (ERR, WARNING, NOTICE, INFO, DEBUG); no newline. */
#define VNS_LOG(level, fmt, ...) rte_log(RTE_LOG_##level, vns_logtype, fmt "\n", ##__VA_ARGS__)

/** Send lib/vduse's messages to the log (type netsw.vduse). */
void vns_log_init(void);

#endif /* VNS_LOG_H */
