/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vduse-netsw-cni: a CNI plugin (spec 1.1.0; 0.4.0 and 1.0.0 too) whose
 * interfaces are ports of vduse-netsw, added and removed through its
 * control socket. The runtime runs it with CNI_* in the environment and
 * the network configuration on stdin; the result or the error goes to
 * stdout, the exit status is 0 or 1. See doc/cni.md.
 *
 * This file reads the invocation, checks what the command needs and
 * dispatches; VERSION is answered here, as it needs nothing else.
 */
#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "result.h"
#include "version.h"

/* The environment a command needs, as bits. */
enum need {
	NEED_CONTAINERID = 1,
	NEED_NETNS = 2,
	NEED_IFNAME = 4,
};

static const struct command {
	const char *name;
	int (*run)(const struct cni_env *env, struct cni_conf *conf, struct cni_error *err);
	unsigned int need;
} commands[] = {
	{"ADD", cmd_add, NEED_CONTAINERID | NEED_NETNS | NEED_IFNAME},
	{"DEL", cmd_del, NEED_CONTAINERID | NEED_IFNAME},
	{"CHECK", cmd_check, NEED_CONTAINERID | NEED_NETNS | NEED_IFNAME},
	{"STATUS", cmd_status, 0},
	{"GC", cmd_gc, 0},
};

/* Read all of stdin into @buf; @return 0, or -1 on a read error. */
static int read_stdin(char **buf, size_t *len)
{
	FILE *mem = open_memstream(buf, len);
	char chunk[4096];
	size_t n;

	if (mem == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(stdin)) {
		fclose(mem);
		return -1;
	}
	return fclose(mem) == 0 ? 0 : -1;
}

/* VERSION: the versions spoken, in the version the runtime asked in (else the latest). */
static int version(const char *input, size_t len)
{
	json_t *in = json_loadb(input, len, 0, NULL), *out, *list = json_array();
	const char *asked = json_string_value(json_object_get(in, "cniVersion"));
	int ret;

	for (int i = 0; cni_versions[i] != NULL; i++)
		json_array_append_new(list, json_string(cni_versions[i]));
	out = json_pack("{s:s, s:o}", "cniVersion", asked ? asked : CNI_VERSION_LATEST,
			"supportedVersions", list);
	ret = out != NULL ? result_print(out) : -1;
	json_decref(out);
	json_decref(in);
	return ret;
}

/* A netdev name as the kernel takes it (dev_valid_name) and the switch's words allow. */
static bool valid_ifname(const char *s)
{
	if (*s == '\0' || strlen(s) > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (strchr("/:%,", *s) != NULL || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

/* A namespace path the switch takes as one KEY=VALUE word. */
static bool valid_netns(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s == ',' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

/* The variables @cmd needs: set and well-formed. */
static int check_env(const struct command *cmd, const struct cni_env *env, struct cni_error *err)
{
	if ((cmd->need & NEED_CONTAINERID) &&
	    (env->containerid == NULL || !conf_valid_id(env->containerid)))
		return cni_fail(err, CNI_ERR_INVALID_ENV, "invalid CNI_CONTAINERID",
				"CNI_CONTAINERID %s: expected a letter or digit, then letters, "
				"digits, '_', '.' and '-'",
				env->containerid ? env->containerid : "not set");
	if ((cmd->need & NEED_NETNS) && (env->netns == NULL || !valid_netns(env->netns)))
		return cni_fail(err, CNI_ERR_INVALID_ENV, "invalid CNI_NETNS",
				"CNI_NETNS %s: expected the path of the container's network "
				"namespace (e.g. /run/netns/NAME), without blanks or commas",
				env->netns ? env->netns : "not set");
	if ((cmd->need & NEED_IFNAME) && (env->ifname == NULL || !valid_ifname(env->ifname)))
		return cni_fail(err, CNI_ERR_INVALID_ENV, "invalid CNI_IFNAME",
				"CNI_IFNAME %s: expected a netdev name of 1..15 characters "
				"without '/', ':', '%%', ',' or blanks (e.g. eth0)",
				env->ifname ? env->ifname : "not set");
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(void)
{
	const struct cni_env env = {
		.command = getenv("CNI_COMMAND"),
		.containerid = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
		.path = getenv("CNI_PATH"),
	};
	struct cni_error err = {.code = 0};
	struct cni_conf conf = {.doc = NULL};
	const struct command *cmd = NULL;
	char *input = NULL;
	size_t len = 0;

	/* An IPAM plugin that leaves without reading its stdin: EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	if (env.command == NULL || *env.command == '\0')
		cni_fail(&err, CNI_ERR_INVALID_ENV, "CNI_COMMAND is not set",
			 "CNI_COMMAND: expected ADD, DEL, CHECK, STATUS, GC or VERSION");
	else if (strcmp(env.command, "VERSION") != 0 && (cmd = find_command(env.command)) == NULL)
		cni_fail(&err, CNI_ERR_INVALID_ENV, "invalid CNI_COMMAND",
			 "CNI_COMMAND '%s': expected ADD, DEL, CHECK, STATUS, GC or VERSION",
			 env.command);
	else if (read_stdin(&input, &len) < 0)
		cni_fail(&err, CNI_ERR_IO, "cannot read the network configuration",
			 "reading stdin failed");
	else if (cmd == NULL) {
		if (version(input, len) < 0)
			cni_fail(&err, CNI_ERR_IO, "cannot write the result", "writing stdout");
	} else if (conf_parse(input, len, &conf, &err) == 0 && check_env(cmd, &env, &err) == 0) {
		cmd->run(&env, &conf, &err);
	}
	free(input);
	if (err.code != 0)
		result_print_error(&err, conf.version != NULL && cni_version_supported(conf.version)
						 ? conf.version
						 : CNI_VERSION_LATEST);
	conf_free(&conf);
	return err.code != 0;
}
