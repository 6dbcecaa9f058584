/* SPDX-License-Identifier: BSD-3-Clause */
/* Library messages: to stderr, or to the caller's logger. */
#include <stdarg.h>
#include <stdio.h>

#include "vdu_priv.h"

static void (*logger)(enum vdu_log_level level, const char *msg);

void vdu_set_logger(void (*fn)(enum vdu_log_level level, const char *msg))
{
	logger = fn;
}

void vdu_log(enum vdu_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (logger != NULL)
		logger(level, msg);
	else if (level != VDU_LOG_DEBUG)
		fprintf(stderr, "vduse: %s\n", msg);
}
