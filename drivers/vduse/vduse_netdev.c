/* SPDX-License-Identifier: BSD-3-Clause */
/* A VDUSE port's netdev: into its namespace, renamed, addressed, routed, up. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>

#include "nl.h"
#include "vduse_netdev.h"

int vduse_ip_parse(const char *s, bool with_len, struct vduse_ip_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned long len;
	char *end;

	if (n >= sizeof(addr) || (slash != NULL && !with_len))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	out->len = out->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || end == slash + 1 || *end != '\0' || len > out->len)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int vduse_netns_open(const char *netns, char *why, size_t why_len)
{
	char path[PATH_MAX], hint[128] = "";
	const char *pid = NULL;
	int fd, ret;

	if (strncmp(netns, "pid:", 4) == 0)
		pid = netns + 4;
	else if (all_digits(netns))
		pid = netns;
	if (*netns == '/') {
		snprintf(path, sizeof(path), "%s", netns);
	} else if (pid != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
		snprintf(hint, sizeof(hint), " (is process %s running?)", pid);
	} else {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		snprintf(hint, sizeof(hint), " (create it with: ip netns add %s)", netns);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "network namespace %s: %s%s", path, strerror(-ret), hint);
		return ret;
	}
	/* Any file opens; only a namespace file answers NS_GET_NSTYPE. */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		snprintf(why, why_len,
			 "%s is not a network namespace (expected an 'ip netns' name, a process "
			 "id, /proc/PID/ns/net or a bind mount of one)",
			 path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * A rtnetlink socket in namespace @p ns_fd (-1: the caller's). A socket
 * stays in the namespace it was made in, so the thread only passes through.
 */
static int rtnl_open_in(int ns_fd, const char *netns, char *why, size_t why_len)
{
	int self, fd, ret;

	if (ns_fd < 0)
		return nl_open(NETLINK_ROUTE);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		ret = -errno;
		snprintf(why, why_len, "cannot open this thread's network namespace: %s",
			 strerror(-ret));
		return ret;
	}
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		snprintf(why, why_len, "cannot enter network namespace %s: %s", netns,
			 strerror(-ret));
		close(self);
		return ret;
	}
	fd = nl_open(NETLINK_ROUTE);
	/*
	 * Staying behind would put every later socket of this thread (vdpa
	 * netlink, the next ports) in the container: better to stop here.
	 */
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "vduse: cannot return from network namespace %s: %s\n", netns,
			strerror(errno));
		abort();
	}
	close(self);
	if (fd < 0)
		snprintf(why, why_len, "no rtnetlink socket in %s: %s", netns, strerror(-fd));
	return fd;
}

