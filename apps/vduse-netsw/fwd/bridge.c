/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bridge: an L2 learning switch (IEEE 802.1Q bridging). Each frame is given
 * its VLAN by the ingress port's mode, its source MAC is learned, and it goes
 * to the port the MAC table knows for its destination, or is flooded to the
 * ports of its VLAN but the one it came from (broadcast, multicast, unknown
 * unicast). Trunk ports carry the 802.1Q tag; access ports never do.
 *
 * Inside the switch a frame is untagged: the tag of a tagged frame is
 * removed at ingress and one is inserted at egress where the port wants it.
 */
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "fdb.h"
#include "fwd.h"

/* l2_len of a frame asking for offloads follows its tag when one comes or goes. */
#define TX_OFFLOAD_FLAGS                                                         \
	(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_L4_MASK | \
	 RTE_MBUF_F_TX_IP_CKSUM)

/*
 * The VLAN of a frame received on @p in, its tag removed; or -1 when the
 * port's mode refuses it (a tagged frame on an access port, a VLAN the trunk
 * does not carry).
 */
static int ingress_vlan(const struct vns_port *in, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct vns_port_vlan *v = &in->vlan;
	uint16_t vid;

	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	    m->data_len < sizeof(*eth) + sizeof(struct rte_vlan_hdr)) {
		/* Untagged: the access VLAN, or the trunk's native one. */
		return v->access_vid != 0 ? v->access_vid : v->native_vid;
	}
	vid = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eth + 1))->vlan_tci) &
	      RTE_VLAN_ID_MASK;
	/* A priority tag (VLAN 0) marks an untagged frame (802.1Q 6.9.1). */
	if (vid == 0)
		vid = v->access_vid != 0 ? v->access_vid : v->native_vid;
	else if (v->access_vid != 0 || !vns_vlan_member(v, vid))
		return -1;
	if (rte_vlan_strip(m) != 0)
		return -1;
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	if ((m->ol_flags & TX_OFFLOAD_FLAGS) && m->l2_len >= sizeof(*eth) + RTE_VLAN_HLEN)
		m->l2_len -= RTE_VLAN_HLEN;
	return vid;
}

/* Queue @p m for @p out, tagged if @p out is a trunk and @p vid not its native VLAN. */
static void send_out(struct vns_worker *w, const struct vns_port *out, uint16_t vid,
		     struct rte_mbuf *m)
{
	const struct vns_port_vlan *v = &out->vlan;

	if (v->access_vid == 0 && vid != v->native_vid) {
		m->vlan_tci = vid;
		if (unlikely(rte_vlan_insert(&m) != 0)) {
			rte_pktmbuf_free(m);
			w->counters[out->port->id].no_mbuf++;
			return;
		}
		if (m->ol_flags & TX_OFFLOAD_FLAGS)
			m->l2_len += RTE_VLAN_HLEN;
	}
	vns_worker_send(w, out->port->id, m);
}

/* Every port of VLAN @p vid but @p in gets the frame: copies, and @p m to the last. */
static void flood(struct vns_worker *w, const struct vns_port *in, uint16_t vid, struct rte_mbuf *m)
{
	const struct vns_switch *sw = w->sw;
	const struct vns_port *last = NULL;
	unsigned int i, nb_ports = __atomic_load_n(&sw->nb_ports, __ATOMIC_ACQUIRE);

	w->counters[in->port->id].flooded++;
	for (i = 0; i < nb_ports; i++) {
		const struct vns_port *vp = __atomic_load_n(&sw->ports[i], __ATOMIC_ACQUIRE);
		struct rte_mbuf *copy;

		if (vp == NULL || vp == in || !vns_vlan_member(&vp->vlan, vid))
			continue;
		if (last != NULL) {
			/* A deep copy: an egress may insert a tag or finish a checksum. */
			copy = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
			if (copy == NULL)
				w->counters[last->port->id].no_mbuf++;
			else
				send_out(w, last, vid, copy);
		}
		last = vp;
	}
	if (last != NULL) {
		send_out(w, last, vid, m);
	} else {
		rte_pktmbuf_free(m);
		w->counters[in->port->id].filtered++;
	}
}

/*
 * The burst's sources are learned and its destinations looked up through
 * the worker's cache of the MAC table, then in one pass of the table each
 * for what the cache missed: the hash lookups of 32 frames overlap.
 */
static void bridge_rx_burst(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			    uint16_t n)
{
	const struct rte_ether_hdr *hdr[VNS_BURST];
	struct vns_switch *sw = w->sw;
	uint16_t vids[VNS_BURST], out_ids[VNS_BURST], in_id = in->port->id, i, k = 0;
	struct rte_mbuf *frames[VNS_BURST];
	uint64_t hits = 0;
	int vid;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth;

		if (unlikely(m->data_len < sizeof(*eth)) || (vid = ingress_vlan(in, m)) < 0) {
			fwd_drop(w, in, &m, 1);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		frames[k] = m;
		vids[k] = (uint16_t)vid;
		hdr[k] = eth;
		k++;
	}
	if (k == 0)
		return;
	/*
	 * Multicast and zero sources are refused (and counted) by the table,
	 * and such destinations never found in it.
	 */
	fdb_learn_bulk(sw->fdb, w->fdb_cache, vids, hdr, k, in_id);
	fdb_lookup_bulk(sw->fdb, w->fdb_cache, vids, hdr, k, out_ids, &hits);
	for (i = 0; i < k; i++) {
		const struct vns_port *out = NULL;

		if ((hits >> i) & 1)
			out = __atomic_load_n(&sw->ports[out_ids[i]], __ATOMIC_ACQUIRE);
		if (out == NULL || !vns_vlan_member(&out->vlan, vids[i])) {
			/* Unknown, or of a port gone or moved out of the VLAN: flooded. */
			flood(w, in, vids[i], frames[i]);
		} else if (out == in) {
			/* Both ends behind the same port: it already has the frame. */
			fwd_drop(w, in, &frames[i], 1);
		} else {
			send_out(w, out, vids[i], frames[i]);
		}
	}
}

const struct fwd_engine fwd_bridge = {
	.name = "bridge",
	.help = "L2 learning switch: MAC table per VLAN, flooding, access and trunk ports",
	.rx_burst = bridge_rx_burst,
};
