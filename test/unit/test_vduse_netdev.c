/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * drivers/vduse/vduse_netdev.c against the real kernel: a veth end stands
 * in for a VDUSE port's netdev (the host has no VDUSE; the placement is the
 * same rtnetlink work for any netdev). Needs root and network namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "vduse_netdev.h"

#define NS	"vns-test-netdev"
#define NS_PATH "/run/netns/" NS
#define DEV	"vnstest0"
#define PEER	"vnstest1"

/* Run a shell command; @return its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	return ret == -1 ? -1 : WEXITSTATUS(ret);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() == 0)
		sh("ip netns add " NS " 2>/dev/null");
	return 0; /* without it, each test skips */
}

static int teardown(void **state)
{
	(void)state;
	/* Deleting the namespace deletes the veth ends in it, and their peers. */
	sh("ip link del " DEV " 2>/dev/null; ip netns del " NS " 2>/dev/null");
	return 0;
}

/* The namespace and a fresh veth pair DEV-@p peer, or SKIP. */
static void need_testbed(const char *peer)
{
	if (access(NS_PATH, F_OK) != 0 ||
	    sh("ip link add " DEV " type veth peer name %s 2>/dev/null", peer) != 0) {
		fprintf(stderr, "SKIP: needs root, 'ip netns add' and veth\n");
		skip();
	}
}

static void prefix(struct vduse_ip_prefix *p, const char *s)
{
	assert_int_equal(vduse_ip_parse(s, true, p), 0);
}

static void route(struct vduse_route *r, const char *dst, const char *gw)
{
	struct vduse_ip_prefix g;

	memset(r, 0, sizeof(*r));
	prefix(&r->dst, dst);
	if (gw != NULL) {
		assert_int_equal(vduse_ip_parse(gw, false, &g), 0);
		r->via = true;
		memcpy(r->gw, g.addr, sizeof(r->gw));
	}
}

/* Into the namespace as eth7: MTU, two addresses, routes, up; the name is then taken. */
static void test_place_and_configure(void **state)
{
	struct vduse_netdev_conf conf = {.netns = NS, .ifname = "eth7", .mtu = 1400, .up = true};
	char why[320] = "";

	(void)state;
	need_testbed(PEER);
	conf.ns_fd = vduse_netns_open(NS, why, sizeof(why));
	assert_true(conf.ns_fd >= 0);
	assert_int_equal(vduse_netdev_check_free(conf.ns_fd, "eth7", why, sizeof(why)), 0);
	prefix(&conf.addrs[conf.nb_addrs++], "10.9.0.2/24");
	prefix(&conf.addrs[conf.nb_addrs++], "fd09::2/64");
	route(&conf.routes[conf.nb_routes++], "0.0.0.0/0", "10.9.0.1");
	route(&conf.routes[conf.nb_routes++], "10.10.0.0/16", "10.9.0.254");
	route(&conf.routes[conf.nb_routes++], "192.168.77.0/24", NULL);
	route(&conf.routes[conf.nb_routes++], "::/0", "fd09::1");
	assert_int_equal(vduse_netdev_setup(DEV, &conf, why, sizeof(why)), 0);

	assert_int_equal(if_nametoindex(DEV), 0); /* gone from here */
	assert_int_equal(sh("ip -n " NS " -o link show eth7 | grep -q 'mtu 1400'"), 0);
	assert_int_equal(sh("ip -n " NS " -o link show eth7 | grep -q '<.*UP'"), 0);
	assert_int_equal(sh("ip -n " NS " -o addr show dev eth7 | grep -q 'inet 10.9.0.2/24'"), 0);
	assert_int_equal(sh("ip -n " NS " -o addr show dev eth7 | grep -q 'inet6 fd09::2/64'"), 0);
	assert_int_equal(sh("ip -n " NS " route | grep -q '^default via 10.9.0.1 dev eth7'"), 0);
	assert_int_equal(sh("ip -n " NS " route | grep -q '^10.10.0.0/16 via 10.9.0.254'"), 0);
	assert_int_equal(
		sh("ip -n " NS " route | grep -q '^192.168.77.0/24 dev eth7 .*scope link'"), 0);
	assert_int_equal(sh("ip -n " NS " -6 route | grep -q '^default via fd09::1 dev eth7'"), 0);
	/* No temporary name is left behind. */
	assert_int_equal(sh("ip -n " NS " -o link | grep -q vnstmp"), 1);

	/* The name is taken there now, and said so. */
	assert_int_equal(vduse_netdev_check_free(conf.ns_fd, "eth7", why, sizeof(why)), -EEXIST);
	assert_non_null(strstr(why, "eth7 exists"));
	close(conf.ns_fd);
}

/* A step that fails halfway names itself; what the kernel refused is not half-done. */
static void test_failure_named(void **state)
{
	struct vduse_netdev_conf conf = {.netns = NS, .ifname = "eth8", .up = true};
	char why[320] = "";

	(void)state;
	need_testbed("vnstest2");
	conf.ns_fd = vduse_netns_open(NS_PATH, why, sizeof(why));
	assert_true(conf.ns_fd >= 0);
	prefix(&conf.addrs[conf.nb_addrs++], "10.9.0.2/24");
	/* A gateway on no subnet of the netdev: the kernel refuses the route. */
	route(&conf.routes[conf.nb_routes++], "0.0.0.0/0", "192.0.2.1");
	assert_int_equal(vduse_netdev_setup(DEV, &conf, why, sizeof(why)), -ENETUNREACH);
	assert_non_null(strstr(why, "route default via 192.0.2.1"));
	/* The rename into a taken name is refused as such. */
	conf.nb_addrs = conf.nb_routes = 0;
	assert_int_equal(sh("ip link add " DEV " type veth peer name vnstest3"), 0);
	conf.ifname = "eth8"; /* taken by the first attempt */
	assert_int_equal(vduse_netdev_setup(DEV, &conf, why, sizeof(why)), -EEXIST);
	assert_non_null(strstr(why, "eth8 exists"));
	close(conf.ns_fd);
	/* The caller removes the device on failure; here the namespace takes both. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_and_configure),
		cmocka_unit_test(test_failure_named),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
