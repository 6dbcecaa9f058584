/* SPDX-License-Identifier: BSD-3-Clause */
/* Port commands: show, clear, start/stop, link, promiscuous mode, add/del, VLAN mode. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "port/ports.h"
#include "stats/stats.h"

/* Run @fn on the port of @name ("all|PORT"), or on every port. @return 0 or -1. */
static int each_port(struct vns_cmd_ctx *c, const char *name,
		     int (*fn)(struct vns_cmd_ctx *c, struct vns_port *vp))
{
	struct vns_port *vp = vns_cmd_arg(c, name)->port;
	unsigned int i;
	int ret = 0;

	if (vp != NULL)
		return fn(c, vp);
	for (i = 0; i < c->sw->nb_ports && ret == 0; i++)
		if (c->sw->ports[i] != NULL)
			ret = fn(c, c->sw->ports[i]);
	return ret;
}

/* each_port() over "all|PORT", its descriptions in a list "ports". */
static int list_ports(struct vns_cmd_ctx *c, int (*fn)(struct vns_cmd_ctx *c, struct vns_port *vp))
{
	int ret;

	vns_reply_list(c->r, "ports", NULL);
	ret = each_port(c, "all|PORT", fn);
	vns_reply_close(c->r, NULL);
	return ret;
}

/* The VLAN mode, as the options write it: "access 10", "trunk all native 5", "trunk 10,20". */
static void vlan_describe(struct vns_reply *r, const struct vns_port_vlan *v)
{
	unsigned int vid, n = 0;

	if (v->access_vid != 0) {
		vns_reply_str(r, "vlan_mode", "%s", "access");
		vns_reply_u64(r, "access_vlan", " vlan %" PRIu64, v->access_vid);
		return;
	}
	vns_reply_str(r, "vlan_mode", "%s", "trunk");
	for (vid = 1; vid < 4095; vid++)
		n += (v->trunk[vid / 64] >> (vid % 64)) & 1;
	vns_reply_list(r, "trunk", NULL);
	if (n == 4094)
		vns_reply_str(r, NULL, " %s", "all");
	else
		for (vid = 1; vid < 4095; vid++)
			if ((v->trunk[vid / 64] >> (vid % 64)) & 1)
				vns_reply_u64(r, NULL, " %" PRIu64, vid);
	vns_reply_close(r, NULL);
	if (v->native_vid != 0)
		vns_reply_u64(r, "native_vlan", " native %" PRIu64, v->native_vid);
}

static int cmd_show_summary(struct vns_cmd_ctx *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->sw->nb_ports; i++)
		n += c->sw->ports[i] != NULL;
	vns_reply_u64(c->r, "nb_ports", "Number of available ports: %" PRIu64 "\n", n);
	vns_reply_text(c->r, "Port MAC Address       Name             Driver          Status   "
			     "Link\n");
	vns_reply_list(c->r, "ports", NULL);
	for (i = 0; i < c->sw->nb_ports; i++) {
		struct vns_port *vp = c->sw->ports[i];
		struct port_link link = {0};
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (vp == NULL)
			continue;
		port_link_get(vp->port, &link);
		vns_reply_open(c->r, NULL, NULL);
		vns_reply_u64(c->r, "port_id", "%-4" PRIu64, vp->port->id);
		vns_reply_str(c->r, "mac", " %s", vns_mac_str(&vp->info.mac, mac));
		vns_reply_str(c->r, "name", " %-16s", vp->port->name);
		vns_reply_str(c->r, "driver", " %-15s", vp->info.driver);
		vns_reply_str(c->r, "status", " %-8s", vp->stopped ? "stopped" : "started");
		vns_reply_bool(c->r, "link_up", " %s", link.up, "up", "down");
		vns_reply_u64(c->r, "link_speed_mbps", " %" PRIu64 " Mbps\n", link.speed_mbps);
		vns_reply_close(c->r, NULL);
	}
	vns_reply_close(c->r, NULL);
	return 0;
}

