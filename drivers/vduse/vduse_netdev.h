/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VDUSE_NETDEV_H
#define VDUSE_NETDEV_H

/**
 * @file
 * Placing and setting up the kernel netdev that virtio_net made of a VDUSE
 * port: into a network namespace (a container's), under its name there,
 * with MTU, addresses, routes and the link up — what a CNI plugin or
 * `ip link set netns` + `ip addr add` + `ip route add` would do, in
 * rtnetlink requests (rtnetlink(7)).
 *
 * Thread context: the control thread. vduse_netdev_setup() and
 * vduse_netdev_check_free() switch the calling thread's network namespace
 * for an instant (setns(2)) to open a socket in the target one; no other
 * thread is affected.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most addresses (ip=) a netdev is given. */
#define VDUSE_NETDEV_MAX_ADDRS 4
/** Most routes (route=, gw=) a netdev is given. */
#define VDUSE_NETDEV_MAX_ROUTES 8

/** An IPv4 or IPv6 address or network with its prefix length. */
struct vduse_ip_prefix {
	int family;	  /**< AF_INET or AF_INET6 */
	uint8_t addr[16]; /**< network byte order; the first 4 bytes for AF_INET */
	uint8_t len;	  /**< prefix length: 0..32 (AF_INET), 0..128 (AF_INET6) */
};

/** A route through the netdev. */
struct vduse_route {
	struct vduse_ip_prefix dst; /**< destination; length 0 is the default route */
	bool via;		    /**< through the gateway @p gw, else on the link */
	uint8_t gw[16];		    /**< gateway, of dst.family */
};

/** Where the netdev goes and what it is given there. */
struct vduse_netdev_conf {
	int ns_fd;	       /**< target namespace (vduse_netns_open()), or -1 to stay */
	const char *netns;     /**< that namespace as the user named it, for messages */
	const char *ifname;    /**< name there, or "" to keep the kernel's */
	uint16_t mtu;	       /**< MTU to set, or 0 to keep the device's */
	bool up;	       /**< set the link up (administratively) */
	unsigned int nb_addrs; /**< entries of @p addrs */
	struct vduse_ip_prefix addrs[VDUSE_NETDEV_MAX_ADDRS];
	unsigned int nb_routes; /**< entries of @p routes, added in order */
	struct vduse_route routes[VDUSE_NETDEV_MAX_ROUTES];
};

/**
 * Parse an IPv4 or IPv6 address, with "/LEN" when @p with_len (the full
 * length when it is missing), without otherwise.
 *
 * @param s  e.g. "10.0.0.2/24", "fd00::2/64", "10.0.0.1"
 * @return 0, or -EINVAL (not an address, a bad or out-of-range length).
 */
int vduse_ip_parse(const char *s, bool with_len, struct vduse_ip_prefix *out);

/**
 * Open a network namespace named in one of the usual ways: an `ip netns`
 * name (/run/netns/NAME), a process id ("1234" or "pid:1234": its
 * /proc/PID/ns/net) or an absolute path to a namespace file
 * (/proc/PID/ns/net, /var/run/netns/X, a runtime's CNI_NETNS).
 *
 * @param why  receives the cause on failure: the file is missing (with
 *             how to make it), or not a network namespace
 * @return an fd on the namespace (O_CLOEXEC), or a negative errno.
 */
int vduse_netns_open(const char *netns, char *why, size_t why_len);

/**
 * Whether @p ifname is free in namespace @p ns_fd (-1: the caller's).
 *
 * @return 0 when free, -EEXIST when a netdev has that name (@p why says
 *         so), or another negative errno (the namespace cannot be entered).
 */
int vduse_netdev_check_free(int ns_fd, const char *ifname, char *why, size_t why_len);

/**
 * Move netdev @p netdev (in the caller's namespace) to conf->ns_fd under a
 * temporary name, then, there: rename it to conf->ifname, set the MTU, set
 * it up, add the addresses and then the routes. The temporary name keeps
 * the final one from ever naming a half-set-up netdev, and a rename in the
 * target namespace is what fails, cleanly, when the name was taken
 * meanwhile.
 *
 * Nothing is undone on failure: the caller removes the device, which takes
 * the netdev, its addresses and its routes with it wherever it is.
 *
 * @param why  receives the step that failed and the kernel's reason
 * @return 0, or the failed step's negative errno.
 */
int vduse_netdev_setup(const char *netdev, const struct vduse_netdev_conf *conf, char *why,
		       size_t why_len);

#endif /* VDUSE_NETDEV_H */
