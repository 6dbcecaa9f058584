/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's client side: one command per connection. The answer
 * is read whole, because its last line (or its JSON "ok") says how the
 * command ended, and the switch closes the connection after it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

int vns_client_connect(const char *path, char err[VNS_CLIENT_ERR_SIZE])
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, saved;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, VNS_CLIENT_ERR_SIZE, "socket path longer than %zu: %s",
			 sizeof(addr.sun_path) - 1, path);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		saved = errno;
		snprintf(err, VNS_CLIENT_ERR_SIZE, "cannot connect to %s: %s", path,
			 strerror(saved));
		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int vns_client_send(int fd, const char *path, const char *line, char err[VNS_CLIENT_ERR_SIZE])
{
	size_t len = strlen(line);

	while (len > 0) {
		/* MSG_NOSIGNAL: a switch that went away is an error, not SIGPIPE. */
		ssize_t n = send(fd, line, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, VNS_CLIENT_ERR_SIZE, "sending to %s: %s", path,
				 strerror(errno));
			return -1;
		}
		line += n;
		len -= (size_t)n;
	}
	/* End of input: the switch answers the line, then closes. */
	shutdown(fd, SHUT_WR);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append @n bytes to @ans, keeping it NUL-terminated. */
static int append(struct vns_client_answer *ans, const char *buf, size_t n)
{
	char *text = realloc(ans->text, ans->len + n + 1);

	if (text == NULL)
		return -1;
	memcpy(text + ans->len, buf, n);
	ans->text = text;
	ans->len += n;
	ans->text[ans->len] = '\0';
	return 0;
}

/* Point ans->last at the last line of a complete answer, and cut its newline. */
static void find_last_line(struct vns_client_answer *ans)
{
	char *end;

	if (ans->len == 0) {
		ans->last = "";
		return;
	}
	/* The final newline ends the text: a JSON answer is then the whole text. */
	ans->text[--ans->len] = '\0';
	end = ans->text + ans->len;
	while (end > ans->text && end[-1] != '\n')
		end--;
	ans->last = end;
}

int vns_client_read(int fd, const char *path, int timeout_s, FILE *copy,
		    struct vns_client_answer *ans, char err[VNS_CLIENT_ERR_SIZE])
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	char buf[4096];

	*ans = (struct vns_client_answer){.text = NULL, .len = 0, .last = ""};
	if (append(ans, "", 0) < 0) {
		snprintf(err, VNS_CLIENT_ERR_SIZE, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			snprintf(err, VNS_CLIENT_ERR_SIZE, "no complete answer from %s within %d s",
				 path, timeout_s);
			errno = ETIMEDOUT;
			goto fail;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, VNS_CLIENT_ERR_SIZE, "reading from %s: %s", path,
				 strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (copy != NULL) {
			fwrite(buf, 1, (size_t)n, copy);
			fflush(copy);
		}
		if (append(ans, buf, (size_t)n) < 0) {
			snprintf(err, VNS_CLIENT_ERR_SIZE, "out of memory");
			errno = ENOMEM;
			goto fail;
		}
	}
	if (ans->len > 0 && ans->text[ans->len - 1] != '\n') {
		snprintf(err, VNS_CLIENT_ERR_SIZE, "%s closed the connection within a line", path);
		errno = EPROTO;
		goto fail;
	}
	find_last_line(ans);
	return 0;
fail:
	vns_client_answer_free(ans);
	return -1;
}

int vns_client_ask(const char *path, const char *line, int timeout_s, struct vns_client_answer *ans,
		   char err[VNS_CLIENT_ERR_SIZE])
{
	int fd = vns_client_connect(path, err), ret, saved;

	*ans = (struct vns_client_answer){.text = NULL, .len = 0, .last = ""};
	if (fd < 0)
		return -1;
	ret = vns_client_send(fd, path, line, err);
	if (ret == 0)
		ret = vns_client_read(fd, path, timeout_s, NULL, ans, err);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

void vns_client_answer_free(struct vns_client_answer *ans)
{
	free(ans->text);
	*ans = (struct vns_client_answer){.text = NULL, .len = 0, .last = ""};
}
