/* SPDX-License-Identifier: BSD-3-Clause */
/* bpf-load and bpf-unload: programs published to the workers under RCU. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "bpf_filter.h"

/* The program slot of (@dir, @queue) of @vp, or NULL after saying what was wrong. */
static struct vns_bpf **slot_of(struct vns_port *vp, enum vns_bpf_dir dir, uint16_t queue,
				struct vns_reply *r)
{
	unsigned int nb = dir == VNS_BPF_RX ? vp->info.nb_rx_queues : vp->info.nb_tx_queues;

	if (queue >= nb) {
		vns_reply_error(r, "queue %u: port %s has %s queues 0..%u", queue, vp->port->name,
				dir == VNS_BPF_RX ? "rx" : "tx", nb - 1);
		return NULL;
	}
	return &vp->bpf[dir][queue];
}

static void destroy(struct vns_bpf *f)
{
	if (f == NULL)
		return;
	rte_bpf_destroy(f->bpf);
	rte_free(f);
}

/* Put @f in @slot and destroy what was there once no worker can run it. */
static void publish(struct vns_switch *sw, struct vns_bpf **slot, struct vns_bpf *f)
{
	struct vns_bpf *old = *slot;

	__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	if (old != NULL) {
		rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
		destroy(old);
	}
}

int vns_bpf_load(struct vns_switch *sw, struct vns_port *vp, enum vns_bpf_dir dir, uint16_t queue,
		 const char *flags, const char *file, struct vns_reply *r)
{
	struct vns_bpf **slot = slot_of(vp, dir, queue, r);
	struct rte_bpf_prm prm = {
		/* The frame's first byte, and what the mbuf's data room holds after it. */
		.prog_arg =
			{
				.type = RTE_BPF_ARG_PTR,
				.size = rte_pktmbuf_data_room_size(vp->port->pool) -
					RTE_PKTMBUF_HEADROOM,
			},
	};
	struct rte_bpf_jit jit = {0};
	bool want_jit = false;
	struct vns_bpf *f;

	if (slot == NULL)
		return -1;
	for (const char *c = flags; *c != '\0'; c++) {
		if (*c == 'J' || *c == 'j') {
			want_jit = true;
		} else if (*c != '-') {
			return vns_reply_error(
				r, "flag '%c': expected J (JIT) or - (interpreter)%s", *c,
				*c == 'M' || *c == 'm' ? "; M (an mbuf argument) is not offered"
						       : "");
		}
	}
	if (strlen(file) >= sizeof(f->file)) {
		return vns_reply_error(r, "file name longer than %zu", sizeof(f->file) - 1);
	}
	/* DPDK's loader says EINVAL for a file it cannot open: say why first. */
	if (access(file, R_OK) < 0)
		return vns_reply_error(r, "bpf-load %s: %s", file, strerror(errno));
	f = rte_zmalloc("vns_bpf", sizeof(*f), 0);
	if (f == NULL) {
		return vns_reply_error(r, "bpf-load: no memory");
	}
	f->bpf = rte_bpf_elf_load(&prm, file, ".text");
	if (f->bpf == NULL) {
		rte_free(f);
		return vns_reply_error(
			r,
			"bpf-load %s: %s (an eBPF ELF object with the program in "
			".text, e.g. clang -O2 -target bpf -c; the log says what the "
			"verifier refused)",
			file, rte_strerror(rte_errno));
	}
	if (want_jit && rte_bpf_get_jit(f->bpf, &jit) == 0)
		f->jit = jit.func;
	snprintf(f->file, sizeof(f->file), "%s", file);
	publish(sw, slot, f);
	vns_reply_str(r, "file", "bpf %s loaded", file);
	vns_reply_str(r, "port", " on %s", vp->port->name);
	vns_reply_str(r, "direction", " %s", dir == VNS_BPF_RX ? "rx" : "tx");
	vns_reply_u64(r, "queue", " queue %" PRIu64, queue);
	vns_reply_str(r, "mode", " (%s)\n",
		      f->jit != NULL ? "JIT"
		      : want_jit     ? "no JIT here: interpreter"
				     : "interpreter");
	return 0;
}

int vns_bpf_unload(struct vns_switch *sw, struct vns_port *vp, enum vns_bpf_dir dir, uint16_t queue,
		   struct vns_reply *r)
{
	struct vns_bpf **slot = slot_of(vp, dir, queue, r);

	if (slot == NULL)
		return -1;
	if (*slot == NULL)
		return vns_reply_error(r, "no program on %s %s queue %u", vp->port->name,
				       dir == VNS_BPF_RX ? "rx" : "tx", queue);
	publish(sw, slot, NULL);
	return 0;
}

void vns_bpf_free_port(struct vns_port *vp)
{
	for (unsigned int d = 0; d < VNS_BPF_DIRS; d++)
		for (unsigned int q = 0; q < PORT_MAX_QUEUES; q++) {
			destroy(vp->bpf[d][q]);
			vp->bpf[d][q] = NULL;
		}
}
