/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_NETDEV_H
#define VNS_NETDEV_H

/**
 * @file
 * Placing a port's kernel netdev: into a network namespace, under a name.
 */

/**
 * Open a network namespace given as in netns=: an `ip netns` name (the file
 * /run/netns/NAME), an absolute path to a namespace file (/proc/PID/ns/net or
 * a bind mount of one), or "pid:PID" (/proc/PID/ns/net).
 *
 * @return an fd on the namespace, or a negative errno after printing the
 *   cause: a missing file, or a file that is not a network namespace.
 */
int vns_netns_open(const char *netns);

/**
 * Move netdev @p ifname into the network namespace @p ns_fd (from
 * vns_netns_open(); -1 to stay) and rename it to @p newname ("" to keep the
 * name), in one rtnetlink request.
 *
 * @return 0, or a negative errno after printing the cause.
 */
int vns_netdev_place(const char *ifname, int ns_fd, const char *newname);

#endif /* VNS_NETDEV_H */
