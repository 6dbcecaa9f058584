/* SPDX-License-Identifier: BSD-3-Clause */
/* The switch's command line, netns opening and control commands, with a fake port. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>

#include "cli/cli.h"
#include "fwd/fwd.h"
#include "worker/worker.h"
#include "vduse_netdev.h"
#include "options.h"

static int parse(const char *line, struct vns_options *opts)
{
	char buf[512], *argv[32], *save = NULL, *tok;
	int argc = 0;

	snprintf(buf, sizeof(buf), "vduse-netsw %s", line);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return vns_parse_options(argc, argv, opts);
}

/* Each command line in @bad must be refused. */
static void expect_refused(const char *const *bad, size_t n)
{
	static struct vns_options o;
	size_t i;

	for (i = 0; i < n; i++) {
		if (parse(bad[i], &o) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void test_parse_vduse_specs(void **state)
{
	static struct vns_options o;

	(void)state;
	assert_int_equal(parse("--vduse p0,mac=02:11:22:33:44:55,mtu=9000,netns=red,ifname=eth0 "
			       "--vduse p1 --queue-size 1024 --control /run/x.sock",
			       &o),
			 0);
	assert_int_equal(o.nb_vduse, 2);
	assert_string_equal(o.vduse[0].name, "p0");
	assert_int_equal(o.vduse[0].mac[1], 0x11);
	assert_int_equal(o.vduse[0].mtu, 9000);
	assert_string_equal(o.vduse[0].netns, "red");
	assert_string_equal(o.vduse[0].ifname, "eth0");
	assert_int_equal(o.queue_size, 1024);
	assert_string_equal(o.control, "/run/x.sock");
	/* A default MAC: locally administered unicast, stable, distinct per name. */
	assert_int_equal(o.vduse[1].mac[0], 0x02);
	assert_memory_not_equal(o.vduse[0].mac, o.vduse[1].mac, 6);
	assert_int_equal(o.vduse[0].offloads, VNS_OFFLOAD_ALL);
	/* Devices are taken back after a crash unless told otherwise. */
	assert_string_equal(o.state_dir, VNS_STATE_DIR);
	assert_false(o.fresh);
	assert_int_equal(parse("--vduse p0 --state-dir /var/lib/vns --fresh", &o), 0);
	assert_string_equal(o.state_dir, "/var/lib/vns");
	assert_true(o.fresh);
}

static void test_parse_offloads(void **state)
{
	static struct vns_options o;

	(void)state;
	assert_int_equal(parse("--vduse p0,offloads=csum+uso --vduse p1,offloads=none "
			       "--vduse p2,offloads=tso+csum",
			       &o),
			 0);
	assert_int_equal(o.vduse[0].offloads, VNS_OFFLOAD_CSUM | VNS_OFFLOAD_USO);
	assert_int_equal(o.vduse[1].offloads, 0);
	assert_int_equal(o.vduse[2].offloads, VNS_OFFLOAD_CSUM | VNS_OFFLOAD_TSO);
}

/* Port names, MACs, netdev names: refused unless well formed (issue 9, N5). */
static void test_parse_rejects_bad_names_and_macs(void **state)
{
	static const char *const bad[] = {
		"--vduse ,mac=02:00:00:00:00:01",    /* empty name: not the MAC as a name */
		"--vduse mac=02:00:00:00:00:01",     /* the MAC as a name */
		"--vduse p0,,mtu=1500",		     /* an empty option */
		"--vduse p0/x",			     /* '/' in a name */
		"--vduse .p0",			     /* starts with '.' */
		"--vduse p0,mac=00:00:00:00:00:00",  /* zero */
		"--vduse p0,mac=ff:ff:ff:ff:ff:ff",  /* broadcast */
		"--vduse p0,mac=03:00:00:00:00:01",  /* multicast */
		"--vduse p0,mac=2:-1:0:0:0:1",	     /* not two hex digits a byte */
		"--vduse p0,mac=2:0:0:0:0:1",	     /* one digit a byte */
		"--vduse p0,mac=02:00:00:00:00:001", /* three digits */
		"--vduse p0,mac=02:00:00:00:00",     /* five bytes */
		"--vduse p0,mac=02:00:00:00:00:01:", /* trailing separator */
		"--vduse p0,mac=02-00-00-00-00-01",  /* other separator */
		"--vduse p0,mac=+2:00:00:00:00:01",  /* a sign */
		"--vduse p0,mac= 2:00:00:00:00:01",  /* a space (strtol would skip it) */
		"--vduse p0,mac=",		     /* empty */
		"--vduse p0,ifname=a/b",	     /* '/' in a netdev name */
		"--vduse p0,ifname=eth%d",	     /* a kernel name pattern */
		"--vduse p0,ifname=..",		     /* '..' */
		"--vduse p0,ifname=",		     /* empty */
	};
	static struct vns_options o;
	uint8_t mac[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &o) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(parse("--vduse a.b-c_1,mac=0A:bC:00:00:00:01,ifname=veth.1", &o), 0);
	assert_string_equal(o.vduse[0].name, "a.b-c_1");
	assert_int_equal(o.vduse[0].mac[0], 0x0a);
	assert_int_equal(o.vduse[0].mac[1], 0xbc);
	assert_int_equal(vns_parse_mac("01:23:45:67:89:aB", mac), 0);
	assert_int_equal(mac[5], 0xab);
}

/*
 * netns=: a name never leaves /run/netns; a path or a pid is said so
 * explicitly (issue 9, N8).
 */
static void test_parse_netns_forms(void **state)
{
	static const char *const bad[] = {
		"--vduse p0,netns=../../proc/1/ns/net", /* a path disguised as a name */
		"--vduse p0,netns=red/blue",		/* '/' in a name */
		"--vduse p0,netns=..",			/* the parent directory */
		"--vduse p0,netns=.",			/* the directory itself */
		"--vduse p0,netns=",			/* empty */
		"--vduse p0,netns=pid:",		/* no pid */
		"--vduse p0,netns=pid:12a",		/* not a number */
		"--vduse p0,netns=pid:-1",		/* not a number */
		"--vduse p0,netns=pid:0",		/* no process 0 */
		"--vduse p0,netns=pid:/1",		/* not a number */
		"--vduse p0,netns=12a",			/* neither a pid nor a name */
		"--vduse p0,netns=0",			/* no process 0 */
	};
	static struct vns_options o;

	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(parse("--vduse p0,netns=red --vduse p1,netns=/proc/1/ns/net "
			       "--vduse p2,netns=pid:4242 --vduse p3,netns=my.ns-1 "
			       "--vduse p4,netns=4242",
			       &o),
			 0);
	assert_string_equal(o.vduse[0].netns, "red");
	assert_string_equal(o.vduse[1].netns, "/proc/1/ns/net");
	assert_string_equal(o.vduse[2].netns, "pid:4242");
	assert_string_equal(o.vduse[3].netns, "my.ns-1");
	assert_string_equal(o.vduse[4].netns, "4242");
}

/* ip=, gw=, route=, owner=: parsed into the netdev's setup; anything else refused. */
static void test_parse_netdev_setup(void **state)
{
	static const char *const bad[] = {
		"--vduse p0,netns=red,ip=10.0.0.2/33",		  /* prefix too long */
		"--vduse p0,netns=red,ip=10.0.0",		  /* not an address */
		"--vduse p0,netns=red,ip=10.0.0.2/",		  /* no length */
		"--vduse p0,netns=red,gw=10.0.0.1/24",		  /* a gateway has no length */
		"--vduse p0,netns=red,gw=1.1.1.1,gw=1.1.1.2",	  /* two default routes */
		"--vduse p0,netns=red,route=10.1.0.0/16@fd00::1", /* gateway of the other family */
		"--vduse p0,netns=red,route=10.1.0.0/16@",	  /* no gateway after '@' */
		"--vduse p0,ip=10.0.0.2/24",			  /* nowhere to put it */
		/* more than VDUSE_NETDEV_MAX_ADDRS */
		"--vduse p0,netns=r,ip=::1/8,ip=::2/8,ip=::3/8,ip=::4/8,ip=::5/8",
	};
	static struct vns_options o;
	const struct vns_vduse_spec *v = &o.vduse[0];
	static const uint8_t gw6[16] = {0xfd, [15] = 1};

	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(parse("--vduse p0,netns=red,ifname=eth0,ip=10.0.0.2/24,ip=fd00::2/64,"
			       "gw=10.0.0.1,gw=fd00::1,route=10.1.0.0/16@10.0.0.254,"
			       "route=192.168.7.0/24,owner=cni:net:abc:eth0",
			       &o),
			 0);
	assert_int_equal(v->nb_addrs, 2);
	assert_int_equal(v->addrs[0].family, AF_INET);
	assert_int_equal(v->addrs[0].len, 24);
	assert_memory_equal(v->addrs[0].addr, ((uint8_t[]){10, 0, 0, 2}), 4);
	assert_int_equal(v->addrs[1].family, AF_INET6);
	assert_int_equal(v->addrs[1].len, 64);
	assert_int_equal(v->nb_routes, 4);
	/* gw=: a default route through it */
	assert_int_equal(v->routes[0].dst.len, 0);
	assert_true(v->routes[0].via);
	assert_memory_equal(v->routes[0].gw, ((uint8_t[]){10, 0, 0, 1}), 4);
	assert_int_equal(v->routes[1].dst.family, AF_INET6);
	assert_memory_equal(v->routes[1].gw, gw6, 16);
	assert_int_equal(v->routes[2].dst.len, 16);
	assert_memory_equal(v->routes[2].gw, ((uint8_t[]){10, 0, 0, 254}), 4);
	/* route= without '@': on the link */
	assert_false(v->routes[3].via);
	assert_string_equal(v->owner, "cni:net:abc:eth0");
}

/* Opening a netns: each form reaches a real namespace file, and nothing else passes. */
static void test_netns_open(void **state)
{
	char pid[32], why[256];
	int fd;

	(void)state;
	fd = vduse_netns_open("/proc/self/ns/net", why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	snprintf(pid, sizeof(pid), "pid:%d", (int)getpid());
	fd = vduse_netns_open(pid, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	fd = vduse_netns_open(pid + 4, why, sizeof(why)); /* the bare process id */
	assert_true(fd >= 0);
	close(fd);
	/* A namespace of another type, a plain file, a missing name or process. */
	assert_int_equal(vduse_netns_open("/proc/self/ns/uts", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not a network namespace"));
	assert_int_equal(vduse_netns_open("/proc/self/status", why, sizeof(why)), -EINVAL);
	assert_int_equal(vduse_netns_open("no-such-netns-vns-test", why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "ip netns add no-such-netns-vns-test"));
	assert_int_equal(vduse_netns_open("pid:999999999", why, sizeof(why)), -ENOENT);
	assert_int_equal(vduse_netns_open("999999999", why, sizeof(why)), -ENOENT);
}

/* --help: the usage on stdout and 1, so that the switch exits 0 (issue 9, N7). */
static void test_parse_help(void **state)
{
	static struct vns_options o;

	(void)state;
	assert_int_equal(parse("--help", &o), 1);
	assert_int_equal(parse("--vduse p0 -h", &o), 1);
	/* With a control socket, no port is a valid start. */
	assert_int_equal(parse("--control /run/x.sock --control-group 0", &o), 0);
	assert_int_equal(o.nb_vduse, 0);
	assert_int_equal(o.control_gid, 0);
	assert_int_equal(parse("--control /run/x.sock", &o), 0);
	assert_int_equal(o.control_gid, VNS_NO_GROUP);
}

static void test_parse_testpmd_options(void **state)
{
	static const char *const bad[] = {
		"--control /x --burst 0",      "--control /x --burst 33",
		"--control /x --rxq 17",       "--control /x --nb-cores 0",
		"--control /x --rxd 70000",    "--control /x --txd -1",
		"--control /x --cmdline-file", "--control /x --txpkts 41",
		"--control /x --txpkts 2049",
	};
	static struct vns_options o;

	(void)state;
	assert_int_equal(parse("-i --auto-start --tx-first --forward-mode io --burst 8 --txpkts "
			       "1514 --nb-cores 2 "
			       "--rxq 2 --txq 4 --rxd 512 --txd 1024 --cmdline-file /etc/x.cmds",
			       &o),
			 0);
	assert_true(o.interactive);
	assert_true(o.auto_start);
	assert_true(o.tx_first);
	assert_string_equal(o.fwd, "io");
	assert_int_equal(o.burst, 8);
	assert_int_equal(o.txpkts, 1514);
	assert_int_equal(o.nb_cores, 2);
	assert_int_equal(o.nb_rxq, 2);
	assert_int_equal(o.nb_txq, 4);
	assert_int_equal(o.nb_rxd, 512);
	assert_int_equal(o.nb_txd, 1024);
	assert_string_equal(o.cmdline_file, "/etc/x.cmds");
	/* testpmd's defaults: a full burst, every core, the PMD's ring sizes. */
	assert_int_equal(parse("--interactive", &o), 0);
	assert_true(o.interactive);
	assert_false(o.auto_start);
	assert_int_equal(o.burst, VNS_BURST);
	assert_int_equal(o.txpkts, 60);
	assert_int_equal(o.nb_cores, 0);
	assert_int_equal(o.nb_rxd, 0);
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_parse_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"--vduse p0,mac=01:00:00:00:00:01",		    /* multicast MAC */
		"--vduse p0,mac=zz:00:00:00:00:01",		    /* not a MAC */
		"--vduse p0,mtu=20",				    /* MTU too small */
		"--vduse p0,mtu=9000x",				    /* not a number */
		"--vduse p0,colour=red",			    /* unknown key */
		"--vduse p0,netns",				    /* not KEY=VALUE */
		"--vduse p0 --vduse p0",			    /* same name twice */
		"--vduse p0 --queue-size 100",			    /* not a power of two */
		"--vduse p0 extra",				    /* stray argument */
		"--vduse aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* name too long */
		"--vduse p0,ifname=abcdefghijklmnopq",		    /* interface name too long */
		"--vduse p0,offloads=tso",			    /* TSO without checksums */
		"--vduse p0,offloads=csum+ufo",			    /* unknown offload */
		"--vduse p0,offloads=",				    /* empty list */
		"--vduse p0,offloads=+",			    /* empty names */
		"--vduse p0,offloads=csum++tso",		    /* an empty name */
		"--vduse p0,mtu=-1",				    /* not a number */
		"--vduse p0,mtu=+9000",				    /* not only digits */
		"--vduse p0 --stats-period -1",			    /* not a number */
		"--vduse p0 --control-group nosuchgroup-vns --control /x", /* unknown group */
		"--vduse p0 --control-group 0",	   /* group without socket */
		"--vduse p0,vlan=0",		   /* VLAN 0 is not a VLAN */
		"--vduse p0,vlan=4095",		   /* reserved */
		"--vduse p0,trunk=10+",		   /* empty VLAN */
		"--vduse p0,vlan=10,native=20",	   /* native VLAN on an access port */
		"--port",			   /* no name */
		"--port ,vlan=10",		   /* empty name */
		"--port net_tap0,rxq=0",	   /* no queue */
		"--port net_tap0,rxq=17",	   /* over PORT_MAX_QUEUES */
		"--port net_tap0 --port net_tap0", /* twice */
		"--port net_tap0,speed=10",	   /* unknown key */
		"--fdb-size 15",		   /* too small */
		"--aging x",			   /* not a number */
		"--vduse p0 --state-dir run/vns",  /* not an absolute path */
	};
	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
}

/* A fake port that records the link state asked for. */
struct fake_port {
	struct port port;
	bool link_up;
};

static int fake_link_set(struct port *port, bool up)
{
	((struct fake_port *)port)->link_up = up;
	return 0;
}

static int fake_link_get(struct port *port, struct port_link *link)
{
	link->up = ((struct fake_port *)port)->link_up;
	link->speed_mbps = 0;
	return 0;
}

static void fake_stats_get(struct port *port, struct port_stats *stats)
{
	(void)port;
	*stats = (struct port_stats){.rx_packets = 42, .tx_packets = 7};
}

static int fake_xstats_get(struct port *port, struct port_xstat *xs, unsigned int n)
{
	(void)port;
	if (xs != NULL && n >= 1)
		xs[0] = (struct port_xstat){"rx_bad_chains", 3};
	return 1;
}

static const struct port_ops fake_ops = {
	.link_get = fake_link_get,
	.link_set = fake_link_set,
	.stats_get = fake_stats_get,
	.xstats_get = fake_xstats_get,
};

/* Write @text to a new file; its path goes to @path. */
static void write_file(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/vns-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Run a command with the reply in @form; its answer, as the socket sends it, in @out. */
static int exec_form(const char *cmd, enum vns_reply_form form, char *out, size_t len)
{
	struct vns_reply *r = vns_reply_new(form);
	FILE *f = fmemopen(out, len, "w");
	int ret;

	assert_non_null(r);
	assert_non_null(f);
	ret = vns_cli_exec(cmd, r);
	assert_int_equal(vns_reply_write(r, f, true), 0);
	fclose(f);
	vns_reply_free(r);
	return ret;
}

static int exec(const char *cmd, char *out, size_t len)
{
	return exec_form(cmd, VNS_REPLY_TEXT, out, len);
}

/* Run a command in JSON form; its parsed answer (json_decref() it). */
static json_t *exec_json(const char *cmd, int expect)
{
	static char out[16384];
	json_error_t err;
	json_t *doc;

	assert_int_equal(exec_form(cmd, VNS_REPLY_JSON, out, sizeof(out)), expect);
	doc = json_loads(out, 0, &err);
	if (doc == NULL)
		fail_msg("'%s' answered no JSON (%s): %s", cmd, err.text, out);
	assert_int_equal(json_is_true(json_object_get(doc, "ok")), expect == 0);
	return doc;
}

/* The fake switch of the command tests: red0 (a trunk) and blue0 (access VLAN 10). */
static struct fake_port fake_a = {.port = {.ops = &fake_ops, .name = "red0", .id = 0},
				  .link_up = true};
static struct fake_port fake_b = {.port = {.ops = &fake_ops, .name = "blue0", .id = 1},
				  .link_up = true};
static struct vns_port port_a = {.port = &fake_a.port,
				 .info = {.driver = "fake", .nb_rx_queues = 1, .nb_tx_queues = 1}};
static struct vns_port port_b = {.port = &fake_b.port,
				 .info = {.driver = "fake", .nb_rx_queues = 1, .nb_tx_queues = 1},
				 .vlan = {.access_vid = 10}};
static struct vns_worker fake_worker;
static struct vns_switch fake_sw = {.ports = {&port_a, &port_b},
				    .nb_ports = 2,
				    .engine = &fwd_bridge,
				    .workers = &fake_worker,
				    .nb_workers = 1,
				    .burst = 32};

static int setup_cli(void **state)
{
	(void)state;
	memset(port_a.vlan.trunk, 0xff, sizeof(port_a.vlan.trunk));
	fake_worker.counters[0].filtered = 5;
	port_a.cleared = port_b.cleared = (struct vns_port_counts){0};
	return vns_cli_init(&fake_sw);
}

static int teardown_cli(void **state)
{
	(void)state;
	vns_cli_fini();
	return 0;
}

static void test_commands_text(void **state)
{
	char out[8192];

	(void)state;
	assert_int_equal(exec("set link-down port blue0\n", out, sizeof(out)), 0);
	assert_false(fake_b.link_up);
	assert_true(fake_a.link_up);
	assert_string_equal(out, "ok\n");
	assert_int_equal(exec("set link-up port 1", out, sizeof(out)), 0);
	assert_true(fake_b.link_up);
	assert_int_equal(exec("show port summary all", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Number of available ports: 2\n"));
	assert_non_null(strstr(out, "1    00:00:00:00:00:00 blue0            fake            "
				    "started  up 0 Mbps\n"));
	assert_int_equal(exec("show port info blue0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "VLAN mode: access vlan 10\n"));
	assert_int_equal(exec("show port info 0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "VLAN mode: trunk all\n"));
	/* testpmd's layout, line by line; then the switch's own drops. */
	assert_int_equal(exec("show port stats red0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\n  ######################## NIC statistics for port 0  "
				    "########################\n"));
	assert_non_null(
		strstr(out, "  RX-packets: 42         RX-missed: 0          RX-bytes:  0\n"));
	assert_non_null(
		strstr(out, "  TX-packets: 7          TX-errors: 0          TX-bytes:  0\n"));
	assert_non_null(strstr(out, "RX-filtered: 5 "));
	assert_null(strstr(out, "port 1"));
	assert_int_equal(exec("show port xstats red0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "###### NIC extended statistics for port 0 \n"));
	assert_non_null(strstr(out, "rx_bad_chains: 3\n"));
	/* Cleared: counted from here; the fake's counters do not move. */
	assert_int_equal(exec("clear port stats all", out, sizeof(out)), 0);
	assert_int_equal(exec("show port stats 0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "  RX-packets: 0          RX-missed"));

	assert_int_equal(exec("set fwd macswap", out, sizeof(out)), 0);
	assert_ptr_equal(fake_sw.engine, &fwd_macswap);
	assert_int_equal(exec("set burst 16", out, sizeof(out)), 0);
	assert_int_equal(fake_sw.burst, 16);
	assert_int_equal(exec("set txpkts 1514", out, sizeof(out)), 0);
	assert_int_equal(fake_sw.txpkts, 1514);
	assert_int_equal(exec("show config fwd", out, sizeof(out)), 0);
	assert_non_null(strstr(out, " - burst=16 - txpkts=1514\n"));
	assert_non_null(strstr(out, "macswap packet forwarding - ports=2"));
}

/* Bad lines: the word that failed, what was expected, and nothing changed. */
static void test_commands_refused(void **state)
{
	char out[8192], many[1024] = "show";
	int i;

	(void)state;
	fake_sw.engine = &fwd_macswap;
	assert_int_equal(exec("set fwd warp", out, sizeof(out)), -1);
	assert_string_equal(out, "error: word 3 'warp': expected "
				 "bridge|io|mac|macswap|rxonly|txonly|flowgen\n");
	assert_ptr_equal(fake_sw.engine, &fwd_macswap);
	assert_int_equal(exec("set burst 33", out, sizeof(out)), -1);
	assert_string_equal(out, "error: word 3 '33': expected BURST: frames per burst (1..32)\n");
	assert_int_equal(exec("set txpkts 2049", out, sizeof(out)), -1);
	assert_string_equal(out, "error: word 3 '2049': expected LENGTH: frame bytes without FCS "
				 "(42..2048)\n");
	assert_int_equal(exec("set mac aging -1", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: word 4 '-1': expected SECONDS"));
	assert_int_equal(exec("set link-up port nosuch", out, sizeof(out)), -1);
	assert_string_equal(out, "error: word 4 'nosuch': expected PORT: a port's name or number "
				 "(red0, blue0)\n");
	assert_int_equal(exec("show port stat", out, sizeof(out)), -1);
	assert_string_equal(out,
			    "error: word 3 'stat': expected info | stats | summary | xstats\n");
	assert_int_equal(exec("show port", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: word 3 missing: expected info | stats"));
	assert_int_equal(exec("show port stats all extra", out, sizeof(out)), -1);
	assert_string_equal(
		out, "error: word 5 'extra': unexpected, the command is complete before it\n");
	assert_int_equal(exec("reboot", out, sizeof(out)), -1);
	assert_string_equal(out, "error: unknown command 'reboot' (see: help)\n");
	assert_int_equal(exec("capture stop", out, sizeof(out)), -1);
	assert_string_equal(out, "error: no capture runs\n");
	assert_int_equal(exec("capture start red0 rx", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: word 5 missing: expected FILE"));
	assert_int_equal(exec("set promisc red0 maybe", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: word 4 'maybe': expected on|off"));
	assert_int_equal(exec("vlan set native blue0 5", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "blue0 is an access port (VLAN 10)"));
	assert_int_equal(port_b.vlan.native_vid, 0);
	/* A long line of words is refused at the first word too many. */
	for (i = 0; i < 100; i++)
		strcat(many, " port");
	assert_int_equal(exec(many, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: word 3 'port': expected"));
	/* Blank lines and comments do nothing. */
	assert_int_equal(exec("   ", out, sizeof(out)), 0);
	assert_int_equal(exec("# show port stats all", out, sizeof(out)), 0);
	assert_string_equal(out, "ok\n");
}

/* The same commands in JSON: values, not layout. */
static void test_commands_json(void **state)
{
	json_t *doc, *ports, *p;

	(void)state;
	doc = exec_json("show port stats all", 0);
	ports = json_object_get(json_object_get(doc, "reply"), "ports");
	assert_int_equal(json_array_size(ports), 2);
	p = json_array_get(ports, 1);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "blue0");
	assert_int_equal(json_integer_value(json_object_get(p, "rx_packets")), 42);
	assert_int_equal(json_integer_value(json_object_get(p, "tx_packets")), 7);
	json_decref(doc);

	doc = exec_json("show port info blue0", 0);
	p = json_array_get(json_object_get(json_object_get(doc, "reply"), "ports"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "vlan_mode")), "access");
	assert_int_equal(json_integer_value(json_object_get(p, "access_vlan")), 10);
	assert_true(json_is_true(json_object_get(p, "link_up")));
	json_decref(doc);

	doc = exec_json("show port summary all", 0);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(doc, "reply"), "nb_ports")), 2);
	json_decref(doc);

	doc = exec_json("set fwd warp", -1);
	assert_non_null(strstr(json_string_value(json_object_get(doc, "error")), "'warp'"));
	json_decref(doc);

	doc = exec_json("help set", 0);
	assert_true(json_array_size(json_object_get(json_object_get(doc, "reply"), "commands")) >
		    5);
	json_decref(doc);
}

/* --cmdline-file: every line runs; the first failing line stops it, with its number. */
static void test_command_file(void **state)
{
	char path[64], out[8192];
	FILE *f;

	(void)state;
	write_file(path, sizeof(path), "# set up\n\nset fwd io\nset burst 8\n");
	f = fmemopen(out, sizeof(out), "w");
	assert_int_equal(vns_cli_run_file(path, &fake_sw, f), 0);
	fclose(f);
	unlink(path);
	assert_ptr_equal(fake_sw.engine, &fwd_io);
	assert_int_equal(fake_sw.burst, 8);

	write_file(path, sizeof(path), "set fwd mac\nset fwd nosuch\nset burst 4\n");
	f = fmemopen(out, sizeof(out), "w");
	assert_int_equal(vns_cli_run_file(path, &fake_sw, f), -1);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(out, ":2: set fwd nosuch\nerror: word 3 'nosuch'"));
	assert_ptr_equal(fake_sw.engine, &fwd_mac);
	assert_int_equal(fake_sw.burst, 8); /* line 3 never ran */
	assert_int_equal(vns_cli_run_file("/nonexistent/cmds", &fake_sw, stderr), -1);
}

static void test_config_file(void **state)
{
	static struct vns_options o;
	char path[64], line[128];

	(void)state;
	write_file(path, sizeof(path),
		   "# two containers and a NIC\n"
		   "\n"
		   "vduse red,netns=red,vlan=10\n"
		   "  --vduse blue,trunk=10+20-22,native=5  \n"
		   "port net_tap0,vlan=10,rxq=2\n"
		   "fwd macswap\n"
		   "no-hugepages\n"
		   "aging 60\n");
	snprintf(line, sizeof(line), "--config %s --fdb-size 100", path);
	assert_int_equal(parse(line, &o), 0);
	unlink(path);
	assert_int_equal(o.nb_vduse, 2);
	assert_string_equal(o.vduse[0].netns, "red");
	assert_int_equal(o.vduse[0].vlan.access_vid, 10);
	assert_int_equal(o.vduse[1].vlan.access_vid, 0);
	assert_int_equal(o.vduse[1].vlan.native_vid, 5);
	assert_true(o.vduse[1].vlan.trunk[0] & (1ULL << 10));
	assert_true(o.vduse[1].vlan.trunk[0] & (1ULL << 21));
	assert_false(o.vduse[1].vlan.trunk[0] & (1ULL << 11));
	assert_int_equal(o.nb_port_specs, 1);
	assert_string_equal(o.port_specs[0].name, "net_tap0");
	assert_int_equal(o.port_specs[0].nb_rxq, 2);
	assert_string_equal(o.fwd, "macswap");
	assert_false(o.hugepages);
	assert_int_equal(o.aging_sec, 60);
	assert_int_equal(o.fdb_size, 100);

	/* A file naming another, a bad option in a file, a missing file. */
	write_file(path, sizeof(path), "config /etc/other.conf\n");
	snprintf(line, sizeof(line), "--config %s", path);
	assert_int_equal(parse(line, &o), -1);
	unlink(path);
	write_file(path, sizeof(path), "vduse p0,colour=red\n");
	snprintf(line, sizeof(line), "--config=%s", path);
	assert_int_equal(parse(line, &o), -1);
	unlink(path);
	assert_int_equal(parse("--config /nonexistent/vns.conf", &o), -1);
	assert_int_equal(parse("--config", &o), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vduse_specs),
		cmocka_unit_test(test_parse_offloads),
		cmocka_unit_test(test_parse_rejects_bad_input),
		cmocka_unit_test(test_parse_testpmd_options),
		cmocka_unit_test(test_parse_rejects_bad_names_and_macs),
		cmocka_unit_test(test_parse_netns_forms),
		cmocka_unit_test(test_netns_open),
		cmocka_unit_test(test_parse_netdev_setup),
		cmocka_unit_test(test_parse_help),
		cmocka_unit_test_setup_teardown(test_commands_text, setup_cli, teardown_cli),
		cmocka_unit_test_setup_teardown(test_commands_refused, setup_cli, teardown_cli),
		cmocka_unit_test_setup_teardown(test_commands_json, setup_cli, teardown_cli),
		cmocka_unit_test_setup_teardown(test_command_file, setup_cli, teardown_cli),
		cmocka_unit_test(test_config_file),
	};

	return cmocka_run_group_tests_name("vduse-netsw app", tests, NULL, NULL);
}
