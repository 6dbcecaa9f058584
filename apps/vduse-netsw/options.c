/* SPDX-License-Identifier: BSD-3-Clause */
/* The command line: --vduse specs and switch-wide settings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "options.h"

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --vduse "
		"NAME[,mac=MAC][,mtu=N][,netns=NS][,ifname=IF][,offloads=LIST] ...\n"
		"          [--hugepages] [--queue-size N] [--stats-period SECONDS] [--control "
		"PATH]\n"
		"  --vduse         a VDUSE virtio-net port (repeat for more); the kernel's\n"
		"                  virtio_net makes it a netdev, moved into NS and renamed IF;\n"
		"                  LIST is none or csum, tso, uso joined by '+' (default all)\n"
		"  --hugepages     back the VDUSE bounce buffers with hugepages when possible\n"
		"  --packed-ring   offer the packed virtqueue layout (VIRTIO_F_RING_PACKED)\n"
		"  --queue-size    ring size offered to the driver (power of two, default 256)\n"
		"  --stats-period  print port counters every SECONDS\n"
		"  --control       serve commands on Unix socket PATH (link PORT up|down,\n"
		"                  show ports, show stats [PORT])\n",
		prog);
}

int vns_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	/* A port needs a unicast address. */
	return mac[0] & 1 ? -1 : 0;
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
		fprintf(stderr, "%s '%s': empty or longer than %zu characters\n", what, value,
			size - 1);
		return -1;
	}
	strcpy(dst, value);
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
	char *save = NULL, *tok;
	unsigned int i;

	*offloads = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	for (tok = strtok_r(list, "+", &save); tok != NULL; tok = strtok_r(NULL, "+", &save)) {
		for (i = 0; i < RTE_DIM(known) && strcmp(tok, known[i].name) != 0; i++)
			;
		if (i == RTE_DIM(known)) {
			fprintf(stderr, "--vduse %s: unknown offload '%s' (csum, tso, uso, none)\n",
				name, tok);
			return -1;
		}
		*offloads |= known[i].bit;
	}
	if (*offloads == 0 ||
	    ((*offloads & ~VNS_OFFLOAD_CSUM) && !(*offloads & VNS_OFFLOAD_CSUM))) {
		fprintf(stderr, "--vduse %s: offloads: tso and uso need csum (say csum+tso)\n",
			name);
		return -1;
	}
	return 0;
}

static int parse_vduse(char *arg, struct vns_vduse_spec *spec)
{
	char *save = NULL, *tok = strtok_r(arg, ",", &save);

	memset(spec, 0, sizeof(*spec));
	if (tok == NULL || copy_field(spec->name, sizeof(spec->name), tok, "--vduse name") < 0)
		return -1;
	default_mac(spec->name, spec->mac);
	spec->offloads = VNS_OFFLOAD_ALL;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *value = strchr(tok, '=');
		char *end;

		if (value == NULL) {
			fprintf(stderr, "--vduse %s: '%s' is not KEY=VALUE\n", spec->name, tok);
			return -1;
		}
		*value++ = '\0';
		if (strcmp(tok, "mac") == 0) {
			if (vns_parse_mac(value, spec->mac) < 0) {
				fprintf(stderr, "--vduse %s: bad unicast MAC '%s'\n", spec->name,
					value);
				return -1;
			}
		} else if (strcmp(tok, "mtu") == 0) {
			unsigned long mtu = strtoul(value, &end, 10);

			if (*end != '\0' || mtu < 68 || mtu > 65535 - 14) {
				fprintf(stderr, "--vduse %s: MTU '%s' is not in 68..65521\n",
					spec->name, value);
				return -1;
			}
			spec->mtu = (uint16_t)mtu;
		} else if (strcmp(tok, "netns") == 0) {
			if (copy_field(spec->netns, sizeof(spec->netns), value, "netns") < 0)
				return -1;
		} else if (strcmp(tok, "ifname") == 0) {
			if (copy_field(spec->ifname, sizeof(spec->ifname), value, "ifname") < 0)
				return -1;
		} else if (strcmp(tok, "offloads") == 0) {
			if (parse_offloads(spec->name, value, &spec->offloads) < 0)
				return -1;
		} else {
			fprintf(stderr,
				"--vduse %s: unknown key '%s' (mac, mtu, netns, ifname, "
				"offloads)\n",
				spec->name, tok);
			return -1;
		}
	}
	return 0;
}

int vns_parse_options(int argc, char **argv, struct vns_options *opts)
{
	static const struct option longopts[] = {
		{"vduse", required_argument, NULL, 'v'},
		{"hugepages", no_argument, NULL, 'H'},
		{"packed-ring", no_argument, NULL, 'P'},
		{"queue-size", required_argument, NULL, 'q'},
		{"stats-period", required_argument, NULL, 's'},
		{"control", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned int i, j;
	unsigned long v;
	char *end;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->queue_size = 256;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (opts->nb_vduse == VNS_MAX_PORTS) {
				fprintf(stderr, "at most %d ports\n", VNS_MAX_PORTS);
				return -1;
			}
			if (parse_vduse(optarg, &opts->vduse[opts->nb_vduse]) < 0)
				return -1;
			opts->nb_vduse++;
			break;
		case 'H':
			opts->hugepages = true;
			break;
		case 'P':
			opts->packed_ring = true;
			break;
		case 'q':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v < 2 || v > 32768 || (v & (v - 1))) {
				fprintf(stderr, "--queue-size %s: not a power of two in 2..32768\n",
					optarg);
				return -1;
			}
			opts->queue_size = (uint16_t)v;
			break;
		case 's':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v > 3600) {
				fprintf(stderr, "--stats-period %s: not a number of seconds\n",
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
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		usage(argv[0]);
		return -1;
	}
	if (opts->nb_vduse == 0) {
		fprintf(stderr, "no ports: give at least one --vduse\n");
		usage(argv[0]);
		return -1;
	}
	for (i = 0; i < opts->nb_vduse; i++)
		for (j = 0; j < i; j++)
			if (strcmp(opts->vduse[i].name, opts->vduse[j].name) == 0) {
				fprintf(stderr, "--vduse %s given twice\n", opts->vduse[i].name);
				return -1;
			}
	return 0;
}
