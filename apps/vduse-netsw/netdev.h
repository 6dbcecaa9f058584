/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_NETDEV_H
#define VNS_NETDEV_H

/**
 * @file
 * Placing a port's kernel netdev: into a network namespace, under a name.
 */

/**
 * Move netdev @p ifname into the network namespace @p netns (a name under
 * /run/netns, as `ip netns` makes them; "" to stay) and rename it to
 * @p newname ("" to keep the name), in one rtnetlink request.
 *
 * @return 0, or a negative errno after printing the cause.
 */
int vns_netdev_place(const char *ifname, const char *netns, const char *newname);

#endif /* VNS_NETDEV_H */
