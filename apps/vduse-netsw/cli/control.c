/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: one thread serves every client through poll(), none
 * of them can block it, and its small command language.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "cli/cli.h"
#include "cli/control.h"
#include "log.h"

#define PATH_SIZE sizeof(((struct sockaddr_un *)NULL)->sun_path)

/* One connected client. */
struct client {
	int fd;			       /* -1: a free slot */
	char in[VNS_CONTROL_MAX_LINE]; /* received bytes not run yet */
	size_t in_len;		       /* bytes in @in */
	char *out;		       /* answer being sent (malloc'd), or NULL */
	size_t out_len;		       /* its length */
	size_t out_sent;	       /* bytes of it sent */
	bool busy;		       /* a command is under way: @deadline is its own */
	bool discard;		       /* dropping the rest of an over-long line */
	bool eof;		       /* the client sent all it will: close after answering */
	uint64_t deadline;	       /* ms, CLOCK_MONOTONIC */
};

struct vns_control {
	int fd;		      /* listening socket */
	char path[PATH_SIZE]; /* where it is bound */
	dev_t dev;	      /* the socket file bound, so that only it is removed */
	ino_t ino;
	struct client clients[VNS_CONTROL_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Lock the directory holding @path while a socket there is checked, replaced
 * or removed: two switches starting (or one stopping) at once must not take
 * each other's live socket for a stale one. Closing the fd unlocks.
 */
static int lock_dir(const char *path)
{
	char buf[PATH_SIZE], *dir;
	int fd, ret;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	/* The switch's own run directory (the default) may not exist yet after a boot. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* 1 when a process accepts connections on @addr, 0 when the socket is stale, or -errno. */
static int socket_in_use(const struct sockaddr_un *addr)
{
	int fd, ret;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
		ret = 1;
	else if (errno == EAGAIN) /* a full backlog: someone listens */
		ret = 1;
	else if (errno == ECONNREFUSED)
		ret = 0;
	else
		ret = -errno;
	close(fd);
	return ret;
}

/* Make room at @path: nothing there, or a stale socket, which is removed. */
static int clear_path(const struct sockaddr_un *addr)
{
	const char *path = addr->sun_path;
	struct stat st;
	int ret;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		VNS_LOG(ERR, "control socket %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		VNS_LOG(ERR,
			"control socket %s: exists and is not a socket; not removing it (choose "
			"another --control path)",
			path);
		return -EEXIST;
	}
	ret = socket_in_use(addr);
	if (ret > 0) {
		VNS_LOG(ERR,
			"control socket %s: in use: a process (another vduse-netsw?) accepts on "
			"it; stop it or choose another --control path",
			path);
		return -EADDRINUSE;
	}
	if (ret < 0) {
		VNS_LOG(ERR,
			"control socket %s: cannot tell whether it is in use (%s); not removing "
			"it",
			path, strerror(-ret));
		return ret;
	}
	/* Nobody accepts on it: left by a switch that did not exit cleanly. */
	if (unlink(path) < 0) {
		ret = -errno;
		VNS_LOG(ERR, "control socket %s: cannot remove the stale socket: %s", path,
			strerror(-ret));
		return ret;
	}
	return 0;
}

/* Bind and listen on @addr with mode 0600 (0660 and group @gid); @st gets the file's identity. */
static int bind_socket(int fd, const struct sockaddr_un *addr, gid_t gid, struct stat *st)
{
	mode_t old_mask;
	int ret;

	/*
	 * The file takes its mode from the umask at bind(); the umask is per
	 * process, but no other thread creates files while ports are not open.
	 */
	old_mask = umask(gid == (gid_t)-1 ? 0177 : 0117);
	ret = bind(fd, (const struct sockaddr *)addr, sizeof(*addr));
	umask(old_mask);
	if (ret < 0)
		return -errno;
	/* Nobody can connect before listen(): the group is right by then. */
	if ((gid != (gid_t)-1 && lchown(addr->sun_path, (uid_t)-1, gid) < 0) ||
	    lstat(addr->sun_path, st) < 0 || listen(fd, VNS_CONTROL_MAX_CLIENTS) < 0) {
		ret = -errno;
		unlink(addr->sun_path);
		return ret;
	}
	return 0;
}

struct vns_control *vns_control_open(const char *path, gid_t gid)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct vns_control *ctl;
	struct stat st;
	int dir_fd, ret;
	unsigned int i;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		VNS_LOG(ERR, "control socket %s: longer than %zu characters", path,
			sizeof(addr.sun_path) - 1);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL) {
		VNS_LOG(ERR, "control socket %s: out of memory", path);
		return NULL;
	}
	strcpy(ctl->path, path);
	for (i = 0; i < VNS_CONTROL_MAX_CLIENTS; i++)
		ctl->clients[i].fd = -1;
	dir_fd = lock_dir(path);
	if (dir_fd < 0) {
		VNS_LOG(ERR, "control socket %s: its directory: %s", path, strerror(-dir_fd));
		free(ctl);
		return NULL;
	}
	ret = clear_path(&addr);
	if (ret == 0) {
		ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		ret = ctl->fd < 0 ? -errno : bind_socket(ctl->fd, &addr, gid, &st);
		if (ret < 0)
			VNS_LOG(ERR, "control socket %s: %s", path, strerror(-ret));
	}
	close(dir_fd);
	if (ret < 0) {
		if (ctl->fd >= 0)
			close(ctl->fd);
		free(ctl);
		return NULL;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	return ctl;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->out);
	*c = (struct client){.fd = -1};
}

