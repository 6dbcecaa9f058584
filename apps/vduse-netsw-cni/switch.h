/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CNI_SWITCH_H
#define CNI_SWITCH_H

/**
 * @file
 * The commands the plugin sends to the switch, in JSON (control_proto.h),
 * one per connection, and the names it gives ports: deterministic, so that
 * DEL and CHECK find the port of an attachment without keeping state.
 */

#include <jansson.h>

#include "cni.h"
#include "conf.h"

/**
 * The start of a port's owner tag: "cni:NETWORK:CONTAINERID:IFNAME" (none of
 * the three holds a ':'), which GC reads back to find the stale ports.
 */
#define SWITCH_OWNER_PREFIX "cni:"

/** Size of a port name: "cni-" and 16 hex digits, and the NUL. */
#define SWITCH_PORT_NAME_SIZE 21

/**
 * The port name of an attachment: "cni-" and the FNV-1a 64-bit hash of the
 * network's name, the container ID and the interface name, a 0 byte between
 * each, in 16 lower-case hex digits.
 *
 * @param network      the network's name
 * @param containerid  CNI_CONTAINERID
 * @param ifname       CNI_IFNAME
 * @param name         filled with the name
 */
void switch_port_name(const char *network, const char *containerid, const char *ifname,
		      char name[SWITCH_PORT_NAME_SIZE]);

/**
 * Send "json @p fmt..." and decode the answer.
 *
 * @param conf   the switch's socket and timeout
 * @param reply  on success, the answer's "reply" (a new reference:
 *               json_decref() it), or NULL to ignore it
 * @param err    CNI_ERR_TRY_AGAIN when the switch cannot be reached or does
 *               not answer in time, CNI_ERR_SWITCH_REFUSED with the switch's
 *               error and messages when it answers "ok": false,
 *               CNI_ERR_SWITCH_ANSWER for an answer that is no such JSON
 *               object, CNI_ERR_TOO_LONG for a line the switch would refuse
 * @param fmt    printf format of the command, without "json" and newline
 * @return 0, or -1 with @p err filled.
 */
int switch_ask(const struct cni_conf *conf, json_t **reply, struct cni_error *err, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/**
 * Find a port by name in the answer to "show port info all".
 *
 * @param conf  the switch's socket and timeout
 * @param name  the port's name
 * @param port  set to the port's object (a new reference), or NULL when the
 *              switch has no port of that name
 * @param err   as switch_ask()
 * @return 0, or -1 with @p err filled.
 */
int switch_find_port(const struct cni_conf *conf, const char *name, json_t **port,
		     struct cni_error *err);

/**
 * Every port of the switch, from "show port info all".
 *
 * @param conf   the switch's socket and timeout
 * @param ports  set to the array of port objects (a new reference)
 * @param err    as switch_ask()
 * @return 0, or -1 with @p err filled.
 */
int switch_list_ports(const struct cni_conf *conf, json_t **ports, struct cni_error *err);

/**
 * Add the attachment's VDUSE port: "port add vduse NAME netns= ifname=
 * [mac=] [mtu=] [vlan= | trunk=] [ip=]... [gw=]... [route=]... owner=".
 *
 * @param conf    the configuration (mac, mtu, vlan, trunk)
 * @param env     CNI_NETNS, CNI_IFNAME, CNI_CONTAINERID
 * @param name    the port's name (switch_port_name())
 * @param ipam    the IPAM result (ips, routes), or NULL for no address
 * @param err     as switch_ask(); CNI_ERR_IFACE_EXISTS when the switch says
 *                the interface exists already
 * @return 0, or -1 with @p err filled.
 */
int switch_add_port(const struct cni_conf *conf, const struct cni_env *env, const char *name,
		    const json_t *ipam, struct cni_error *err);

/**
 * Remove a port, whether or not the switch has it ("port purge NAME").
 *
 * @param conf  the switch's socket and timeout
 * @param name  the port's name
 * @param err   as switch_ask()
 * @return 0, or -1 with @p err filled.
 */
int switch_purge_port(const struct cni_conf *conf, const char *name, struct cni_error *err);

#endif /* CNI_SWITCH_H */
