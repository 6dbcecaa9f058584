/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPAM delegation. The IPAM plugin is asked VERSION first, because Debian's
 * host-local and static speak no 1.1.0: they are handed the configuration
 * in the newest version both sides speak, and their result is converted
 * back to the configuration's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipam.h"
#include "result.h"
#include "version.h"

/* What a run of the IPAM plugin gave. */
struct run {
	char *out;  /* its stdout, NUL-terminated */
	size_t len; /* bytes in out */
	int status; /* its wait status */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: the environment the spec asks for, then the plugin. */
static void child(const char *path, const char *command, const struct ipam_attachment *other,
		  int in, int out)
{
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	/* An ignored signal stays ignored across exec: give the plugin the default back. */
	signal(SIGPIPE, SIG_DFL);
	setenv("CNI_COMMAND", command, 1);
	if (other != NULL) {
		setenv("CNI_CONTAINERID", other->containerid, 1);
		setenv("CNI_IFNAME", other->ifname, 1);
		/* GC's attachments have no namespace any more, or none known here. */
		unsetenv("CNI_NETNS");
	}
	execl(path, path, (char *)NULL);
	fprintf(stderr, "vduse-netsw-cni: cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Feed @input to the child's stdin while reading its stdout, until it closes stdout. */
static int pump(int in, int out, const char *input, long long deadline, struct run *r)
{
	size_t sent = 0, len = strlen(input);
	char buf[4096];

	while (out >= 0) {
		struct pollfd pfd[2] = {{.fd = out, .events = POLLIN},
					{.fd = in, .events = POLLOUT}};
		long long left = deadline - now_ms();
		int ret = left > 0 ? poll(pfd, in >= 0 ? 2 : 1, (int)left) : 0;

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		if (in >= 0 && pfd[1].revents != 0) {
			ssize_t n = write(in, input + sent, len - sent);

			/* EPIPE: it did not read it all; its answer will say why. */
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				sent = len;
			else if (n > 0)
				sent += (size_t)n;
			if (sent == len) {
				close(in);
				in = -1;
			}
		}
		if (pfd[0].revents != 0) {
			ssize_t n = read(out, buf, sizeof(buf));
			char *grown;

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0) {
				out = -1;
				continue;
			}
			grown = realloc(r->out, r->len + (size_t)n + 1);
			if (grown == NULL)
				break;
			r->out = grown;
			memcpy(r->out + r->len, buf, (size_t)n);
			r->len += (size_t)n;
			r->out[r->len] = '\0';
		}
	}
	if (in >= 0)
		close(in);
	return out < 0 ? 0 : -1;
}

/*
 * Run the plugin at @path with @input on its stdin, within @timeout_s.
 * @return 0 with @r filled (free r->out), or -1 with @err filled.
 */
static int run(const char *path, const char *type, const char *command,
	       const struct ipam_attachment *other, const char *input, int timeout_s, struct run *r,
	       struct cni_error *err)
{
	int in[2], out[2], ok;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(in, O_CLOEXEC) < 0)
		goto sys_fail;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		goto sys_fail;
	}
	pid = fork();
	if (pid == 0)
		child(path, command, other, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		goto sys_fail;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	ok = pump(in[1], out[0], input, now_ms() + (long long)timeout_s * 1000, r) == 0;
	close(out[0]);
	if (!ok)
		kill(pid, SIGKILL);
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
	if (!ok) {
		free(r->out);
		r->out = NULL;
		return cni_fail(err, CNI_ERR_IPAM_FAILED, "the IPAM plugin did not answer",
				"IPAM plugin %s (%s %s): no answer within %d s (\"timeout\"); "
				"killed",
				type, path, command, timeout_s);
	}
	return 0;
sys_fail:
	return cni_fail(err, CNI_ERR_IPAM_FAILED, "cannot run the IPAM plugin",
			"IPAM plugin %s (%s): %s", type, path, strerror(errno));
}

/* A failed run: pass its error result on, or say how it ended. */
static int run_failed(const struct run *r, const char *type, const char *command,
		      struct cni_error *err)
{
	json_t *doc = r->len ? json_loadb(r->out, r->len, 0, NULL) : NULL;
	const json_t *code = json_object_get(doc, "code");
	const char *msg = json_string_value(json_object_get(doc, "msg"));
	const char *details = json_string_value(json_object_get(doc, "details"));
	char what[192];