/* A last one-line answer before closing: sent if the socket takes it, never waited for. */
static void say(int fd, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > 0)
		(void)!send(fd, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Send what the socket takes of the answer; a client that went away is closed. */
static void client_send(struct client *c)
{
	ssize_t n;

	while (c->out_sent < c->out_len) {
		/* MSG_NOSIGNAL: a client that left must not kill the switch with SIGPIPE. */
		n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			VNS_LOG(ERR,
				"control: client left before its answer was sent (%s); "
				"answer dropped",
				strerror(errno));
			client_close(c);
			return;
		}
		c->out_sent += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->busy = false; /* the next command gets its own deadline */
}

static void client_recv(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

	if (n > 0)
		c->in_len += (size_t)n;
	else if (n == 0)
		c->eof = true;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		client_close(c);
}

/*
 * Take the next line from @c->in into @line (NUL-terminated, without its
 * newline); after end of input, what is left counts as a line too.
 */
static bool take_line(struct client *c, char line[VNS_CONTROL_MAX_LINE + 1])
{
	char *nl = memchr(c->in, '\n', c->in_len);
	size_t len = nl != NULL ? (size_t)(nl - c->in) : c->in_len;

	if (nl == NULL && !(c->eof && c->in_len > 0))
		return false;
	memcpy(line, c->in, len);
	line[len] = '\0';
	if (nl != NULL)
		len++;
	c->in_len -= len;
	memmove(c->in, c->in + len, c->in_len);
	return true;
}

/*
 * Answer @line (NULL: it was too long) and start sending the answer. A line
 * too long is answered at once, and the rest of it dropped as it comes:
 * closing a socket with unread input would reset it before the answer is read.
 */
static void client_run(struct client *c, char *line, struct vns_switch *sw)
{
	FILE *out = open_memstream(&c->out, &c->out_len);
	const char *cmd = line;
	struct vns_reply *r;
	bool json = false;

	/* "json COMMAND": the answer as one line of JSON. */
	if (line != NULL) {
		const char *w = line + strspn(line, " \t");
		size_t n = strlen(VNS_CONTROL_JSON_WORD);

		json = strncmp(w, VNS_CONTROL_JSON_WORD, n) == 0 && (w[n] == ' ' || w[n] == '\t');
		if (json)
			cmd = w + n;
	}
	r = vns_reply_new(json ? VNS_REPLY_JSON : VNS_REPLY_TEXT);
	if (out == NULL || r == NULL) {
		if (out != NULL)
			fclose(out);
		vns_reply_free(r);
		say(c->fd, "error: out of memory\n");
		client_close(c);
		return;
	}
	if (line != NULL) {
		/* Telemetry's thread reads the switch meanwhile only under the lock. */
		pthread_mutex_lock(&sw->lock);
		vns_cli_exec(cmd, r);
		pthread_mutex_unlock(&sw->lock);
	} else {
		vns_reply_error(r, "command longer than %d characters", VNS_CONTROL_MAX_LINE - 1);
		c->discard = true;
		c->in_len = 0;
	}
	vns_reply_write(r, out, true);
	vns_reply_free(r);
	fclose(out);
	c->out_sent = 0;
	client_send(c);
}

/* Drop input up to the end of an over-long line. */
static void client_discard(struct client *c)
{
	char *nl = memchr(c->in, '\n', c->in_len);
	size_t len = nl != NULL ? (size_t)(nl - c->in) + 1 : c->in_len;

	c->discard = nl == NULL;
	c->in_len -= len;
	memmove(c->in, c->in + len, c->in_len);
}

/* Run the client's complete lines as far as their answers go out, then set its deadline. */
static void client_advance(struct client *c, struct vns_switch *sw, uint64_t now)
{
	char line[VNS_CONTROL_MAX_LINE + 1];

	if (c->discard)
		client_discard(c);
	while (c->fd >= 0 && c->out == NULL && take_line(c, line))
		if (!vns_cli_is_blank(line))
			client_run(c, line, sw);
	if (c->fd >= 0 && c->out == NULL && c->in_len == sizeof(c->in))
		client_run(c, NULL, sw);
	if (c->fd < 0)
		return;
	if (c->eof && c->out == NULL) {
		client_close(c);
		return;
	}
	if (c->out != NULL || c->in_len > 0 || c->discard) {
		if (!c->busy)
			c->deadline = now + VNS_CONTROL_COMMAND_MS;
		c->busy = true;
	} else {
		c->deadline = now + VNS_CONTROL_IDLE_MS;
	}
}

/* The client missed its deadline: say why when it is still sending, and close. */
static void client_expire(struct client *c)
{
	if (c->out != NULL)
		VNS_LOG(ERR, "control: client did not read its answer within %d ms; dropped",
			VNS_CONTROL_COMMAND_MS);
	else if (c->in_len > 0)
		say(c->fd,
		    "error: command not complete within %d ms (expected one line ending in a "
		    "newline)\n",
		    VNS_CONTROL_COMMAND_MS);
	client_close(c);
}

static void accept_clients(struct vns_control *ctl, uint64_t now)
{
	unsigned int i;
	int fd;

	/* Until EAGAIN, or an error such as a client that went away in the backlog. */
	while ((fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		for (i = 0; i < VNS_CONTROL_MAX_CLIENTS && ctl->clients[i].fd >= 0; i++)
			;
		if (i == VNS_CONTROL_MAX_CLIENTS) {
			say(fd, "error: too many clients (%d); try again later\n",
			    VNS_CONTROL_MAX_CLIENTS);
			close(fd);
			continue;
		}
		ctl->clients[i] = (struct client){.fd = fd, .deadline = now + VNS_CONTROL_IDLE_MS};
	}
}

int vns_control_serve(struct vns_control *ctl, int timeout_ms, struct vns_switch *sw)
{
	struct pollfd pfd[1 + VNS_CONTROL_MAX_CLIENTS];
	struct client *polled[1 + VNS_CONTROL_MAX_CLIENTS];
	uint64_t now = now_ms();
	unsigned int i, n = 1;

	pfd[0] = (struct pollfd){.fd = ctl->fd, .events = POLLIN};
	for (i = 0; i < VNS_CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &ctl->clients[i];

		if (c->fd < 0)
			continue;
		if (c->deadline <= now)
			timeout_ms = 0;
		else if (c->deadline - now < (uint64_t)timeout_ms)
			timeout_ms = (int)(c->deadline - now);
		/* No reading while an answer waits: a client cannot pile them up. */
		pfd[n] = (struct pollfd){.fd = c->fd, .events = c->out != NULL ? POLLOUT : POLLIN};
		polled[n++] = c;
	}
	if (poll(pfd, n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	now = now_ms();
	for (i = 1; i < n; i++) {
		struct client *c = polled[i];

		if (pfd[i].revents == 0)
			continue;
		if (c->out != NULL)
			client_send(c);
		else
			client_recv(c);
		if (c->fd >= 0)
			client_advance(c, sw, now);
	}
	for (i = 0; i < VNS_CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0 && ctl->clients[i].deadline <= now)
			client_expire(&ctl->clients[i]);
	if (pfd[0].revents & POLLIN)
		accept_clients(ctl, now);
	return 0;
}

void vns_control_close(struct vns_control *ctl)
{
	struct stat st;
	unsigned int i;
	int dir_fd;

	if (ctl == NULL)
		return;
	for (i = 0; i < VNS_CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0)
			client_close(&ctl->clients[i]);
	/* Only the socket bound here: someone may have put another one in its place. */
	dir_fd = lock_dir(ctl->path);
	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	if (dir_fd >= 0)
		close(dir_fd);
	close(ctl->fd);
	free(ctl);
}
