/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_REPLY_H
#define VNS_REPLY_H

/**
 * @file
 * The one formatter of command replies. A handler describes its answer once,
 * value by value; each call gives the value's JSON key and its place in the
 * text layout (testpmd's, where testpmd has the command), and the reply is
 * rendered in the form the client asked for:
 *
 *     vns_reply_open(r, "port", "\n  ######## NIC statistics for port %u ########\n", id);
 *     vns_reply_u64(r, "rx_packets", "  RX-packets: %-10" PRIu64, rx);
 *     vns_reply_text(r, "\n");
 *     vns_reply_close(r, "  ################\n");
 *
 * Text: the formats, in order. JSON (jansson): an object {"ok": true,
 * "reply": {...}} or {"ok": false, "error": "...", "reply": {...}}, one line;
 * "messages" holds what the handler said in sentences (vns_reply_say()).
 *
 * Control thread only; a reply is one command's.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** The form of a reply. */
enum vns_reply_form {
	VNS_REPLY_TEXT, /**< testpmd's layout */
	VNS_REPLY_JSON, /**< one JSON object */
};

/** A reply being built (opaque). */
struct vns_reply;

/** @return a new empty reply in form @p form, or NULL for want of memory. */
struct vns_reply *vns_reply_new(enum vns_reply_form form);

/** Free @p r (NULL allowed). */
void vns_reply_free(struct vns_reply *r);

/** The form @p r is rendered in. */
enum vns_reply_form vns_reply_form(const struct vns_reply *r);

/**
 * Open an object: under @p key in the current object, or as the next item
 * of the current list (@p key is then ignored). Text: prints @p fmt (NULL:
 * nothing). Close it with vns_reply_close().
 */
void vns_reply_open(struct vns_reply *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Open a list under @p key (or as an item of the current list); prints @p fmt if not NULL. */
void vns_reply_list(struct vns_reply *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Close the innermost open object or list; prints @p fmt if not NULL. */
void vns_reply_close(struct vns_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** An unsigned number: JSON @p key; text @p fmt with one uint64_t conversion. */
void vns_reply_u64(struct vns_reply *r, const char *key, const char *fmt, uint64_t v);

/** A signed number: JSON @p key; text @p fmt with one int64_t conversion. */
void vns_reply_i64(struct vns_reply *r, const char *key, const char *fmt, int64_t v);

/** A real number: JSON @p key; text @p fmt with one double conversion. */
void vns_reply_real(struct vns_reply *r, const char *key, const char *fmt, double v);

/** A string: JSON @p key; text @p fmt with one string conversion. */
void vns_reply_str(struct vns_reply *r, const char *key, const char *fmt, const char *v);

/** A truth value: JSON true or false; text @p fmt given @p yes or @p no. */
void vns_reply_bool(struct vns_reply *r, const char *key, const char *fmt, bool v, const char *yes,
		    const char *no);

/** Layout only: printed in text, nothing in JSON. */
void vns_reply_text(struct vns_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** A sentence for the reader: a line of text, an item of "messages" in JSON. */
void vns_reply_say(struct vns_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * A stream whose lines become vns_reply_say() sentences when the reply is
 * rendered, for code that reports to a FILE (port add, capture).
 */
FILE *vns_reply_stream(struct vns_reply *r);

/**
 * Fail the command: @p fmt says what was wrong and what was expected. The
 * first error is the one reported.
 *
 * @return -1, for `return vns_reply_error(...)`.
 */
int vns_reply_error(struct vns_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Whether vns_reply_error() was called on @p r. */
bool vns_reply_failed(const struct vns_reply *r);

/**
 * Write @p r to @p out. Text: what the handler printed, then "error: ..."
 * on failure, or "ok" on success when @p ok_line (the control socket's
 * protocol; the interactive CLI prints nothing on success). JSON: one line.
 *
 * @return 0, or -1 when @p out failed.
 */
int vns_reply_write(struct vns_reply *r, FILE *out, bool ok_line);

#endif /* VNS_REPLY_H */
