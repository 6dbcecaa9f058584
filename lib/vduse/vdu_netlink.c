/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "vdpa" generic netlink family over a raw netlink socket: create and
 * delete a vdpa device of the "vduse" management device, as `vdpa dev add`
 * and `vdpa dev del` do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vdpa.h>
#include <sys/socket.h>

#include "nl.h"
#include "vdu_priv.h"

/* Start a generic netlink request of @p family: command @p cmd, version 1. */
static void genl_init(struct nl_msg *m, uint16_t family, uint8_t cmd)
{
	struct genlmsghdr *g = nl_msg_init(m, family, 0, GENL_HDRLEN);

	g->cmd = cmd;
	g->version = 1;
}

static int family_id(int fd, const char *name)
{
	struct nl_msg req, reply;
	const struct nlattr *a;
	char why[128];
	int ret;

	genl_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	ret = nl_put_str(&req, CTRL_ATTR_FAMILY_NAME, name);
	reply.hdr = NULL;
	if (ret == 0)
		ret = nl_transact(fd, &req, &reply, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (reply.hdr == NULL)
		return -ENOENT;
	a = nl_attr_find((char *)NLMSG_DATA(reply.hdr) + GENL_HDRLEN,
			 reply.hdr->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), CTRL_ATTR_FAMILY_ID);
	if (a == NULL)
		return -ENOENT;
	return *(const uint16_t *)((const char *)a + NLA_HDRLEN);
}

/* Send one vdpa command about device @p name. */
static int vdpa_cmd(uint8_t cmd, const char *name, bool with_mgmtdev)
{
	struct nl_msg req;
	char why[256] = "";
	int fd, family, ret;

	fd = nl_open(NETLINK_GENERIC);
	if (fd < 0) {
		vdu_log(VDU_LOG_ERR, "%s: no generic netlink socket: %s", name, strerror(-fd));
		return fd;
	}
	family = family_id(fd, VDPA_GENL_NAME);
	if (family < 0) {
		vdu_log(VDU_LOG_ERR,
			"%s: no generic netlink family \"" VDPA_GENL_NAME
			"\": load the vdpa module (modprobe vdpa)",
			name);
		close(fd);
		return -ENOENT;
	}
	genl_init(&req, (uint16_t)family, cmd);
	ret = nl_put_str(&req, VDPA_ATTR_DEV_NAME, name);
	if (ret == 0 && with_mgmtdev)
		ret = nl_put_str(&req, VDPA_ATTR_MGMTDEV_DEV_NAME, "vduse");
	if (ret == 0)
		ret = nl_transact(fd, &req, NULL, why, sizeof(why));
	close(fd);
	if (ret < 0)
		vdu_log(VDU_LOG_ERR, "%s: vdpa %s failed: %s%s%s", name,
			cmd == VDPA_CMD_DEV_NEW ? "dev add" : "dev del", strerror(-ret),
			why[0] ? ": " : "", why);
	return ret;
}

int vdu_netlink_dev_new(const char *name)
{
	int ret = vdpa_cmd(VDPA_CMD_DEV_NEW, name, true);

	if (ret == -EEXIST)
		vdu_log(VDU_LOG_ERR,
			"%s: a vdpa device of this name exists: remove it with `vdpa dev del %s`",
			name, name);
	else if (ret == -ENODEV)
		vdu_log(VDU_LOG_ERR, "%s: no vdpa management device \"vduse\": modprobe vduse",
			name);
	else if (ret == -EPERM)
		vdu_log(VDU_LOG_ERR, "%s: vdpa dev add needs CAP_NET_ADMIN: run as root", name);
	return ret;
}

int vdu_netlink_dev_del(const char *name)
{
	return vdpa_cmd(VDPA_CMD_DEV_DEL, name, false);
}