static int port_info(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	struct vns_reply *r = c->r;
	struct port_link link = {0};
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	port_link_get(vp->port, &link);
	vns_reply_open(r, NULL,
		       "\n********************* Infos for port %-2u *********************\n",
		       vp->port->id);
	vns_reply_u64(r, "port_id", NULL, vp->port->id);
	vns_reply_str(r, "mac", "MAC address: %s\n", vns_mac_str(&vp->info.mac, mac));
	vns_reply_str(r, "name", "Device name: %s\n", vp->port->name);
	vns_reply_str(r, "driver", "Driver name: %s\n", vp->info.driver);
	if (vp->vduse) {
		vns_reply_str(r, "netdev", "Netdev: %s\n", vp->netdev);
		vns_reply_str(r, "netns", *vp->netns ? "Network namespace: %s\n" : NULL, vp->netns);
		vns_reply_str(r, "owner", *vp->owner ? "Owner: %s\n" : NULL, vp->owner);
	}
	vns_reply_i64(r, "socket", "Connect to socket: %" PRId64 "\n", vp->info.socket_id);
	vns_reply_bool(r, "started", "Port state: %s\n", !vp->stopped, "started", "stopped");
	vns_reply_bool(r, "link_up", "Link status: %s\n", link.up, "up", "down");
	vns_reply_u64(r, "link_speed_mbps", "Link speed: %" PRIu64 " Mbps\n", link.speed_mbps);
	vns_reply_u64(r, "mtu", "MTU: %" PRIu64 "\n", vp->info.mtu);
	vns_reply_bool(r, "promiscuous", "Promiscuous mode: %s\n", vp->promisc, "enabled",
		       "disabled");
	vns_reply_u64(r, "nb_rx_queues", "Current number of RX queues: %" PRIu64 "\n",
		      vp->info.nb_rx_queues);
	vns_reply_u64(r, "nb_tx_queues", "Current number of TX queues: %" PRIu64 "\n",
		      vp->info.nb_tx_queues);
	vns_reply_u64(r, "rx_offloads", "RX offloads: 0x%" PRIx64 "\n", vp->info.rx_offloads);
	vns_reply_u64(r, "tx_offloads", "TX offloads: 0x%" PRIx64 "\n", vp->info.tx_offloads);
	vns_reply_text(r, "VLAN mode: ");
	vlan_describe(r, &vp->vlan);
	vns_reply_text(r, "\n");
	vns_reply_i64(r, "lcore", vp->lcore >= 0 ? "Pinned to lcore: %" PRId64 "\n" : NULL,
		      vp->lcore);
	vns_reply_close(r, NULL);
	return 0;
}

static int cmd_show_info(struct vns_cmd_ctx *c)
{
	return list_ports(c, port_info);
}

static int port_stats(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	vns_stats_port(c->r, c->sw, vp);
	return 0;
}

static int cmd_show_stats(struct vns_cmd_ctx *c)
{
	return list_ports(c, port_stats);
}

static int port_xstats(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	return vns_stats_xstats(c->r, vp);
}

static int cmd_show_xstats(struct vns_cmd_ctx *c)
{
	return list_ports(c, port_xstats);
}

static int port_clear(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	vns_stats_clear(c->sw, vp);
	vns_reply_say(c->r, "  NIC statistics for port %u cleared", vp->port->id);
	return 0;
}

static int cmd_clear_stats(struct vns_cmd_ctx *c)
{
	return each_port(c, "all|PORT", port_clear);
}

static int start_one(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	int ret = vns_port_start(c->sw, vp);

	if (ret < 0)
		return vns_reply_error(c->r, "port %s: cannot start: %s", vp->port->name,
				       strerror(-ret));
	vns_reply_say(c->r, "Port %u (%s) started", vp->port->id, vp->port->name);
	return 0;
}

static int cmd_port_start(struct vns_cmd_ctx *c)
{
	return each_port(c, "all|PORT", start_one);
}

