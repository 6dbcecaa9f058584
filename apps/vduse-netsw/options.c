/* SPDX-License-Identifier: BSD-3-Clause */
/* The command line: --vduse specs and switch-wide settings. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "config.h"
#include "cli/control_proto.h"
#include "port.h"
#include "options.h"

/* Where parse errors go: stderr, or a control client (control thread only). */
static FILE *err_out;

void vns_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [EAL options] -- --vduse "
		"NAME[,mac=MAC][,mtu=N][,netns=NS][,ifname=IF][,ip=CIDR][,gw=ADDR]\n"
		"          [,route=DST[@GW]][,owner=TEXT][,offloads=LIST] ...\n"
		"          [--[no-]hugepages] [--packed-ring] [--queue-size N] [--stats-period "
		"SECONDS]\n"
		"          [--control PATH [--control-group GROUP]] [--state-dir DIR] [--fresh]\n"
		"          [--port NAME[,vlan=N][,trunk=LIST][,native=N][,rxq=N][,txq=N][,mtu=N]]\n"
		"          [--fwd ENGINE] [--fdb-size N] [--aging SECONDS] [--mbufs N]\n"
		"          [--idle-sleep USEC]\n"
		"          [-i] [--auto-start] [--tx-first] [--cmdline-file FILE]\n"
		"          [--nb-cores N] [--burst N] [--txpkts N] [--rxq N] [--txq N] [--rxd N] "
		"[--txd N]\n"
		"          [--config FILE]\n"
		"          [-h|--help]\n"
		"  --vduse         a VDUSE virtio-net port (repeat for more); the kernel's\n"
		"                  virtio_net makes it a netdev, moved into NS and renamed IF;\n"
		"                  NAME: letters, digits, '.', '-', '_'; MAC: six hex bytes,\n"
		"                  unicast, not zero; NS: an 'ip netns' name, an absolute path\n"
		"                  to a namespace file (/proc/PID/ns/net) or a process id;\n"
		"                  there it gets addresses (ip=, repeat for more), a default\n"
		"                  route (gw=) and routes (route=10.1.0.0/16@10.0.0.1), and\n"
		"                  is set up; owner=: free text shown with the port;\n"
		"                  LIST is none or csum, tso, uso joined by '+' (default all);\n"
		"                  vlan=, trunk=, native= as for --port\n"
		"  --port          settings of an ethdev port; every ethdev EAL probes (-a PCI,\n"
		"                  --vdev net_af_packet0,iface=veth0 ...) is a port, named as\n"
		"                  EAL names it; vlan=N: access port of VLAN N; trunk=LIST:\n"
		"                  VLANs (N or A-B joined by '+') it carries tagged; native=N:\n"
		"                  VLAN of its untagged frames; default: every VLAN tagged,\n"
		"                  untagged frames in their own domain; lcore=N: poll its\n"
		"                  receive queues on worker lcore N (also for --vduse)\n"
		"  --fwd, --forward-mode\n"
		"                  forwarding engine: bridge (default, a learning switch), io,\n"
		"                  mac, macswap, rxonly, txonly, flowgen (testpmd's; ports\n"
		"                  paired 0-1, 2-3, ...)\n"
		"  --fdb-size      MAC table entries (default 8192)\n"
		"  --aging         seconds before an idle MAC is forgotten (default 300; 0: "
		"never)\n"
		"  --no-hugepages  back the VDUSE bounce buffers with kernel pages; by default\n"
		"                  (--hugepages) they are hugepages on the worker's node when\n"
		"                  some are free\n"
		"  --packed-ring   offer the packed virtqueue layout (VIRTIO_F_RING_PACKED)\n"
		"  --queue-size    ring size offered to the driver (power of two, default 256)\n"
		"  --stats-period  print port counters every SECONDS\n"
		"  --control       serve the commands (see: help) on Unix socket PATH, e.g.\n"
		"                  " VNS_CONTROL_DEFAULT "; mode 0600: its owner only;\n"
		"                  without --vduse the switch starts with no port\n"
		"  --control-group let GROUP (name or number) use the control socket too (0660)\n"
		"  --state-dir     keep each port's state in DIR/NAME.state (default " VNS_STATE_DIR
		")\n"
		"                  so that a restarted switch takes back the devices a dead\n"
		"                  one left: the containers keep their netdevs\n"
		"  --fresh         replace such devices instead (the netdevs are recreated)\n"
		"  --mbufs         mbufs per NUMA socket (default 16383)\n"
		"  --idle-sleep    let an idle worker sleep, up to USEC microseconds a round\n"
		"                  (0..10000; default 0: pure polling)\n"
		"  -i, --interactive\n"
		"                  the command line on the terminal (testpmd's words: help);\n"
		"                  forwarding waits for 'start' unless --auto-start\n"
		"  --auto-start    forward at once, with -i too\n"
		"  --tx-first      begin by sending a burst from every port (start tx_first)\n"
		"  --cmdline-file  run FILE's commands once the ports are up; the first\n"
		"                  failing line stops the switch, with its line number\n"
		"  --nb-cores      worker lcores that poll queues (default: all of them)\n"
		"  --burst         frames taken from a queue at once (1..32, default 32)\n"
		"  --txpkts        length of txonly's and flowgen's frames in bytes, FCS\n"
		"                  excluded (42..2048, default 60: 64 on the wire)\n"
		"  --rxq, --txq    receive and transmit queues of each ethdev port (--port\n"
		"                  rxq=, txq= for one)\n"
		"  --rxd, --txd    descriptors per ethdev receive and transmit queue\n"
		"  --config        read options from FILE, one a line, without the '--'\n"
		"                  ('vduse red,netns=red'); '#' starts a comment\n"
		"  -h, --help      show this and exit\n",
		prog);
}