/* The ifindex of @p name on socket @p fd's namespace; negative errno if none. */
static int link_index(int fd, const char *name)
{
	struct nl_msg req, reply;
	struct ifinfomsg *ifi = nl_msg_init(&req, RTM_GETLINK, 0, sizeof(*ifi));
	char why[64];
	int ret;

	ifi->ifi_family = AF_UNSPEC;
	ret = nl_put_str(&req, IFLA_IFNAME, name);
	reply.hdr = NULL;
	if (ret == 0)
		ret = nl_transact(fd, &req, &reply, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (reply.hdr == NULL || reply.hdr->nlmsg_type != RTM_NEWLINK)
		return -ENODEV;
	return ((struct ifinfomsg *)NLMSG_DATA(reply.hdr))->ifi_index;
}

int vduse_netdev_check_free(int ns_fd, const char *ifname, char *why, size_t why_len)
{
	int fd = rtnl_open_in(ns_fd, "", why, why_len), ret;

	if (fd < 0)
		return fd;
	ret = link_index(fd, ifname);
	close(fd);
	if (ret >= 0) {
		snprintf(why, why_len, "interface %s exists already%s (expected a free name)",
			 ifname, ns_fd >= 0 ? " in that network namespace" : "");
		return -EEXIST;
	}
	return 0;
}

/* Send @p req on @p fd; on failure say which @p step in @p why. */
static int step(int fd, struct nl_msg *req, const char *step, char *why, size_t why_len)
{
	char kernel[256];
	int ret = nl_transact(fd, req, NULL, kernel, sizeof(kernel));

	if (ret < 0)
		snprintf(why, why_len, "%s: %s%s%s", step, strerror(-ret), *kernel ? ": " : "",
			 kernel);
	return ret;
}

/* RTM_NEWLINK on @p index: new name, namespace, MTU, flags, as given. */
static struct ifinfomsg *link_request(struct nl_msg *req, int index)
{
	struct ifinfomsg *ifi = nl_msg_init(req, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return ifi;
}

static size_t addr_bytes(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void prefix_str(const struct vduse_ip_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static int add_addr(int fd, int index, const struct vduse_ip_prefix *p, char *why, size_t why_len)
{
	struct nl_msg req;
	struct ifaddrmsg *ifa =
		nl_msg_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	char name[INET6_ADDRSTRLEN + 8], what[64];
	int ret;

	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)index;
	/* An address the container cannot use for a second or two helps nobody. */
	if (p->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	ret = nl_put(&req, IFA_ADDRESS, p->addr, addr_bytes(p->family));
	if (ret == 0 && p->family == AF_INET)
		ret = nl_put(&req, IFA_LOCAL, p->addr, 4);
	prefix_str(p, name, sizeof(name));
	snprintf(what, sizeof(what), "address %s", name);
	return ret < 0 ? ret : step(fd, &req, what, why, why_len);
}

static int add_route(int fd, int index, const struct vduse_route *r, char *why, size_t why_len)
{
	struct nl_msg req;
	struct rtmsg *rtm =
		nl_msg_init(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
	char dst[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN] = "", what[128];
	int ret = 0;

	rtm->rtm_family = (uint8_t)r->dst.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->dst.len > 0)
		ret = nl_put(&req, RTA_DST, r->dst.addr, addr_bytes(r->dst.family));
	if (ret == 0 && r->via)
		ret = nl_put(&req, RTA_GATEWAY, r->gw, addr_bytes(r->dst.family));
	if (ret == 0)
		ret = nl_put_u32(&req, RTA_OIF, (uint32_t)index);
	prefix_str(&r->dst, dst, sizeof(dst));
	if (r->via)
		inet_ntop(r->dst.family, r->gw, gw, sizeof(gw));
	snprintf(what, sizeof(what), "route %s%s%s", r->dst.len ? dst : "default",
		 r->via ? " via " : "", gw);
	return ret < 0 ? ret : step(fd, &req, what, why, why_len);
}

int vduse_netdev_setup(const char *netdev, const struct vduse_netdev_conf *conf, char *why,
		       size_t why_len)
{
	const char *final = *conf->ifname ? conf->ifname : netdev;
	char tmp[IF_NAMESIZE], name[IF_NAMESIZE];
	struct ifinfomsg *ifi;
	struct nl_msg req;
	int fd, index, ret;
	unsigned int i;

	index = (int)if_nametoindex(netdev);
	if (index == 0) {
		snprintf(why, why_len, "netdev %s: not found", netdev);
		return -ENODEV;
	}
	snprintf(name, sizeof(name), "%s", netdev);
	if (conf->ns_fd >= 0) {
		fd = nl_open(NETLINK_ROUTE);
		if (fd < 0) {
			snprintf(why, why_len, "no rtnetlink socket: %s", strerror(-fd));
			return fd;
		}
		snprintf(tmp, sizeof(tmp), "vnstmp%x", (unsigned int)index);
		link_request(&req, index);
		ret = nl_put_u32(&req, IFLA_NET_NS_FD, (uint32_t)conf->ns_fd);
		if (ret == 0)
			ret = nl_put_str(&req, IFLA_IFNAME, tmp);
		if (ret == 0)
			ret = step(fd, &req, "move to the network namespace", why, why_len);
		close(fd);
		if (ret < 0)
			return ret;
		snprintf(name, sizeof(name), "%s", tmp);
	}
	fd = rtnl_open_in(conf->ns_fd, conf->netns, why, why_len);
	if (fd < 0)
		return fd;
	/* The index may change on the move: the namespace has its own. */
	index = link_index(fd, name);
	if (index < 0) {
		snprintf(why, why_len, "netdev %s: not found after the move: %s", name,
			 strerror(-index));
		ret = index;
		goto out;
	}
	link_request(&req, index);
	ret = strcmp(name, final) != 0 ? nl_put_str(&req, IFLA_IFNAME, final) : 0;
	if (ret == 0 && conf->mtu != 0)
		ret = nl_put_u32(&req, IFLA_MTU, conf->mtu);
	if (ret == 0 && (strcmp(name, final) != 0 || conf->mtu != 0))
		ret = step(fd, &req, strcmp(name, final) != 0 ? "rename" : "set MTU", why, why_len);
	if (ret == -EEXIST)
		snprintf(why, why_len, "interface %s exists already (expected a free name)", final);
	if (ret == 0 && conf->up) {
		ifi = link_request(&req, index);
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		ret = step(fd, &req, "set link up", why, why_len);
	}
	for (i = 0; ret == 0 && i < conf->nb_addrs; i++)
		ret = add_addr(fd, index, &conf->addrs[i], why, why_len);
	for (i = 0; ret == 0 && i < conf->nb_routes; i++)
		ret = add_route(fd, index, &conf->routes[i], why, why_len);
out:
	close(fd);
	return ret;
}
