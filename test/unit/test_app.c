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

#include "commands.h"
#include "control.h"
#include "fwd/fwd.h"
#include "netdev.h"
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
	};
	static struct vns_options o;

	(void)state;
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(parse("--vduse p0,netns=red --vduse p1,netns=/proc/1/ns/net "
			       "--vduse p2,netns=pid:4242 --vduse p3,netns=my.ns-1",
			       &o),
			 0);
	assert_string_equal(o.vduse[0].netns, "red");
	assert_string_equal(o.vduse[1].netns, "/proc/1/ns/net");
	assert_string_equal(o.vduse[2].netns, "pid:4242");
	assert_string_equal(o.vduse[3].netns, "my.ns-1");
}

/* Opening a netns: each form reaches a real namespace file, and nothing else passes. */
static void test_netns_open(void **state)
{
	char pid[32];
	int fd;

	(void)state;
	fd = vns_netns_open("/proc/self/ns/net");
	assert_true(fd >= 0);
	close(fd);
	snprintf(pid, sizeof(pid), "pid:%d", (int)getpid());
	fd = vns_netns_open(pid);
	assert_true(fd >= 0);
	close(fd);
	/* A namespace of another type, a plain file, a missing name or process. */
	assert_int_equal(vns_netns_open("/proc/self/ns/uts"), -EINVAL);
	assert_int_equal(vns_netns_open("/proc/self/status"), -EINVAL);
	assert_int_equal(vns_netns_open("no-such-netns-vns-test"), -ENOENT);
	assert_int_equal(vns_netns_open("pid:999999999"), -ENOENT);
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

/* Run a command; return its output in @out. */
static int exec(const char *cmd, struct vns_switch *sw, char *out, size_t len)
{
	char line[512];
	FILE *f = fmemopen(out, len, "w");
	int ret;

	snprintf(line, sizeof(line), "%s", cmd);
	ret = vns_command_exec(line, f, sw);
	fclose(f);
	return ret;
}

static void test_control_commands(void **state)
{
	struct fake_port a = {.port = {.ops = &fake_ops, .name = "red0", .id = 0}, .link_up = true};
	struct fake_port b = {.port = {.ops = &fake_ops, .name = "blue0", .id = 1},
			      .link_up = true};
	struct vns_port va = {.port = &a.port, .info = {.driver = "fake", .nb_rx_queues = 1}};
	struct vns_port vb = {.port = &b.port,
			      .info = {.driver = "fake", .nb_rx_queues = 1},
			      .vlan = {.access_vid = 10}};
	static struct vns_worker worker;
	struct vns_switch sw = {.ports = {&va, &vb},
				.nb_ports = 2,
				.engine = &fwd_bridge,
				.workers = &worker,
				.nb_workers = 1};
	char out[4096];

	(void)state;
	memset(va.vlan.trunk, 0xff, sizeof(va.vlan.trunk));
	worker.counters[0].filtered = 5;
	assert_int_equal(exec("link blue0 down\n", &sw, out, sizeof(out)), 0);
	assert_false(b.link_up);
	assert_true(a.link_up);
	assert_string_equal(out, "ok\n");
	assert_int_equal(exec("show ports", &sw, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "port 1: blue0 link down driver fake"));
	assert_non_null(strstr(out, "access vlan 10"));
	assert_non_null(
		strstr(out, "port 0: red0 link up driver fake rxq 1 txq 0 mtu 0 trunk all"));
	assert_int_equal(exec("show stats red0", &sw, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "RX-packets: 42"));
	assert_non_null(strstr(out, "RX-filtered: 5"));
	assert_null(strstr(out, "blue0"));
	assert_int_equal(exec("show xstats red0", &sw, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "rx_bad_chains: 3\n"));

	assert_int_equal(exec("set fwd macswap", &sw, out, sizeof(out)), 0);
	assert_ptr_equal(sw.engine, &fwd_macswap);
	assert_int_equal(exec("set fwd warp", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: no engine 'warp' (bridge|io|"));
	assert_ptr_equal(sw.engine, &fwd_macswap);
	assert_int_equal(exec("set aging -1", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: aging '-1'"));

	assert_int_equal(exec("link nosuch up", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: no port 'nosuch'"));
	assert_int_equal(exec("link red0 sideways", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: usage: link PORT up|down"));
	assert_int_equal(exec("reboot", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: unknown command"));
	assert_int_equal(exec("   ", &sw, out, sizeof(out)), -1);
	/* Words past the most are refused, not dropped. */
	char many[512] = "show";
	for (int i = 0; i < 64; i++)
		strcat(many, " ports");
	assert_int_equal(exec(many, &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: more than 64 words"));
	assert_int_equal(exec("capture stop", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: no capture runs"));
	assert_int_equal(exec("capture start red0 rx", &sw, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: usage: capture start PORT|all"));
	assert_int_equal(exec("show stats nosuch", &sw, out, sizeof(out)), -1);
	assert_int_equal(exec("fdb flush nosuch", &sw, out, sizeof(out)), -1);

	/* Without ports, "show stats" shows none (it read a missing argument). */
	sw.nb_ports = 0;
	assert_int_equal(exec("show stats", &sw, out, sizeof(out)), 0);
	assert_string_equal(out, "ok\n");
}

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
		cmocka_unit_test(test_parse_rejects_bad_names_and_macs),
		cmocka_unit_test(test_parse_netns_forms),
		cmocka_unit_test(test_netns_open),
		cmocka_unit_test(test_parse_help),
		cmocka_unit_test(test_control_commands),
		cmocka_unit_test(test_config_file),
	};

	return cmocka_run_group_tests_name("vduse-netsw app", tests, NULL, NULL);
}