/* A decimal number made of digits only (strtoul alone takes "-1", " 5" and "+5"). */
int vns_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end != '\0' || errno != 0 || *v > max ? -1 : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vns_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t b[6];
	int i, hi, lo;

	/* Checked in order, so no byte past the end of @s is read. */
	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		if (hi < 0)
			return -1;
		lo = hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, b, sizeof(b));
	return 0;
}

/* A stable locally administered unicast MAC made from the port name. */
static void default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = rte_hash_crc(name, strlen(name), 0x5657);

	mac[0] = 0x02;
	mac[1] = 0x56;
	memcpy(&mac[2], &h, sizeof(h));
}

static int copy_field(char *dst, size_t size, const char *value, const char *what)
{
	if (*value == '\0' || strlen(value) >= size) {
		fprintf(err_out, "%s '%s': empty or longer than %zu characters\n", what, value,
			size - 1);
		return -1;
	}
	strcpy(dst, value);
	return 0;
}

/*
 * A port name becomes /dev/vduse/NAME and the vdpa device's name, and
 * control commands refer to it by it: a plain word.
 */
int vns_check_port_name(const char *name, FILE *err)
{
	size_t i;

	err_out = err;
	if (*name == '\0') {
		fprintf(err_out, "--vduse: empty port name (expected NAME[,KEY=VALUE]...)\n");
		return -1;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("._-", name[i]) == NULL)
			break;
	if (name[i] != '\0' || !isalnum((unsigned char)name[0])) {
		fprintf(err_out,
			"--vduse '%s': a port name has letters, digits, '.', '-' and '_' and "
			"starts "
			"with a letter or digit%s\n",
			name, strchr(name, '=') ? "; the name comes first: NAME,KEY=VALUE" : "");
		return -1;
	}
	return 0;
}

/* The kernel's rules for a netdev name (dev_valid_name), and no '%' pattern. */
static int check_ifname(const char *port, const char *ifname)
{
	size_t i;

	for (i = 0; ifname[i] != '\0'; i++)
		if (strchr("/:%", ifname[i]) != NULL || isspace((unsigned char)ifname[i]))
			break;
	if (ifname[i] != '\0' || strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0) {
		fprintf(err_out,
			"--vduse %s: ifname '%s': a netdev name has no '/', ':', '%%' or space and "
			"is not '.' or '..'\n",
			port, ifname);
		return -1;
	}
	return 0;
}

/*
 * netns=NAME (under /run/netns, as `ip netns` makes them), netns=/PATH (a
 * namespace file: /proc/PID/ns/net or a bind mount of one), netns=PID or
 * netns=pid:PID. A name never reaches outside /run/netns; that the file is
 * a network namespace is checked when it is opened.
 */
