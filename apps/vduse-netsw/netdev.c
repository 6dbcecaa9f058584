/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink RTM_NEWLINK on an existing link: namespace and name. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netdev.h"

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

int vns_netdev_place(const char *ifname, const char *netns, const char *newname)
{
	struct link_request req;
	char path[PATH_MAX];
	int ns_fd = -1, ret;
	unsigned int ifindex;

	if (*netns == '\0' && *newname == '\0')
		return 0;
	ifindex = if_nametoindex(ifname);
	if (ifindex == 0) {
		fprintf(stderr, "netdev %s: not found\n", ifname);
		return -ENODEV;
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	if (*netns != '\0') {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		ns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (ns_fd < 0) {
			ret = -errno;
			fprintf(stderr,
				"network namespace '%s': %s (create it with: ip netns add %s)\n",
				netns, strerror(-ret), netns);
			return ret;
		}
		add_attr(&req, IFLA_NET_NS_FD, &ns_fd, sizeof(ns_fd));
	}
	/* With a namespace given, the kernel names the netdev there. */
	if (*newname != '\0')
		add_attr(&req, IFLA_IFNAME, newname, (unsigned short)(strlen(newname) + 1));
	ret = rtnl_transact(&req);
	if (ns_fd >= 0)
		close(ns_fd);
	if (ret < 0)
		fprintf(stderr, "netdev %s: cannot move to netns '%s' as '%s': %s\n", ifname, netns,
			*newname ? newname : ifname, strerror(-ret));
	return ret;
}
