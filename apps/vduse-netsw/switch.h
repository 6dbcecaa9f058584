/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_SWITCH_H
#define VNS_SWITCH_H

/**
 * @file
 * The switch's shared state: the port table, the MAC table, the forwarding
 * engine and the workers. The control thread owns it; the workers read the
 * parts marked so, which are published with release stores and retired
 * through the RCU variable @ref vns_switch::qsbr.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "fdb.h"
#include "options.h"
#include "port.h"

struct capture;
struct fwd_engine;
struct vns_bpf;
struct vns_worker;

/** Directions of a port's eBPF filters (filter/bpf_filter.h). */
enum vns_bpf_dir {
	VNS_BPF_RX,   /**< frames the port received */
	VNS_BPF_TX,   /**< frames it is to send */
	VNS_BPF_DIRS, /**< the number of directions */
};

/** Counters the workers keep of one port, summed over the workers (stats/stats.h). */
struct vns_port_sums {
	uint64_t tx_full;     /**< dropped: the transmit queue stayed full */
	uint64_t filtered;    /**< dropped by the engine (VLAN, same port, no peer) */
	uint64_t flooded;     /**< frames flooded by the bridge */
	uint64_t no_mbuf;     /**< flood copies or generated frames without an mbuf */
	uint64_t bpf_dropped; /**< frames an eBPF port filter dropped */
};

/** A port's counters at one moment, to show what changed since (stats/stats.h). */
struct vns_port_counts {
	struct port_stats port;	   /**< the driver's */
	struct vns_port_sums sums; /**< the workers' */
	uint64_t tsc;		   /**< when, in TSC cycles */
};

/** A port of the switch: the driver's port, and what the switch keeps of it. */
struct vns_port {
	struct port *port;	   /**< the driver's port */
	struct port_info info;	   /**< as opened */
	struct vns_port_vlan vlan; /**< VLAN mode; workers read it */
	bool vduse;		   /**< a VDUSE port (netdev placement, state files) */
	int lcore;		   /**< the worker lcore its queues are pinned to, or -1 */
	/** Serialises a transmit queue shared by more workers than it has queues. */
	rte_spinlock_t txq_lock[PORT_MAX_QUEUES];
	bool txq_shared; /**< more workers than transmit queues: take the lock */
	/** eBPF filters by direction and queue, or NULL; workers read them each burst. */
	struct vns_bpf *bpf[VNS_BPF_DIRS][PORT_MAX_QUEUES];
	bool stopped; /**< "port stop": no worker polls it, its device is stopped */
	bool promisc; /**< "set promisc": takes frames for every MAC (ethdev ports) */
	struct vns_port_counts cleared;	  /**< at "clear port stats" (zero before) */
	struct vns_port_counts fwd_start; /**< at "start" */
	struct vns_port_counts shown;	  /**< at the last "show port stats", for rates */
	/* A VDUSE port's netdev, as placed when it was added; the control thread's. */
	char netdev[IF_NAMESIZE];   /**< its name, or "" */
	char netns[VNS_NETNS_SIZE]; /**< its network namespace as given, or "" (the switch's) */
	char owner[VNS_OWNER_SIZE]; /**< owner= text, or "" */
};

/** Everything the switch runs. */
struct vns_switch {
	/** Port table, by port id; NULL where none. Workers read it. */
	struct vns_port *ports[VNS_MAX_PORTS];
	unsigned int nb_ports;		 /**< highest port id + 1 */
	struct fdb *fdb;		 /**< the bridge's MAC table */
	const struct fwd_engine *engine; /**< workers read it each round */
	struct vns_worker *workers;	 /**< one per worker lcore */
	unsigned int nb_workers;	 /**< their number */
	struct rte_rcu_qsbr *qsbr;	 /**< the workers report to it */
	const struct vns_options *opts;	 /**< settings for ports added at run time */
	/** The running packet capture, or NULL; workers read it each round (capture_ctl.h). */
	struct capture *capture;
	/**
	 * The control plane's lock: the control thread holds it while it runs
	 * a command, syncs the MAC table or closes the switch; telemetry's
	 * thread while it reads. The workers never take it.
	 */
	pthread_mutex_t lock;
	bool closing; /**< set under @p lock when the switch starts closing */
	/** Forwarding ("start"): workers poll their queues only then; they read it each round. */
	bool forwarding;
	/** Frames a worker takes from a queue at once, 1..VNS_BURST ("set burst"); read each round.
	 */
	uint16_t burst;
	/** Length of txonly's and flowgen's frames, FCS excluded ("set txpkts"); read each burst.
	 */
	uint16_t txpkts;
	bool hugepages;	    /**< VDUSE bounce buffers in hugepages (some were free at start) */
	volatile bool stop; /**< set to end the workers' loops */
};

/**
 * Whether @p vid is one of @p v's VLANs (its access VLAN, or a trunked or
 * native one). Any thread.
 */
static inline bool vns_vlan_member(const struct vns_port_vlan *v, uint16_t vid)
{
	if (v->access_vid != 0)
		return vid == v->access_vid;
	return vid == v->native_vid || (v->trunk[vid / 64] >> (vid % 64)) & 1;
}

/** The port of @p sw called @p name, or NULL. Control thread. */
static inline struct vns_port *vns_port_by_name(struct vns_switch *sw, const char *name)
{
	unsigned int i;

	for (i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL && strcmp(sw->ports[i]->port->name, name) == 0)
			return sw->ports[i];
	return NULL;
}

/**
 * The port of @p sw called @p name, or else numbered @p name (as testpmd
 * names ports), or NULL. Control thread.
 */
static inline struct vns_port *vns_port_find(struct vns_switch *sw, const char *name)
{
	struct vns_port *vp = vns_port_by_name(sw, name);
	unsigned long id;

	if (vp != NULL)
		return vp;
	if (vns_parse_uint(name, VNS_MAX_PORTS - 1, &id) == 0 && id < sw->nb_ports)
		return sw->ports[id];
	return NULL;
}

#endif /* VNS_SWITCH_H */
