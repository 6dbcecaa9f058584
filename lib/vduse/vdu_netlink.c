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

#include "vdu_priv.h"

#define NL_BUF_SIZE 8192

struct nl_msg {
	char buf[NL_BUF_SIZE];
	struct nlmsghdr *hdr;
};

static void msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, sizeof(m->buf));
	m->hdr = (struct nlmsghdr *)m->buf;
	m->hdr->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->hdr->nlmsg_type = family;
	m->hdr->nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(m->hdr);
	g->cmd = cmd;
	g->version = 1;
}

static int msg_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	size_t len = strlen(s) + 1;
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->hdr->nlmsg_len));

	if (NLMSG_ALIGN(m->hdr->nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return -EMSGSIZE;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, s, len);
	m->hdr->nlmsg_len = NLMSG_ALIGN(m->hdr->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return 0;
}

static int nl_open(void)
{
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0)
		return -errno;
	/* Ask for the kernel's own words on a failure. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* Find an attribute in a run of attributes. */
static const struct nlattr *attr_find(const void *start, size_t len, uint16_t type)
{
	const struct nlattr *a = start;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/* The extended-ack text of an error message, or "". */
static const char *ext_ack_msg(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *a;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= h->nlmsg_len)
		return "";
	a = attr_find((const char *)h + off, h->nlmsg_len - off, NLMSGERR_ATTR_MSG);
	return a != NULL ? (const char *)a + NLA_HDRLEN : "";
}

/*
 * Send @p m and wait for its answer. A reply message is copied to @p reply
 * (when given); the kernel's ack gives the status.
 */
static int nl_transact(int fd, struct nl_msg *m, struct nl_msg *reply, char *why, size_t why_len)
{
	static uint32_t seq;
	char buf[NL_BUF_SIZE];
	ssize_t n;

	m->hdr->nlmsg_seq = ++seq;
	m->hdr->nlmsg_flags |= NLM_F_ACK;
	if (send(fd, m->buf, m->hdr->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != m->hdr->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				snprintf(why, why_len, "%s", ext_ack_msg(h));
				return e->error;
			}
			if (reply != NULL && h->nlmsg_len <= sizeof(reply->buf)) {
				memcpy(reply->buf, h, h->nlmsg_len);
				reply->hdr = (struct nlmsghdr *)reply->buf;
			}
		}
	}
}

static int family_id(int fd, const char *name)
{
	struct nl_msg req, reply;
	const struct nlattr *a;
	char why[128];
	int ret;

	msg_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	ret = msg_put_str(&req, CTRL_ATTR_FAMILY_NAME, name);
	reply.hdr = NULL;
	if (ret == 0)
		ret = nl_transact(fd, &req, &reply, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (reply.hdr == NULL)
		return -ENOENT;
	a = attr_find((char *)NLMSG_DATA(reply.hdr) + GENL_HDRLEN,
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

	fd = nl_open();
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
	msg_init(&req, (uint16_t)family, cmd, 0);
	ret = msg_put_str(&req, VDPA_ATTR_DEV_NAME, name);
	if (ret == 0 && with_mgmtdev)
		ret = msg_put_str(&req, VDPA_ATTR_MGMTDEV_DEV_NAME, "vduse");
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
