/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_OPTIONS_H
#define VNS_OPTIONS_H

/**
 * @file
 * The switch's command line (after EAL's options and "--").
 */

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>

#include <net/if.h>
#include <sys/types.h>

#include "vduse_netdev.h"

/** Most ports the switch serves. */
#define VNS_MAX_PORTS 64
/** mbufs per NUMA socket by default (--mbufs); 2^n - 1 suits the mempool ring. */
#define VNS_NB_MBUFS 16383

/** Most frames received or sent in one go (--burst, "set burst"); also the default. */
#define VNS_BURST 32

/**
 * Length of the frames txonly and flowgen make (--txpkts, "set txpkts"),
 * FCS excluded, as testpmd's --txpkts counts: at least the Ethernet, IPv4
 * and UDP headers, at most one mbuf's data room (the frames are one segment).
 * The default is the 64-byte minimum on the wire.
 */
#define VNS_TXPKTS_MIN	   42
#define VNS_TXPKTS_MAX	   2048
#define VNS_TXPKTS_DEFAULT 60

/** Longest --idle-sleep, in microseconds. */
#define VNS_MAX_IDLE_SLEEP_US 10000

/** MAC table entries by default (--fdb-size). */
#define VNS_FDB_SIZE 8192
/** MAC aging time by default, in seconds (--aging); 802.1Q's default. */
#define VNS_AGING_SEC 300

/** Size of a port name, with its NUL. */
#define VNS_NAME_SIZE 32
/** Size of a netns= value (an absolute path is the longest form), with its NUL. */
#define VNS_NETNS_SIZE 256
/** netns=pid:PID: the network namespace of process PID (netns=PID too). */
#define VNS_NETNS_PID_PREFIX "pid:"
/** Size of an owner= value, with its NUL. */
#define VNS_OWNER_SIZE 160
/** Size of a control socket path (a Unix socket address), with its NUL. */
#define VNS_CONTROL_PATH_SIZE 108
/** Where the VDUSE ports' state files are kept by default (--state-dir). */
#define VNS_STATE_DIR "/run/vduse-netsw"
/** Size of a --state-dir path, with its NUL. */
#define VNS_STATE_DIR_SIZE 200
/** vns_options.control_gid when no --control-group is given. */
#define VNS_NO_GROUP ((gid_t)-1)

/** How a port treats VLANs (802.1Q), as OVS's access and trunk ports do. */
struct vns_port_vlan {
	/**
	 * Access port (vlan=N): untagged frames belong to VLAN @p access_vid,
	 * tagged ones are dropped, and frames leave untagged. 0: a trunk port.
	 */
	uint16_t access_vid;
	/**
	 * Trunk port: the VLAN of untagged frames (native=N); frames of it
	 * leave untagged. 0 is the untagged domain of ports without VLAN settings.
	 */
	uint16_t native_vid;
	/** Trunk port: VLANs taken and sent tagged (trunk=LIST), a bit per VLAN id. */
	uint64_t trunk[4096 / 64];
};

/** Offloads a port may offer (offloads=csum+tso+uso, or none). */
enum vns_offload {
	VNS_OFFLOAD_CSUM = 1 << 0, /**< partial checksums, both ways */
	VNS_OFFLOAD_TSO = 1 << 1,  /**< TCP segmentation (TSO4/6), both ways; needs csum */
	VNS_OFFLOAD_USO = 1 << 2,  /**< UDP segmentation (USO), both ways; needs csum */
	VNS_OFFLOAD_ALL = VNS_OFFLOAD_CSUM | VNS_OFFLOAD_TSO | VNS_OFFLOAD_USO,
};

/**
 * One --vduse NAME[,mac=MAC][,mtu=N][,netns=NS][,ifname=IF][,ip=CIDR]...[,gw=ADDR]
 * [,route=DST[@GW]]...[,owner=TEXT][,offloads=LIST] option.
 */
struct vns_vduse_spec {
	char name[VNS_NAME_SIZE]; /**< device name: letters, digits, '.', '-', '_' */
	uint8_t mac[6]; /**< MAC address (locally administered, derived from the name, by default)
			 */
	uint16_t mtu;	/**< MTU to offer; 0 offers none */
	/**
	 * Network namespace to move the netdev into: an `ip netns` name, an
	 * absolute path to a namespace file, or a process id ("PID", "pid:PID");
	 * "" to stay.
	 */
	char netns[VNS_NETNS_SIZE];
	char ifname[IF_NAMESIZE]; /**< name to give the netdev, or "" */
	unsigned int nb_addrs;	  /**< ip= addresses */
	struct vduse_ip_prefix addrs[VDUSE_NETDEV_MAX_ADDRS];
	unsigned int nb_routes; /**< gw= (default routes) and route= routes, in order */
	struct vduse_route routes[VDUSE_NETDEV_MAX_ROUTES];
	/** owner=: who attached it (an orchestrator's own words, e.g. a container id), or "" */
	char owner[VNS_OWNER_SIZE];
	unsigned int offloads;	   /**< enum vns_offload bits to offer (all by default) */
	struct vns_port_vlan vlan; /**< vlan=, trunk=, native= (a trunk of every VLAN by default) */
	int lcore;		   /**< lcore=: the worker polling it, or -1 to place it */
};

