/* SPDX-License-Identifier: BSD-3-Clause */
/* bpf-load and bpf-unload: programs published to the workers under RCU. */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "bpf_filter.h"
#include "options.h"

/* The program slot of (@dir, @queue) of @vp, or NULL after saying what was wrong. */
static struct vns_bpf **slot_of(struct vns_port *vp, const char *dir, const char *queue, FILE *out)
{
	bool rx = strcmp(dir, "rx") == 0;
	unsigned int nb = rx ? vp->info.nb_rx_queues : vp->info.nb_tx_queues;
	unsigned long q;

	if (!rx && strcmp(dir, "tx") != 0) {
		fprintf(out, "error: bpf direction '%s': expected rx or tx\n", dir);
		return NULL;
	}
	if (vns_parse_uint(queue, PORT_MAX_QUEUES - 1, &q) < 0 || q >= nb) {
		fprintf(out, "error: bpf queue '%s': port %s has %s queues 0..%u\n", queue,
			vp->port->name, dir, nb - 1);
		return NULL;
	}
	return &vp->bpf[rx ? VNS_BPF_RX : VNS_BPF_TX][q];
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

int vns_bpf_load(struct vns_switch *sw, struct vns_port *vp, const char *dir, const char *queue,
		 const char *flags, const char *file, FILE *out)
{
	struct vns_bpf **slot = slot_of(vp, dir, queue, out);
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
			fprintf(out,
				"error: bpf flag '%c': expected J (JIT) or - (interpreter)%s\n", *c,
				*c == 'M' || *c == 'm' ? "; M (an mbuf argument) is not offered"
						       : "");
			return -1;
		}
	}
	if (strlen(file) >= sizeof(f->file)) {
		fprintf(out, "error: bpf file name longer than %zu\n", sizeof(f->file) - 1);
		return -1;
	}
	f = rte_zmalloc("vns_bpf", sizeof(*f), 0);
	if (f == NULL) {
		fprintf(out, "error: bpf-load: no memory\n");
		return -1;
	}
	f->bpf = rte_bpf_elf_load(&prm, file, ".text");
	if (f->bpf == NULL) {
		fprintf(out,
			"error: bpf-load %s: %s (an eBPF ELF object with the program in .text, "
			"e.g. clang -O2 -target bpf -c; the log says what the verifier refused)\n",
			file, rte_strerror(rte_errno));
		rte_free(f);
		return -1;
	}
	if (want_jit && rte_bpf_get_jit(f->bpf, &jit) == 0)
		f->jit = jit.func;
	snprintf(f->file, sizeof(f->file), "%s", file);
	publish(sw, slot, f);
	fprintf(out, "bpf %s loaded on %s %s queue %s (%s)\n", file, vp->port->name, dir, queue,
		f->jit != NULL ? "JIT"
		: want_jit     ? "no JIT here: interpreter"
			       : "interpreter");
	return 0;
}

int vns_bpf_unload(struct vns_switch *sw, struct vns_port *vp, const char *dir, const char *queue,
		   FILE *out)
{
	struct vns_bpf **slot = slot_of(vp, dir, queue, out);

	if (slot == NULL)
		return -1;
	if (*slot == NULL) {
		fprintf(out, "error: bpf-unload: no program on %s %s queue %s\n", vp->port->name,
			dir, queue);
		return -1;
	}
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
