/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_OPTIONS_H
#define VNS_OPTIONS_H

/**
 * @file
 * The switch's command line (after EAL's options and "--").
 */

#include <stdbool.h>
#include <stdint.h>

#include <net/if.h>

/** Most ports the switch serves. */
#define VNS_MAX_PORTS 64

/** Offloads a port may offer (offloads=csum+tso+uso, or none). */
enum vns_offload {
	VNS_OFFLOAD_CSUM = 1 << 0, /**< partial checksums, both ways */
	VNS_OFFLOAD_TSO = 1 << 1,  /**< TCP segmentation (TSO4/6), both ways; needs csum */
	VNS_OFFLOAD_USO = 1 << 2,  /**< UDP segmentation (USO), both ways; needs csum */
	VNS_OFFLOAD_ALL = VNS_OFFLOAD_CSUM | VNS_OFFLOAD_TSO | VNS_OFFLOAD_USO,
};

/** One --vduse NAME[,mac=MAC][,mtu=N][,netns=NS][,ifname=IF][,offloads=LIST] option. */
struct vns_vduse_spec {
	char name[32];	/**< device name */
	uint8_t mac[6]; /**< MAC address (locally administered, derived from the name, by default)
			 */
	uint16_t mtu;	/**< MTU to offer; 0 offers none */
	char netns[64]; /**< network namespace to move the netdev into, or "" */
	char ifname[IF_NAMESIZE]; /**< name to give the netdev, or "" */
	unsigned int offloads;	  /**< enum vns_offload bits to offer (all by default) */
};

/** Everything the command line says. */
struct vns_options {
	unsigned int nb_vduse;			    /**< VDUSE ports */
	struct vns_vduse_spec vduse[VNS_MAX_PORTS]; /**< their specs, in order */
	bool hugepages;				    /**< hugepage-backed bounce buffers */
	bool packed_ring;			    /**< offer VIRTIO_F_RING_PACKED */
	uint16_t queue_size;			    /**< ring size offered */
	unsigned int stats_period;		    /**< seconds between stats lines, 0: none */
	char control[108];			    /**< control socket path, or "" for none */
};

/**
 * Parse the switch's arguments.
 *
 * @return 0, or -1 after printing what is wrong (and the usage).
 */
int vns_parse_options(int argc, char **argv, struct vns_options *opts);

/** Parse "aa:bb:cc:dd:ee:ff". @return 0 or -1. */
int vns_parse_mac(const char *s, uint8_t mac[6]);

#endif /* VNS_OPTIONS_H */
