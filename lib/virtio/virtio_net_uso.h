/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VIRTIO_NET_USO_H
#define VIRTIO_NET_USO_H

/**
 * @file
 * UDP segmentation offload (USO) in virtio-net, from virtio 1.2 and Linux
 * 6.2: newer than the UAPI headers of Debian 12 (Linux 6.1). Unlike UFO,
 * which fragments one UDP datagram at the IP layer, USO cuts the payload
 * into gso_size pieces that each get their own UDP header.
 */

#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_F_GUEST_USO4
#define VIRTIO_NET_F_GUEST_USO4 54 /**< driver takes USO frames over IPv4 */
#endif
#ifndef VIRTIO_NET_F_GUEST_USO6
#define VIRTIO_NET_F_GUEST_USO6 55 /**< driver takes USO frames over IPv6 */
#endif
#ifndef VIRTIO_NET_F_HOST_USO
#define VIRTIO_NET_F_HOST_USO 56 /**< device takes USO frames from the driver */
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /**< gso_type of a USO frame */
#endif

#endif /* VIRTIO_NET_USO_H */
