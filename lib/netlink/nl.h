/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NL_H
#define NL_H

/**
 * @file
 * Netlink requests over a raw socket: build one message with attributes,
 * send it, wait for the kernel's acknowledgement. Used for the "vdpa"
 * generic netlink family (lib/vduse) and for rtnetlink (drivers/vduse:
 * links, addresses, routes). No state: every call is safe from any thread
 * on its own message and socket.
 *
 * The message and attribute layouts are the kernel's
 * (include/uapi/linux/netlink.h): a struct nlmsghdr, the family's header,
 * then attributes of 4-byte aligned {length, type, data}; rtnetlink's
 * struct rtattr has that same layout.
 */

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/** Largest message built or received. */
#define NL_MSG_SIZE 8192

/** A message being built, or a reply copied out. */
struct nl_msg {
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *hdr; /**< start of buf once initialised; NULL: no message */
};

/**
 * Start a request of @p type (a family id, RTM_NEWLINK, ...) whose family
 * header has @p hdr_len bytes, zeroed.
 *
 * @param flags  NLM_F_* beyond NLM_F_REQUEST (NLM_F_CREATE, NLM_F_EXCL, ...)
 * @return the family header, for the caller to fill in.
 */
void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdr_len);

/**
 * Append attribute @p type with @p len bytes of @p data.
 *
 * @return 0, or -EMSGSIZE when the message would outgrow NL_MSG_SIZE.
 */
int nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);

/** nl_put() of a string with its terminating zero. */
int nl_put_str(struct nl_msg *m, uint16_t type, const char *s);

/** nl_put() of a 32-bit value in host order. */
int nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);

/**
 * Open a netlink socket of @p protocol (NETLINK_ROUTE, NETLINK_GENERIC)
 * in the caller's network namespace, asking for the kernel's extended
 * acknowledgements (its own words on a failure).
 *
 * @return the fd, or a negative errno.
 */
int nl_open(int protocol);

/**
 * Send @p m with NLM_F_ACK and wait for its acknowledgement.
 *
 * @param reply    receives the last reply message before the ack (e.g. the
 *                 answer to a GET), or NULL; reply->hdr stays as the caller
 *                 set it when none came
 * @param why      receives the kernel's extended-ack text on failure ("" if
 *                 it gave none)
 * @param why_len  size of @p why
 * @return 0, or the kernel's negative errno, or that of send()/recv().
 */
int nl_transact(int fd, struct nl_msg *m, struct nl_msg *reply, char *why, size_t why_len);

/**
 * The first attribute of @p type in @p len bytes of attributes at @p start
 * (flag bits NLA_F_NESTED and NLA_F_NET_BYTEORDER ignored).
 *
 * @return the attribute (its data at NLA_HDRLEN), or NULL.
 */
const struct nlattr *nl_attr_find(const void *start, size_t len, uint16_t type);

#endif /* NL_H */
