/* SPDX-License-Identifier: BSD-3-Clause */
/* Netlink request building and the request/acknowledgement exchange. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/socket.h>

#include "nl.h"

void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdr_len)
{
	memset(m->buf, 0, NLMSG_SPACE(hdr_len));
	m->hdr = (struct nlmsghdr *)m->buf;
	m->hdr->nlmsg_len = NLMSG_LENGTH(hdr_len);
	m->hdr->nlmsg_type = type;
	m->hdr->nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(m->hdr);
}

int nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(m->hdr->nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return -EMSGSIZE;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	/* The padding is sent too: keep it zero. */
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->hdr->nlmsg_len = (uint32_t)(off + NLA_ALIGN(a->nla_len));
	return 0;
}

int nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	return nl_put(m, type, s, strlen(s) + 1);
}

int nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int nl_open(int protocol)
{
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -errno;
	/* Older kernels lack it; the requests work without it. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

const struct nlattr *nl_attr_find(const void *start, size_t len, uint16_t type)
{
	const struct nlattr *a = start;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
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
	/* Unless capped, the error echoes the whole request before its TLVs. */
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off >= h->nlmsg_len)
		return "";
	a = nl_attr_find((const char *)h + off, h->nlmsg_len - off, NLMSGERR_ATTR_MSG);
	return a != NULL ? (const char *)a + NLA_HDRLEN : "";
}

int nl_transact(int fd, struct nl_msg *m, struct nl_msg *reply, char *why, size_t why_len)
{
	/* Per thread: concurrent callers each match their own answers. */
	static __thread uint32_t seq;
	char buf[NL_MSG_SIZE];
	ssize_t n;

	m->hdr->nlmsg_seq = ++seq;
	m->hdr->nlmsg_flags |= NLM_F_ACK;
	if (why_len > 0)
		why[0] = '\0';
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

				if (e->error != 0 && why_len > 0)
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