static int stop_one(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	vns_port_stop(c->sw, vp);
	vns_reply_say(c->r, "Port %u (%s) stopped", vp->port->id, vp->port->name);
	return 0;
}

static int cmd_port_stop(struct vns_cmd_ctx *c)
{
	return each_port(c, "all|PORT", stop_one);
}

static int set_link(struct vns_cmd_ctx *c, bool up)
{
	struct vns_port *vp = vns_cmd_arg(c, "PORT")->port;
	int ret = port_link_set(vp->port, up);

	if (ret < 0)
		return vns_reply_error(c->r, "port %s: cannot set the link %s: %s", vp->port->name,
				       up ? "up" : "down", strerror(-ret));
	return 0;
}

static int cmd_link_up(struct vns_cmd_ctx *c)
{
	return set_link(c, true);
}

static int cmd_link_down(struct vns_cmd_ctx *c)
{
	return set_link(c, false);
}

static int port_promisc(struct vns_cmd_ctx *c, struct vns_port *vp)
{
	bool on = strcmp(vns_cmd_arg(c, "on|off")->word, "on") == 0;
	int ret;

	if (vp->vduse)
		return vns_reply_error(c->r,
				       "port %s is a VDUSE port: its guest's driver chooses the "
				       "frames it takes (ip link set promisc in the guest)",
				       vp->port->name);
	ret = port_promisc_set(vp->port, on);
	if (ret < 0)
		return vns_reply_error(c->r, "port %s: cannot turn promiscuous mode %s: %s",
				       vp->port->name, on ? "on" : "off", strerror(-ret));
	vp->promisc = on;
	return 0;
}

static int cmd_promisc(struct vns_cmd_ctx *c)
{
	struct vns_port *vp = vns_cmd_arg(c, "all|PORT")->port;
	unsigned int i;
	int ret = 0;

	if (vp != NULL)
		return port_promisc(c, vp);
	/* "all": the ethdev ports; VDUSE ports have no receive filter of their own. */
	for (i = 0; i < c->sw->nb_ports && ret == 0; i++)
		if (c->sw->ports[i] != NULL && !c->sw->ports[i]->vduse)
			ret = port_promisc(c, c->sw->ports[i]);
	return ret;
}

/*
 * What code that reports to a FILE says goes to a stream of its own: on
 * failure its last line is the error (what was wrong), the lines before it
 * are said; on success every line is said.
 */
static FILE *reported_open(struct vns_cmd_ctx *c)
{
	FILE *f = tmpfile();

	if (f == NULL)
		vns_reply_error(c->r, "cannot keep the command's messages: %s", strerror(errno));
	return f;
}

/* Close @f; @return @ret, after turning @f's lines into the reply. */
static int reported_close(struct vns_cmd_ctx *c, FILE *f, int ret)
{
	char line[512], last[512] = "";

	if (f == NULL)
		return ret < 0 ? ret : -ENOMEM;
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (last[0] != '\0')
			vns_reply_say(c->r, "%s", last);
		snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (ret >= 0 && last[0] != '\0')
		vns_reply_say(c->r, "%s", last);
	else if (ret < 0)
		vns_reply_error(c->r, "%s", last[0] != '\0' ? last : strerror(-ret));
	return ret;
}

/* "KEY=VALUE KEY=VALUE" as the options write them: "KEY=VALUE,KEY=VALUE". */
static char *keys_joined(const char *first, const char *more)
{
	char *s;
	size_t i;

	if (asprintf(&s, "%s%s%s", first, more != NULL ? "," : "", more != NULL ? more : "") < 0)
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == ' ' || s[i] == '\t')
			s[i] = ',';
	return s;
}

/* Drop the empty KEY=VALUE items that repeated blanks made of @s. */
static char *squeeze(char *s)
{
	char *in = s, *out = s;

	while (*in != '\0') {
		if ((*in == ',') && (out == s || out[-1] == ',')) {
			in++;
			continue;
		}
		*out++ = *in++;
	}
	if (out > s && out[-1] == ',')
		out--;
	*out = '\0';
	return s;
}

