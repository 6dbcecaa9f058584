/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture and eBPF filter commands: capture start|stop|status, bpf-load, bpf-unload. */
#include <string.h>

#include "capture/capture_ctl.h"
#include "cli.h"
#include "filter/bpf_filter.h"

static int cmd_capture_start(struct vns_cmd_ctx *c)
{
	const char *dir = vns_cmd_arg(c, "rx|tx|both")->word;
	struct vns_capture_req req = {
		.port = vns_cmd_arg(c, "all|PORT")->port,
		.dir = strcmp(dir, "rx") == 0	? CAPTURE_RX
		       : strcmp(dir, "tx") == 0 ? CAPTURE_TX
						: CAPTURE_BOTH,
		.path = vns_cmd_arg(c, "FILE")->word,
		.options = c->argc > 5 ? vns_cmd_arg(c, "OPTIONS...")->word : NULL,
	};

	return vns_capture_start(c->sw, &req, c->r);
}

static int cmd_capture_stop(struct vns_cmd_ctx *c)
{
	return vns_capture_stop(c->sw, c->r);
}

static int cmd_capture_status(struct vns_cmd_ctx *c)
{
	vns_capture_status(c->sw, c->r);
	return 0;
}

static enum vns_bpf_dir bpf_dir(struct vns_cmd_ctx *c)
{
	return strcmp(vns_cmd_arg(c, "rx|tx")->word, "rx") == 0 ? VNS_BPF_RX : VNS_BPF_TX;
}

static int cmd_bpf_load(struct vns_cmd_ctx *c)
{
	return vns_bpf_load(c->sw, vns_cmd_arg(c, "PORT")->port, bpf_dir(c),
			    (uint16_t)vns_cmd_arg(c, "QUEUE")->u, vns_cmd_arg(c, "FLAGS")->word,
			    vns_cmd_arg(c, "FILE")->word, c->r);
}

static int cmd_bpf_unload(struct vns_cmd_ctx *c)
{
	return vns_bpf_unload(c->sw, vns_cmd_arg(c, "PORT")->port, bpf_dir(c),
			      (uint16_t)vns_cmd_arg(c, "QUEUE")->u, c->r);
}

static const struct vns_cmd capture_cmds[] = {
	{"capture start all|PORT rx|tx|both FILE", "write the frames to a pcapng file",
	 cmd_capture_start},
	{"capture start all|PORT rx|tx|both FILE OPTIONS...",
	 "the same, with snaplen N and/or filter EXPR (libpcap's syntax, last)", cmd_capture_start},
	{"capture stop", "stop the capture and complete its file", cmd_capture_stop},
	{"capture", "the running or last capture and its counters", cmd_capture_status},
	{"capture status", "the same", cmd_capture_status},
	{"bpf-load rx|tx PORT QUEUE FLAGS FILE",
	 "an eBPF filter (clang -target bpf object) on a port's queue; FLAGS: J (JIT) or -",
	 cmd_bpf_load},
	{"bpf-unload rx|tx PORT QUEUE", "remove it", cmd_bpf_unload},
};

VNS_CMD_REGISTER(capture_cmds)