	if (json_is_integer(code) && json_integer_value(code) > 0 && msg != NULL) {
		snprintf(what, sizeof(what), "IPAM plugin %s: %s", type, msg);
		cni_fail(err, (int)json_integer_value(code), what, "%s %s: %s", type, command,
			 details != NULL && *details ? details : msg);
	} else if (WIFEXITED(r->status)) {
		cni_fail(err, CNI_ERR_IPAM_FAILED, "the IPAM plugin failed",
			 "IPAM plugin %s %s: exit status %d without an error result "
			 "(see its messages above)",
			 type, command, WEXITSTATUS(r->status));
	} else {
		cni_fail(err, CNI_ERR_IPAM_FAILED, "the IPAM plugin failed",
			 "IPAM plugin %s %s: killed by signal %d", type, command,
			 WTERMSIG(r->status));
	}
	json_decref(doc);
	return -1;
}

static int find_executable(const char *type, const char *cni_path, char path[PATH_MAX])
{
	const char *dir = cni_path;

	while (*dir != '\0') {
		size_t n = strcspn(dir, ":");
		struct stat st;

		/* An empty entry is no directory: the plugin is never looked for in ".". */
		if (n > 0 && snprintf(path, PATH_MAX, "%.*s/%s", (int)n, dir, type) < PATH_MAX &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return 0;
		dir += n + (dir[n] == ':');
	}
	return -1;
}

int ipam_find(const struct cni_conf *conf, const char *cni_path, struct ipam *ipam,
	      struct cni_error *err)
{
	char input[64];
	json_t *doc, *list;
	struct run r;
	int ret = 0;

	memset(ipam, 0, sizeof(*ipam));
	ipam->type = conf->ipam_type;
	ipam->timeout_s = conf->timeout_s;
	if (cni_path == NULL || *cni_path == '\0')
		return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_PATH is empty",
				"CNI_PATH: expected the directories holding the IPAM plugin "
				"'%s', separated by ':'",
				ipam->type);
	if (find_executable(ipam->type, cni_path, ipam->path) < 0)
		return cni_fail(err, CNI_ERR_IPAM_NOT_FOUND, "IPAM plugin not found",
				"ipam \"type\" '%s': no executable of that name in CNI_PATH "
				"(%s); expected an IPAM plugin there, e.g. host-local",
				ipam->type, cni_path);
	snprintf(input, sizeof(input), "{\"cniVersion\":\"%s\"}", conf->version);
	if (run(ipam->path, ipam->type, "VERSION", NULL, input, conf->timeout_s, &r, err) < 0)
		return -1;
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		run_failed(&r, ipam->type, "VERSION", err);
		free(r.out);
		return -1;
	}
	doc = json_loadb(r.out ? r.out : "", r.len, 0, NULL);
	free(r.out);
	list = json_object_get(doc, "supportedVersions");
	ipam->version = cni_version_shared(conf->version, list);
	ipam->has_gc_status = cni_version_listed(list, "1.1.0");
	if (!json_is_array(list))
		ret = cni_fail(err, CNI_ERR_IPAM_FAILED, "the IPAM plugin failed",
			       "IPAM plugin %s VERSION: no \"supportedVersions\" in its answer",
			       ipam->type);
	else if (ipam->version == NULL)
		ret = cni_fail(err, CNI_ERR_INCOMPATIBLE, "incompatible CNI version",
			       "IPAM plugin %s speaks none of 0.4.0, 1.0.0, 1.1.0 up to the "
			       "configuration's %s",
			       ipam->type, conf->version);
	json_decref(doc);
	return ret;
}

/* The configuration as the IPAM plugin is to read it; @return a string to free, or NULL. */
static char *ipam_input(const struct ipam *ipam, const char *command, const struct cni_conf *conf)
{
	json_t *doc = json_deep_copy(conf->doc), *prev;
	char *text = NULL;

	if (doc == NULL)
		return NULL;
	json_object_set_new(doc, "cniVersion", json_string(ipam->version));
	if (conf->prev_result != NULL) {
		prev = result_convert(conf->prev_result, ipam->version);
		if (prev == NULL || json_object_set_new(doc, "prevResult", prev) < 0)
			goto out;
	}
	if (strcmp(command, "GC") != 0)
		json_object_del(doc, "cni.dev/valid-attachments");
	text = json_dumps(doc, JSON_COMPACT);
out:
	json_decref(doc);
	return text;
}

int ipam_exec(const struct ipam *ipam, const char *command, const struct cni_conf *conf,
	      const struct ipam_attachment *other, json_t **result, struct cni_error *err)
{
	char *input = ipam_input(ipam, command, conf);
	json_t *doc = NULL;
	struct run r;
	int ret;

	if (input == NULL)
		return cni_fail(err, CNI_ERR_IO, "out of memory",
				"writing the configuration for IPAM plugin %s", ipam->type);
	ret = run(ipam->path, ipam->type, command, other, input, ipam->timeout_s, &r, err);
	free(input);
	if (ret < 0)
		return -1;
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		run_failed(&r, ipam->type, command, err);
		free(r.out);
		return -1;
	}
	if (result != NULL) {
		doc = json_loadb(r.out ? r.out : "", r.len, 0, NULL);
		*result = json_is_object(doc) ? result_convert(doc, conf->version) : NULL;
		if (*result == NULL)
			ret = cni_fail(err, CNI_ERR_IPAM_FAILED, "the IPAM plugin failed",
				       "IPAM plugin %s %s: exit status 0 but no result object "
				       "on its stdout",
				       ipam->type, command);
		json_decref(doc);
	}
	free(r.out);
	return ret;
}