/* A port was added as @ret (its id, or a negative errno): say which, as testpmd's attach. */
static int port_added(struct vns_cmd_ctx *c, int ret)
{
	unsigned int i, n = 0;

	if (ret < 0)
		return -1;
	for (i = 0; i < c->sw->nb_ports; i++)
		n += c->sw->ports[i] != NULL;
	vns_reply_u64(c->r, "port_id", "Port %" PRIu64, (uint64_t)ret);
	vns_reply_str(c->r, "name", " (%s) is attached.", c->sw->ports[ret]->port->name);
	vns_reply_u64(c->r, "nb_ports", " Now total ports is %" PRIu64 "\n", n);
	return 0;
}

static int cmd_add_vduse(struct vns_cmd_ctx *c)
{
	const char *more = c->argc > 4 ? vns_cmd_arg(c, "KEYS...")->word : NULL;
	char *spec = keys_joined(vns_cmd_arg(c, "SPEC")->word, more);
	FILE *err = reported_open(c);
	int ret = -ENOMEM;

	if (spec != NULL && err != NULL)
		ret = vns_port_add_vduse(c->sw, squeeze(spec), err);
	free(spec);
	return port_added(c, reported_close(c, err, ret));
}

static int cmd_add_ethdev(struct vns_cmd_ctx *c)
{
	const char *more = c->argc > 4 ? vns_cmd_arg(c, "KEYS...")->word : NULL;
	char *keys = more != NULL ? keys_joined(more, NULL) : NULL;
	FILE *err = reported_open(c);
	int ret = -ENOMEM;

	if ((more == NULL || keys != NULL) && err != NULL)
		ret = vns_port_add_ethdev(c->sw, vns_cmd_arg(c, "DEVARGS")->word,
					  keys != NULL ? squeeze(keys) : NULL, err);
	free(keys);
	return port_added(c, reported_close(c, err, ret));
}

static int cmd_port_del(struct vns_cmd_ctx *c)
{
	vns_port_del(c->sw, vns_cmd_arg(c, "PORT")->port, vns_reply_stream(c->r));
	return 0;
}

static int cmd_port_purge(struct vns_cmd_ctx *c)
{
	const char *name = vns_cmd_arg(c, "NAME")->word;
	FILE *err = reported_open(c);
	int ret = err == NULL ? -ENOMEM : vns_port_purge(c->sw, name, err);

	if (reported_close(c, err, ret) < 0)
		return -1;
	vns_reply_str(c->r, "name", "%s", name);
	vns_reply_bool(c->r, "removed", ": %s\n", ret > 0, "removed", "nothing to remove");
	return 0;
}

static int set_vlan(struct vns_cmd_ctx *c, struct vns_port *vp, const struct vns_port_vlan *vlan)
{
	int ret = vns_port_set_vlan(c->sw, vp, vlan);

	if (ret < 0)
		return vns_reply_error(c->r,
				       "port %s: VLAN mode changed, but no worker polls it: %s",
				       vp->port->name, strerror(-ret));
	vns_reply_text(c->r, "port %s: ", vp->port->name);
	vlan_describe(c->r, &vp->vlan);
	vns_reply_text(c->r, "\n");
	return 0;
}

static int cmd_vlan_access(struct vns_cmd_ctx *c)
{
	struct vns_port *vp = vns_cmd_arg(c, "PORT")->port;
	struct vns_port_vlan vlan = {.access_vid = (uint16_t)vns_cmd_arg(c, "VLAN")->u};

	return set_vlan(c, vp, &vlan);
}

