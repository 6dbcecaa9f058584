/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CLIENT_H
#define VNS_CLIENT_H

/**
 * @file
 * A client of the switch's control socket (control_proto.h), shared by
 * vduse-netsw-ctl and the CNI plugin: connect, send one command line, read
 * the whole answer until the switch closes the connection, within a
 * deadline. No DPDK, no JSON: the caller reads the answer's last line (text)
 * or parses it (a "json " command).
 *
 * Errors are returned as a sentence in a caller's buffer that names the
 * socket and what failed, for the caller to print or embed after its own
 * prefix.
 */

#include <stddef.h>
#include <stdio.h>

/** Size of an error message buffer; longer sentences are cut. */
#define VNS_CLIENT_ERR_SIZE 512

/** The whole answer to one command. */
struct vns_client_answer {
	char *text;	  /**< the bytes received, the final newline replaced by a NUL; free() it */
	size_t len;	  /**< their number, without the final newline */
	const char *last; /**< the last line in @c text, without its newline; "" if none */
};

/**
 * Connect to the control socket at @p path.
 *
 * @param path  the socket's path
 * @param err   filled with the reason on failure, e.g.
 *              "cannot connect to PATH: No such file or directory"
 * @return a connected socket (close-on-exec), or -1 on failure with @c errno
 *         set (ENAMETOOLONG for a path the address cannot hold).
 */
int vns_client_connect(const char *path, char err[VNS_CLIENT_ERR_SIZE]);

/**
 * Send @p line and shut down the sending side, so that the switch answers it
 * and closes the connection.
 *
 * @param fd    a socket from vns_client_connect()
 * @param path  the socket's path, for the error message
 * @param line  one command line ending in a newline (at most
 *              VNS_CONTROL_MAX_LINE bytes: the switch refuses longer ones)
 * @param err   filled with "sending to PATH: REASON" on failure
 * @return 0, or -1 on failure with @c errno set.
 */
int vns_client_send(int fd, const char *path, const char *line, char err[VNS_CLIENT_ERR_SIZE]);

/**
 * Read the answer until the switch closes the connection.
 *
 * @param fd         a socket the command was sent on (vns_client_send())
 * @param path       the socket's path, for the error messages
 * @param timeout_s  seconds, from now, the whole answer may take
 * @param copy       a stream each piece is written to (and flushed) as it
 *                   arrives, or NULL
 * @param ans        filled with the answer on success; emptied (text NULL)
 *                   on failure
 * @param err        filled on failure: "no complete answer from PATH within
 *                   N s", "reading from PATH: REASON", "PATH closed the
 *                   connection within a line" (an answer always ends in a
 *                   newline), or "out of memory"
 * @return 0, or -1 on failure (@c errno ETIMEDOUT for the deadline, EPROTO
 *         for an answer cut within a line).
 */
int vns_client_read(int fd, const char *path, int timeout_s, FILE *copy,
		    struct vns_client_answer *ans, char err[VNS_CLIENT_ERR_SIZE]);

/**
 * Connect, send @p line, read its whole answer and close: one command.
 *
 * @param path       the socket's path
 * @param line       one command line ending in a newline
 * @param timeout_s  seconds the answer may take once the line is sent
 * @param ans        filled with the answer on success
 * @param err        filled on failure, as by the three calls above
 * @return 0, or -1 on failure with @c errno set; ECONNREFUSED and ENOENT
 *         mean that no switch serves @p path.
 */
int vns_client_ask(const char *path, const char *line, int timeout_s, struct vns_client_answer *ans,
		   char err[VNS_CLIENT_ERR_SIZE]);

/**
 * Free an answer's text (NULL-safe) and empty it.
 *
 * @param ans  an answer filled by vns_client_read() or vns_client_ask()
 */
void vns_client_answer_free(struct vns_client_answer *ans);

#endif /* VNS_CLIENT_H */
