/* SPDX-License-Identifier: BSD-3-Clause */
/* The switch's command line and control commands, with a fake port. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"
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

static void test_parse_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"",						    /* no port */
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
	};
	static struct vns_options o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &o) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
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

static const struct port_ops fake_ops = {
	.link_get = fake_link_get,
	.link_set = fake_link_set,
	.stats_get = fake_stats_get,
};

/* Run a command; return its output in @out. */
static int exec(const char *cmd, const struct vns_control_ports *ports, char *out, size_t len)
{
	char line[128];
	FILE *f = fmemopen(out, len, "w");
	int ret;

	snprintf(line, sizeof(line), "%s", cmd);
	ret = vns_control_exec(line, f, ports);
	fclose(f);
	return ret;
}

static void test_control_commands(void **state)
{
	struct fake_port a = {.port = {.ops = &fake_ops, .name = "red0"}, .link_up = true};
	struct fake_port b = {.port = {.ops = &fake_ops, .name = "blue0"}, .link_up = true};
	struct port *list[] = {&a.port, &b.port};
	struct vns_control_ports ports = {list, 2};
	char out[2048];

	(void)state;
	assert_int_equal(exec("link blue0 down\n", &ports, out, sizeof(out)), 0);
	assert_false(b.link_up);
	assert_true(a.link_up);
	assert_string_equal(out, "ok\n");
	assert_int_equal(exec("show ports", &ports, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "port 1: blue0 link down"));
	assert_int_equal(exec("show stats red0", &ports, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "RX-packets: 42"));
	assert_non_null(strstr(out, "TX-gso-segments: 0"));
	assert_null(strstr(out, "blue0"));

	assert_int_equal(exec("link nosuch up", &ports, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: no port 'nosuch'"));
	assert_int_equal(exec("link red0 sideways", &ports, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: usage: link PORT up|down"));
	assert_int_equal(exec("reboot", &ports, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "error: unknown command"));
	assert_int_equal(exec("   ", &ports, out, sizeof(out)), -1);
	assert_int_equal(exec("show stats nosuch", &ports, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vduse_specs),
		cmocka_unit_test(test_parse_offloads),
		cmocka_unit_test(test_parse_rejects_bad_input),
		cmocka_unit_test(test_control_commands),
	};

	return cmocka_run_group_tests_name("vduse-netsw app", tests, NULL, NULL);
}