static int cmd_vlan_trunk(struct vns_cmd_ctx *c)
{
	struct vns_port *vp = vns_cmd_arg(c, "PORT")->port;
	char *list = strdup(vns_cmd_arg(c, "LIST")->word);
	struct vns_port_vlan vlan = {0};
	FILE *err;
	size_t i;
	int ret = 0;

	if (list == NULL)
		return vns_reply_error(c->r, "out of memory");
	if (strcmp(list, "all") == 0) {
		memset(vlan.trunk, 0xff, sizeof(vlan.trunk));
	} else {
		/* The options join VLANs with '+'; a command line may use ',' too. */
		for (i = 0; list[i] != '\0'; i++)
			if (list[i] == ',')
				list[i] = '+';
		err = reported_open(c);
		ret = err == NULL ? -1 : vns_parse_vlan_list(vp->port->name, list, &vlan, err);
		ret = reported_close(c, err, ret);
	}
	free(list);
	if (ret < 0)
		return -1;
	/* A trunk keeps its native VLAN. */
	if (vp->vlan.access_vid == 0)
		vlan.native_vid = vp->vlan.native_vid;
	return set_vlan(c, vp, &vlan);
}

static int cmd_vlan_native(struct vns_cmd_ctx *c)
{
	struct vns_port *vp = vns_cmd_arg(c, "PORT")->port;
	struct vns_port_vlan vlan = vp->vlan;

	if (vlan.access_vid != 0)
		return vns_reply_error(c->r,
				       "port %s is an access port (VLAN %u): native is for trunks "
				       "(vlan set trunk %s LIST first)",
				       vp->port->name, vlan.access_vid, vp->port->name);
	vlan.native_vid = (uint16_t)vns_cmd_arg(c, "VID")->u;
	return set_vlan(c, vp, &vlan);
}

static const struct vns_cmd port_cmds[] = {
	{"show port summary all", "ports: MAC, name, driver, state and link", cmd_show_summary},
	{"show port info all|PORT", "a port's settings: driver, link, queues, offloads, VLAN mode",
	 cmd_show_info},
	{"show port stats all|PORT", "counters since 'clear port stats', rates since the last show",
	 cmd_show_stats},
	{"show port xstats all|PORT", "extended counters: drops by reason", cmd_show_xstats},
	{"clear port stats all|PORT", "count from zero again", cmd_clear_stats},
	{"port start all|PORT", "start a stopped port: the workers poll it again", cmd_port_start},
	{"port stop all|PORT",
	 "stop a port: no worker polls or sends to it (a VDUSE port's link "
	 "goes down)",
	 cmd_port_stop},
	{"set link-up port PORT", "set the link the port's peer sees up", cmd_link_up},
	{"set link-down port PORT", "set it down (a VDUSE guest sees NO-CARRIER)", cmd_link_down},
	{"set promisc all|PORT on|off",
	 "take frames for every MAC, or only the port's own "
	 "(ethdev ports)",
	 cmd_promisc},
	{"port add vduse SPEC", "add a VDUSE port (SPEC as for --vduse: NAME,KEY=VALUE...)",
	 cmd_add_vduse},
	{"port add vduse SPEC KEYS...", "the same, with more KEY=VALUE words", cmd_add_vduse},
	{"port add ethdev DEVARGS", "probe an ethdev (as --vdev or -a) and add it", cmd_add_ethdev},
	{"port add ethdev DEVARGS KEYS...", "the same, with --port keys (vlan=10 rxq=2)",
	 cmd_add_ethdev},
	{"port del PORT", "remove a port; the others forward on", cmd_port_del},
	{"port purge NAME",
	 "remove VDUSE port NAME, or the device a dead switch left of that name (for "
	 "orchestrators: nothing there is no error)",
	 cmd_port_purge},
	{"vlan set access PORT VLAN", "make the port an access port of VLAN", cmd_vlan_access},
	{"vlan set trunk PORT LIST", "make it a trunk of LIST (10,20-29 or all)", cmd_vlan_trunk},
	{"vlan set native PORT VID", "the VLAN of a trunk's untagged frames (0: their own domain)",
	 cmd_vlan_native},
};

VNS_CMD_REGISTER(port_cmds)