/** One --port NAME[,vlan=N][,trunk=LIST][,native=N][,rxq=N][,txq=N][,mtu=N] option. */
struct vns_port_spec {
	char name[VNS_NAME_SIZE];  /**< an ethdev's name, as EAL probed it (net_tap0) */
	struct vns_port_vlan vlan; /**< as for --vduse */
	uint16_t nb_rxq;	   /**< receive queues; 0: one */
	uint16_t nb_txq;	   /**< transmit queues; 0: one per worker, as the port allows */
	uint16_t mtu;		   /**< MTU to set; 0 keeps the device's */
	int lcore; /**< lcore=: the worker polling its queues, or -1 to place them */
};

/** Everything the command line says. */
struct vns_options {
	unsigned int nb_vduse;				/**< VDUSE ports */
	struct vns_vduse_spec vduse[VNS_MAX_PORTS];	/**< their specs, in order */
	unsigned int nb_port_specs;			/**< --port options */
	struct vns_port_spec port_specs[VNS_MAX_PORTS]; /**< settings of ethdev ports */
	char fwd[VNS_NAME_SIZE];			/**< forwarding engine (--fwd) */
	uint32_t fdb_size;				/**< MAC table entries (--fdb-size) */
	uint32_t aging_sec;				/**< MAC aging time, 0: never (--aging) */
	uint32_t nb_mbufs;	/**< mbufs per NUMA socket's pool (--mbufs) */
	uint32_t idle_sleep_us; /**< longest sleep of an idle worker, us; 0: pure polling */
	bool hugepages;	  /**< hugepage-backed bounce buffers where free (--no-hugepages: never) */
	bool packed_ring; /**< offer VIRTIO_F_RING_PACKED */
	uint16_t queue_size;		     /**< ring size offered */
	unsigned int stats_period;	     /**< seconds between stats lines, 0: none */
	char control[VNS_CONTROL_PATH_SIZE]; /**< control socket path, or "" */
	gid_t control_gid; /**< group allowed on the control socket, or VNS_NO_GROUP */
	/** Directory of the ports' state files, to take surviving devices back. */
	char state_dir[VNS_STATE_DIR_SIZE];
	bool fresh; /**< replace surviving devices instead of taking them back */
	/* testpmd's options */
	bool interactive;	     /**< -i: the interactive CLI on the terminal */
	bool auto_start;	     /**< --auto-start: forward at once even with -i */
	bool tx_first;		     /**< --tx-first: start with a burst sent from every port */
	char cmdline_file[PATH_MAX]; /**< --cmdline-file: commands run at start, or "" */
	unsigned int nb_cores;	     /**< --nb-cores: workers that poll; 0: all */
	uint16_t burst;		     /**< --burst: frames per receive burst, 1..VNS_BURST */
	uint16_t txpkts;	     /**< --txpkts: generated frame length, bytes without FCS */
	uint16_t nb_rxq;	     /**< --rxq: receive queues of an ethdev port; 0: 1 */
	uint16_t nb_txq;	     /**< --txq: transmit queues of an ethdev port; 0: per worker */
	uint16_t nb_rxd;	     /**< --rxd: descriptors per ethdev receive queue; 0: PMD's */
	uint16_t nb_txd;	     /**< --txd: descriptors per ethdev transmit queue; 0: PMD's */
};

/**
 * Parse the switch's arguments (argv[0] is the program name).
 *
 * @return 0; 1 when --help asked for the usage, which went to stdout; or -1
 *   after printing what is wrong (and the usage) to stderr.
 */
int vns_parse_options(int argc, char **argv, struct vns_options *opts);

/**
 * Check a VDUSE port's name: letters, digits, '.', '-', '_', starting with a
 * letter or digit (it names /dev/vduse/NAME and a state file).
 *
 * @return 0, or -1 after printing what was wrong to @p err.
 */
int vns_check_port_name(const char *name, FILE *err);

/**
 * Parse the value of one --vduse option (NAME[,KEY=VALUE]...); @p arg is
 * changed. Also for the control socket's "port add vduse".
 *
 * @return 0, or -1 after printing what is wrong to @p err.
 */
int vns_parse_vduse(char *arg, struct vns_vduse_spec *spec, FILE *err);

/**
 * Parse the value of one --port option (NAME[,KEY=VALUE]...); @p arg is
 * changed. Also for the control socket's "port add ethdev".
 *
 * @return 0, or -1 after printing what is wrong to @p err.
 */
int vns_parse_port(char *arg, struct vns_port_spec *spec, FILE *err);

/**
 * Parse a trunk's VLAN list (as trunk=LIST: VLAN ids and ranges A-B joined
 * by '+') into @p v's trunk bits, for the command "vlan set trunk" on port
 * @p port; @p list is changed.
 *
 * @return 0, or -1 after printing what is wrong (naming the command and
 *   @p port) to @p err.
 */
int vns_parse_vlan_list(const char *port, char *list, struct vns_port_vlan *v, FILE *err);

/** Print the switch's options (those after "--") to @p out. */
void vns_usage(FILE *out, const char *prog);

/**
 * Parse a decimal number of digits only ("-1", " 5" and "+5" are refused,
 * which strtoul() alone takes) no greater than @p max.
 *
 * @return 0, or -1 when @p s is not such a number.
 */
int vns_parse_uint(const char *s, unsigned long max, unsigned long *v);

/**
 * Parse a MAC address written as exactly six two-digit hex bytes separated
 * by ':' ("02:00:00:00:00:01"); any address, unicast or not.
 *
 * @return 0, or -1 when @p s is not written that way.
 */
int vns_parse_mac(const char *s, uint8_t mac[6]);

#endif /* VNS_OPTIONS_H */
