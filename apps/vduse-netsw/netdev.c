/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink RTM_NEWLINK on an existing link: namespace and name. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "netdev.h"
#include "log.h"
#include "options.h"

struct link_request {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static void add_attr(struct link_request *req, unsigned short type, const void *data,
		     unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send @req and read the kernel's acknowledgement. */
static int rtnl_transact(struct link_request *req)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	ssize_t len;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	ret = len < 0 ? -errno : -EPROTO;
	if (len >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && nh->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	close(fd);
	return ret;
}

int vns_netns_open(const char *netns)
{
	const size_t prefix = strlen(VNS_NETNS_PID_PREFIX);
	char path[PATH_MAX], hint[128] = "";
	int fd, ret;

	if (*netns == '/') {
		snprintf(path, sizeof(path), "%s", netns);
	} else if (strncmp(netns, VNS_NETNS_PID_PREFIX, prefix) == 0) {
		snprintf(path, sizeof(path), "/proc/%s/ns/net", netns + prefix);
		snprintf(hint, sizeof(hint), " (is process %s running?)", netns + prefix);
	} else {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		snprintf(hint, sizeof(hint), " (create it with: ip netns add %s)", netns);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		VNS_LOG(ERR, "network namespace %s: %s%s", path, strerror(-ret), hint);
		return ret;
	}
	/* Any file opens; only a namespace file answers NS_GET_NSTYPE. */
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		VNS_LOG(ERR,
			"%s is not a network namespace (expected /run/netns/NAME, /proc/PID/ns/net "
			"or a bind mount of one)",
			path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int vns_netdev_place(const char *ifname, int ns_fd, const char *newname)
{
	struct link_request req;
	unsigned int ifindex;
	int ret;

	if (ns_fd < 0 && *newname == '\0')
		return 0;
	ifindex = if_nametoindex(ifname);
	if (ifindex == 0) {
		VNS_LOG(ERR, "netdev %s: not found", ifname);
		return -ENODEV;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	if (ns_fd >= 0)
		add_attr(&req, IFLA_NET_NS_FD, &ns_fd, sizeof(ns_fd));
	/* With a namespace given, the kernel names the netdev there. */
	if (*newname != '\0')
		add_attr(&req, IFLA_IFNAME, newname, (unsigned short)(strlen(newname) + 1));
	ret = rtnl_transact(&req);
	if (ret < 0)
		VNS_LOG(ERR, "netdev %s: cannot move%s as '%s': %s", ifname,
			ns_fd >= 0 ? " to its network namespace" : "", *newname ? newname : ifname,
			strerror(-ret));
	return ret;
}
