/* SPDX-License-Identifier: BSD-3-Clause */
/* The log types of the app and of lib/vduse, which knows no DPDK. */
#include "log.h"
#include "vduse.h"

RTE_LOG_REGISTER(vns_logtype, netsw.app, INFO);
RTE_LOG_REGISTER(vns_vduse_logtype, netsw.vduse, INFO);

static void vduse_message(enum vdu_log_level level, const char *msg)
{
	static const uint32_t levels[] = {
		[VDU_LOG_ERR] = RTE_LOG_ERR,
		[VDU_LOG_WARNING] = RTE_LOG_WARNING,
		[VDU_LOG_INFO] = RTE_LOG_INFO,
		[VDU_LOG_DEBUG] = RTE_LOG_DEBUG,
	};

	rte_log(levels[level], vns_vduse_logtype, "vduse: %s\n", msg);
}

void vns_log_init(void)
{
	vdu_set_logger(vduse_message);
}