static int check_netns(const char *port, const char *netns)
{
	bool prefixed = strncmp(netns, VNS_NETNS_PID_PREFIX, strlen(VNS_NETNS_PID_PREFIX)) == 0;
	const char *pid = prefixed ? netns + strlen(VNS_NETNS_PID_PREFIX) : netns;
	size_t i;

	if (*netns == '/')
		return 0;
	if (prefixed || isdigit((unsigned char)*netns)) {
		for (i = 0; isdigit((unsigned char)pid[i]); i++)
			;
		if (i > 0 && i < 10 && pid[i] == '\0' && pid[0] != '0')
			return 0;
		fprintf(err_out,
			"--vduse %s: netns '%s': expected a process id (PID or pid:PID, 1..%s)\n",
			port, netns, "999999999");
		return -1;
	}
	if (*netns == '\0' || strchr(netns, '/') != NULL || strcmp(netns, ".") == 0 ||
	    strcmp(netns, "..") == 0) {
		fprintf(err_out,
			"--vduse %s: netns '%s': expected an 'ip netns' name (no '/', not '.' or "
			"'..'), an absolute path to a namespace file (/proc/PID/ns/net) or a "
			"process id\n",
			port, netns);
		return -1;
	}
	return 0;
}

/* "--control-group GROUP": a group name or number. */
static int parse_group(const char *arg, gid_t *gid)
{
	struct group *gr;
	unsigned long v;

	if (vns_parse_uint(arg, VNS_NO_GROUP - 1, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	gr = getgrnam(arg);
	if (gr == NULL) {
		fprintf(err_out, "--control-group %s: no such group (a name or number)\n", arg);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* "none", or offload names joined by '+'; TSO and USO need checksum offload. */
static int parse_offloads(const char *name, char *list, unsigned int *offloads)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} known[] = {
		{"csum", VNS_OFFLOAD_CSUM},
		{"tso", VNS_OFFLOAD_TSO},
		{"uso", VNS_OFFLOAD_USO},
	};
	char *tok;
	unsigned int i;

	*offloads = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	/* strsep, not strtok: "csum++tso" has an empty name, which is an error. */
	while ((tok = strsep(&list, "+")) != NULL) {
		for (i = 0; i < RTE_DIM(known) && strcmp(tok, known[i].name) != 0; i++)
			;
		if (i == RTE_DIM(known)) {
			fprintf(err_out,
				"--vduse %s: unknown offload '%s' (csum, tso, uso, none)\n", name,
				tok);
			return -1;
		}
		*offloads |= known[i].bit;
	}
	if (*offloads == 0 ||
	    ((*offloads & ~VNS_OFFLOAD_CSUM) && !(*offloads & VNS_OFFLOAD_CSUM))) {
		fprintf(err_out, "--vduse %s: offloads: tso and uso need csum (say csum+tso)\n",
			name);
		return -1;
	}
	return 0;
}

/* A VLAN id in 1..4094 (0 and 4095 are reserved by 802.1Q). */
static int parse_vid(const char *opt, const char *name, const char *s, uint16_t *vid)
{
	unsigned long v;

	if (vns_parse_uint(s, 4094, &v) < 0 || v == 0) {
		fprintf(err_out, "%s %s: VLAN '%s' is not in 1..4094\n", opt, name, s);
		return -1;
	}
	*vid = (uint16_t)v;
	return 0;
}

/* trunk=LIST: VLAN ids and ranges A-B joined by '+'. */
static int parse_trunk(const char *opt, const char *name, char *list, struct vns_port_vlan *v)
{
	char *tok, *dash;
	uint16_t lo, hi, vid;

	memset(v->trunk, 0, sizeof(v->trunk));
	while ((tok = strsep(&list, "+")) != NULL) {
		dash = strchr(tok, '-');
		if (dash != NULL)
			*dash++ = '\0';
		if (parse_vid(opt, name, tok, &lo) < 0 ||
		    (dash != NULL && parse_vid(opt, name, dash, &hi) < 0))
			return -1;
		if (dash == NULL)
			hi = lo;
		if (hi < lo) {
			fprintf(err_out, "%s %s: VLAN range %u-%u is backwards\n", opt, name, lo,
				hi);
			return -1;
		}
		for (vid = lo; vid <= hi; vid++)
			v->trunk[vid / 64] |= 1ULL << (vid % 64);
	}
	return 0;
}

int vns_parse_vlan_list(const char *port, char *list, struct vns_port_vlan *v, FILE *err)
{
	err_out = err;
	return parse_trunk("vlan set trunk", port, list, v);
}

/*
 * The keys --vduse and --port share: vlan=N (access), trunk=LIST, native=N,
 * lcore=N. @return 1 when @p key is one of them, 0 when not, -1 on error.
 */
static int parse_common_key(const char *opt, const char *name, const char *key, char *value,
			    struct vns_port_vlan *v, int *lcore)
{
	unsigned long n;

	if (strcmp(key, "lcore") == 0) {
		if (vns_parse_uint(value, RTE_MAX_LCORE - 1, &n) < 0) {
			fprintf(err_out, "%s %s: lcore '%s' is not in 0..%d\n", opt, name, value,
				RTE_MAX_LCORE - 1);
			return -1;
		}
		*lcore = (int)n;
		return 1;
	}
	if (strcmp(key, "vlan") == 0)
		return parse_vid(opt, name, value, &v->access_vid) < 0 ? -1 : 1;
	if (strcmp(key, "trunk") == 0)
		return parse_trunk(opt, name, value, v) < 0 ? -1 : 1;
	if (strcmp(key, "native") == 0)
		return parse_vid(opt, name, value, &v->native_vid) < 0 ? -1 : 1;
	return 0;
}

/* A port without VLAN settings trunks every VLAN; untagged frames are VLAN 0. */
static void default_vlan(struct vns_port_vlan *v)
{
	memset(v, 0, sizeof(*v));
	memset(v->trunk, 0xff, sizeof(v->trunk));
}

/* An access port has no trunk; whatever the keys' order. */
static int check_vlan(const char *opt, const char *name, const struct vns_port_vlan *v)
{
	if (v->access_vid != 0 && v->native_vid != 0) {
		fprintf(err_out, "%s %s: vlan= makes an access port; native= is for trunks\n", opt,
			name);
		return -1;
	}
	return 0;
}

/*
 * ip=CIDR (an address of the netdev), gw=ADDR (the default route through
 * ADDR) or route=DST[@GW] (DST a CIDR; through GW, else on the link).
 */
static int parse_ip_key(struct vns_vduse_spec *spec, const char *key, char *value)
{
	struct vduse_route *r = &spec->routes[spec->nb_routes];
	char *at = strchr(value, '@');
	unsigned int i;

	if (strcmp(key, "ip") == 0) {
		if (spec->nb_addrs == VDUSE_NETDEV_MAX_ADDRS) {
			fprintf(err_out, "--vduse %s: more than %d ip= addresses\n", spec->name,
				VDUSE_NETDEV_MAX_ADDRS);
			return -1;
		}
		if (vduse_ip_parse(value, true, &spec->addrs[spec->nb_addrs]) < 0) {
			fprintf(err_out,
				"--vduse %s: ip '%s': expected an IPv4 or IPv6 address with its "
				"prefix length, e.g. 10.0.0.2/24 or fd00::2/64\n",
				spec->name, value);
			return -1;
		}
		spec->nb_addrs++;
		return 0;
	}
	if (spec->nb_routes == VDUSE_NETDEV_MAX_ROUTES) {
		fprintf(err_out, "--vduse %s: more than %d gw= and route= routes\n", spec->name,
			VDUSE_NETDEV_MAX_ROUTES);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	if (strcmp(key, "gw") == 0) {
		struct vduse_ip_prefix gw;

		if (vduse_ip_parse(value, false, &gw) < 0) {
			fprintf(err_out,
				"--vduse %s: gw '%s': expected an IPv4 or IPv6 address, e.g. "
				"10.0.0.1\n",
				spec->name, value);
			return -1;
		}
		for (i = 0; i < spec->nb_routes; i++)
			if (spec->routes[i].dst.len == 0 &&
			    spec->routes[i].dst.family == gw.family) {
				fprintf(err_out, "--vduse %s: a second default route (gw=%s)\n",
					spec->name, value);
				return -1;
			}
		r->dst.family = gw.family;
		r->via = true;
		memcpy(r->gw, gw.addr, sizeof(r->gw));
		spec->nb_routes++;
		return 0;
	}
	if (at != NULL)
		*at++ = '\0';
	if (vduse_ip_parse(value, true, &r->dst) < 0) {
		fprintf(err_out,
			"--vduse %s: route '%s': expected DST[@GW], DST a network with its prefix "
			"length, e.g. 10.1.0.0/16@10.0.0.1 or fd01::/64\n",
			spec->name, value);
		return -1;
	}
	if (at != NULL) {
		struct vduse_ip_prefix gw;

		if (vduse_ip_parse(at, false, &gw) < 0 || gw.family != r->dst.family) {
			fprintf(err_out,
				"--vduse %s: route %s: gateway '%s': expected an address of the "
				"destination's family\n",
				spec->name, value, at);
			return -1;
		}
		r->via = true;
		memcpy(r->gw, gw.addr, sizeof(r->gw));
	}
	spec->nb_routes++;
	return 0;
}

int vns_parse_vduse(char *arg, struct vns_vduse_spec *spec, FILE *err)
{
	/* strsep, not strtok: an empty name or option must not be skipped over. */
	char *tok = strsep(&arg, ",");

	err_out = err;
	memset(spec, 0, sizeof(*spec));
	if (vns_check_port_name(tok, err) < 0 ||
	    copy_field(spec->name, sizeof(spec->name), tok, "--vduse name") < 0)
		return -1;
	default_mac(spec->name, spec->mac);
	spec->offloads = VNS_OFFLOAD_ALL;
	spec->lcore = -1;
	default_vlan(&spec->vlan);
	while ((tok = strsep(&arg, ",")) != NULL) {
		char *value = strchr(tok, '=');
		unsigned long mtu;
		int ret;

		if (value == NULL) {
			fprintf(err_out, "--vduse %s: '%s' is not KEY=VALUE\n", spec->name, tok);
			return -1;
		}
		*value++ = '\0';
		ret = parse_common_key("--vduse", spec->name, tok, value, &spec->vlan,
				       &spec->lcore);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		if (strcmp(tok, "mac") == 0) {
			if (vns_parse_mac(value, spec->mac) < 0) {
				fprintf(err_out,
					"--vduse %s: MAC '%s': expected six two-digit hex bytes, "
					"e.g. 02:00:00:00:00:01\n",
					spec->name, value);
				return -1;
			}
			/* The driver would take a zero or group address as its own. */
			if ((spec->mac[0] | spec->mac[1] | spec->mac[2] | spec->mac[3] |
			     spec->mac[4] | spec->mac[5]) == 0 ||
			    (spec->mac[0] & 1)) {
				fprintf(err_out,
					"--vduse %s: MAC %s is %s; a port needs a unicast address "
					"(lowest bit of the first byte clear), e.g. "
					"02:00:00:00:00:01\n",
					spec->name, value, spec->mac[0] & 1 ? "multicast" : "zero");
				return -1;
			}
		} else if (strcmp(tok, "mtu") == 0) {
			if (vns_parse_uint(value, 65535 - 14, &mtu) < 0 || mtu < 68) {
				fprintf(err_out, "--vduse %s: MTU '%s' is not in 68..65521\n",
					spec->name, value);
				return -1;
			}
			spec->mtu = (uint16_t)mtu;
		} else if (strcmp(tok, "netns") == 0) {
			if (check_netns(spec->name, value) < 0 ||
			    copy_field(spec->netns, sizeof(spec->netns), value, "netns") < 0)
				return -1;
		} else if (strcmp(tok, "ifname") == 0) {
			if (copy_field(spec->ifname, sizeof(spec->ifname), value, "ifname") < 0 ||
			    check_ifname(spec->name, value) < 0)
				return -1;
		} else if (strcmp(tok, "offloads") == 0) {
			if (parse_offloads(spec->name, value, &spec->offloads) < 0)
				return -1;
		} else if (strcmp(tok, "ip") == 0 || strcmp(tok, "gw") == 0 ||
			   strcmp(tok, "route") == 0) {
			if (parse_ip_key(spec, tok, value) < 0)
				return -1;
		} else if (strcmp(tok, "owner") == 0) {
			if (copy_field(spec->owner, sizeof(spec->owner), value, "owner") < 0)
				return -1;
		} else {
			fprintf(err_out,
				"--vduse %s: unknown key '%s' (mac, mtu, netns, ifname, ip, gw, "
				"route, owner, offloads, vlan, trunk, native, lcore)\n",
				spec->name, tok);
			return -1;
		}
	}
	if ((spec->nb_addrs > 0 || spec->nb_routes > 0) && *spec->netns == '\0' &&
	    *spec->ifname == '\0') {
		/* The switch's own host is no place to put a container's addresses by accident. */
		fprintf(err_out,
			"--vduse %s: ip=, gw= and route= need netns= or ifname= (the netdev to "
			"give them to)\n",
			spec->name);
		return -1;
	}
	return check_vlan("--vduse", spec->name, &spec->vlan);
}

int vns_parse_port(char *arg, struct vns_port_spec *spec, FILE *err)
{
	char *tok = strsep(&arg, ",");

	err_out = err;
	memset(spec, 0, sizeof(*spec));
	if (copy_field(spec->name, sizeof(spec->name), tok, "--port name") < 0)
		return -1;
	if (*spec->name == '\0') {
		fprintf(err_out, "--port: no ethdev name (e.g. net_tap0, 0000:01:00.0)\n");
		return -1;
	}
	default_vlan(&spec->vlan);
	spec->lcore = -1;
	while ((tok = strsep(&arg, ",")) != NULL) {
		char *value = strchr(tok, '=');
		unsigned long v;
		int ret;

		if (value == NULL) {
			fprintf(err_out, "--port %s: '%s' is not KEY=VALUE\n", spec->name, tok);
			return -1;
		}
		*value++ = '\0';
		ret = parse_common_key("--port", spec->name, tok, value, &spec->vlan, &spec->lcore);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		if (strcmp(tok, "rxq") == 0 || strcmp(tok, "txq") == 0) {
			if (vns_parse_uint(value, 16, &v) < 0 || v == 0) {
				fprintf(err_out, "--port %s: %s=%s is not in 1..16\n", spec->name,
					tok, value);
				return -1;
			}
			*(tok[0] == 'r' ? &spec->nb_rxq : &spec->nb_txq) = (uint16_t)v;
		} else if (strcmp(tok, "mtu") == 0) {
			if (vns_parse_uint(value, 65535 - 14, &v) < 0 || v < 68) {
				fprintf(err_out, "--port %s: MTU '%s' is not in 68..65521\n",
					spec->name, value);
				return -1;
			}
			spec->mtu = (uint16_t)v;
		} else {
			fprintf(err_out,
				"--port %s: unknown key '%s' (vlan, trunk, native, lcore, rxq, "
				"txq, mtu)\n",
				spec->name, tok);
			return -1;
		}
	}
	return check_vlan("--port", spec->name, &spec->vlan);
}

/* testpmd's numeric options: --nb-cores, --burst, --txpkts, --rxq, --txq, --rxd, --txd. */
static int parse_testpmd_number(int c, const char *arg, struct vns_options *opts)
{
	static const struct {
		int c;
		const char *name;
		unsigned long min, max;
		const char *what;
	} opt[] = {
		{'n', "--nb-cores", 1, RTE_MAX_LCORE, "worker lcores that forward"},
		{'b', "--burst", 1, VNS_BURST, "frames per burst"},
		{'x', "--txpkts", VNS_TXPKTS_MIN, VNS_TXPKTS_MAX, "frame bytes without FCS"},
		{'r', "--rxq", 1, PORT_MAX_QUEUES, "receive queues per ethdev port"},
		{'t', "--txq", 1, PORT_MAX_QUEUES, "transmit queues per ethdev port"},
		{'R', "--rxd", 1, 65535, "descriptors per ethdev receive queue"},
		{'D', "--txd", 1, 65535, "descriptors per ethdev transmit queue"},
	};
	unsigned long v;
	unsigned int i;

	for (i = 0; opt[i].c != c; i++)
		;
	if (vns_parse_uint(arg, opt[i].max, &v) < 0 || v < opt[i].min) {
		fprintf(err_out, "%s %s: expected %s, a number in %lu..%lu\n", opt[i].name, arg,
			opt[i].what, opt[i].min, opt[i].max);
		return -1;
	}
	switch (c) {
	case 'n':
		opts->nb_cores = (unsigned int)v;
		break;
	case 'b':
		opts->burst = (uint16_t)v;
		break;
	case 'x':
		opts->txpkts = (uint16_t)v;
		break;
	case 'r':
		opts->nb_rxq = (uint16_t)v;
		break;
	case 't':
		opts->nb_txq = (uint16_t)v;
		break;
	case 'R':
		opts->nb_rxd = (uint16_t)v;
		break;
	default:
		opts->nb_txd = (uint16_t)v;
		break;
	}
	return 0;
}

static int parse_argv(int argc, char **argv, struct vns_options *opts)
{
	static const struct option longopts[] = {
		{"vduse", required_argument, NULL, 'v'},
		{"hugepages", no_argument, NULL, 'H'},
		{"no-hugepages", no_argument, NULL, 'N'},
		{"packed-ring", no_argument, NULL, 'P'},
		{"queue-size", required_argument, NULL, 'q'},
		{"stats-period", required_argument, NULL, 's'},
		{"control", required_argument, NULL, 'c'},
		{"control-group", required_argument, NULL, 'g'},
		{"state-dir", required_argument, NULL, 'S'},
		{"fresh", no_argument, NULL, 'F'},
		{"port", required_argument, NULL, 'p'},
		{"fwd", required_argument, NULL, 'w'},
		{"fdb-size", required_argument, NULL, 'z'},
		{"aging", required_argument, NULL, 'a'},
		{"mbufs", required_argument, NULL, 'm'},
		{"idle-sleep", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		/* testpmd's */
		{"interactive", no_argument, NULL, 'I'},
		{"forward-mode", required_argument, NULL, 'w'},
		{"auto-start", no_argument, NULL, 'A'},
		{"tx-first", no_argument, NULL, 'T'},
		{"cmdline-file", required_argument, NULL, 'C'},
		{"nb-cores", required_argument, NULL, 'n'},
		{"burst", required_argument, NULL, 'b'},
		{"txpkts", required_argument, NULL, 'x'},
		{"rxq", required_argument, NULL, 'r'},
		{"txq", required_argument, NULL, 't'},
		{"rxd", required_argument, NULL, 'R'},
		{"txd", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	unsigned int i, j;
	unsigned long v;
	int c;

	err_out = stderr;
	memset(opts, 0, sizeof(*opts));
	opts->queue_size = 256;
	opts->hugepages = true;
	opts->control_gid = VNS_NO_GROUP;
	snprintf(opts->state_dir, sizeof(opts->state_dir), "%s", VNS_STATE_DIR);
	snprintf(opts->fwd, sizeof(opts->fwd), "%s", "bridge");
	opts->fdb_size = VNS_FDB_SIZE;
	opts->aging_sec = VNS_AGING_SEC;
	opts->nb_mbufs = VNS_NB_MBUFS;
	opts->burst = VNS_BURST;
	opts->txpkts = VNS_TXPKTS_DEFAULT;
	/* 0, not 1: glibc then forgets the state of an earlier scan that stopped early. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "hi", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (opts->nb_vduse == VNS_MAX_PORTS) {
				fprintf(err_out, "at most %d ports\n", VNS_MAX_PORTS);
				return -1;
			}
			if (vns_parse_vduse(optarg, &opts->vduse[opts->nb_vduse], stderr) < 0)
				return -1;
			opts->nb_vduse++;
			break;
		case 'H':
			opts->hugepages = true;
			break;
		case 'N':
			opts->hugepages = false;
			break;
		case 'P':
			opts->packed_ring = true;
			break;
		case 'q':
			if (vns_parse_uint(optarg, 32768, &v) < 0 || v < 2 || (v & (v - 1))) {
				fprintf(err_out,
					"--queue-size %s: not a power of two in 2..32768\n",
					optarg);
				return -1;
			}
			opts->queue_size = (uint16_t)v;
			break;
		case 's':
			if (vns_parse_uint(optarg, 3600, &v) < 0) {
				fprintf(err_out,
					"--stats-period %s: not a number of seconds (0..3600)\n",
					optarg);
				return -1;
			}
			opts->stats_period = (unsigned int)v;
			break;
		case 'c':
			if (copy_field(opts->control, sizeof(opts->control), optarg, "--control") <
			    0)
				return -1;
			break;
		case 'g':
			if (parse_group(optarg, &opts->control_gid) < 0)
				return -1;
			break;
		case 'S':
			if (*optarg != '/') {
				fprintf(err_out, "--state-dir %s: not an absolute path\n", optarg);
				return -1;
			}
			if (copy_field(opts->state_dir, sizeof(opts->state_dir), optarg,
				       "--state-dir") < 0)
				return -1;
			break;
		case 'F':
			opts->fresh = true;
			break;
		case 'p':
			if (opts->nb_port_specs == VNS_MAX_PORTS) {
				fprintf(err_out, "at most %d --port options\n", VNS_MAX_PORTS);
				return -1;
			}
			if (vns_parse_port(optarg, &opts->port_specs[opts->nb_port_specs], stderr) <
			    0)
				return -1;
			opts->nb_port_specs++;
			break;
		case 'w':
			if (copy_field(opts->fwd, sizeof(opts->fwd), optarg, "--fwd") < 0)
				return -1;
			break;
		case 'z':
			if (vns_parse_uint(optarg, 16777216, &v) < 0 || v < 16) {
				fprintf(err_out,
					"--fdb-size %s: not a number of MAC entries in "
					"16..16777216\n",
					optarg);
				return -1;
			}
			opts->fdb_size = (uint32_t)v;
			break;
		case 'L':
			if (vns_parse_uint(optarg, VNS_MAX_IDLE_SLEEP_US, &v) < 0) {
				fprintf(err_out,
					"--idle-sleep %s: not a number of microseconds in 0..%d\n",
					optarg, VNS_MAX_IDLE_SLEEP_US);
				return -1;
			}
			opts->idle_sleep_us = (uint32_t)v;
			break;
		case 'm':
			if (vns_parse_uint(optarg, 16777215, &v) < 0 || v < 1023) {
				fprintf(err_out,
					"--mbufs %s: not a number of mbufs in 1023..16777215\n",
					optarg);
				return -1;
			}
			opts->nb_mbufs = (uint32_t)v;
			break;
		case 'a':
			if (vns_parse_uint(optarg, 1000000, &v) < 0) {
				fprintf(err_out,
					"--aging %s: not a number of seconds (0 never ages, up to "
					"1000000)\n",
					optarg);
				return -1;
			}
			opts->aging_sec = (uint32_t)v;
			break;
		case 'i':
		case 'I':
			opts->interactive = true;
			break;
		case 'A':
			opts->auto_start = true;
			break;
		case 'T':
			opts->tx_first = true;
			break;
		case 'C':
			if (copy_field(opts->cmdline_file, sizeof(opts->cmdline_file), optarg,
				       "--cmdline-file") < 0)
				return -1;
			break;
		case 'n':
		case 'b':
		case 'x':
		case 'r':
		case 't':
		case 'R':
		case 'D':
			if (parse_testpmd_number(c, optarg, opts) < 0)
				return -1;
			break;
		case 'h':
			vns_usage(stdout, argv[0]);
			return 1;
		default:
			vns_usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(err_out, "unexpected argument '%s'\n", argv[optind]);
		vns_usage(stderr, argv[0]);
		return -1;
	}
	if (opts->control_gid != VNS_NO_GROUP && opts->control[0] == '\0') {
		fprintf(err_out, "--control-group needs --control PATH\n");
		return -1;
	}
	for (i = 0; i < opts->nb_vduse; i++)
		for (j = 0; j < i; j++)
			if (strcmp(opts->vduse[i].name, opts->vduse[j].name) == 0) {
				fprintf(err_out, "--vduse %s given twice\n", opts->vduse[i].name);
				return -1;
			}
	for (i = 0; i < opts->nb_port_specs; i++)
		for (j = 0; j < i; j++)
			if (strcmp(opts->port_specs[i].name, opts->port_specs[j].name) == 0) {
				fprintf(err_out, "--port %s given twice\n",
					opts->port_specs[i].name);
				return -1;
			}
	return 0;
}

/*
 * glibc's getopt keeps a pointer into the last option word it read ("-i"
 * last leaves one past the 'i'); EAL scans its own options next, after the
 * words are freed, setting only optind. A scan of an empty argv drops it.
 */
static void getopt_forget(void)
{
	char prog[] = "", *none[] = {prog, NULL};

	optind = 0;
	while (getopt(1, none, "") != -1)
		;
	optind = 0;
}

int vns_parse_options(int argc, char **argv, struct vns_options *opts)
{
	char **args;
	int nargs, ret;

	if (vns_config_expand(argc, argv, &nargs, &args) < 0)
		return -1;
	ret = parse_argv(nargs, args, opts);
	getopt_forget();
	vns_config_free(nargs, args);
	return ret;
}
