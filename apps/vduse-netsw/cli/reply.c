/* SPDX-License-Identifier: BSD-3-Clause */
/* Replies in testpmd's text layout or as JSON (jansson), from one description. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reply.h"

/* Objects and lists open at once: port → queues → counters is three. */
#define MAX_DEPTH 8

struct vns_reply {
	enum vns_reply_form form;
	FILE *text;		  /* text form: the reply so far */
	char *text_buf;		  /* its buffer */
	size_t text_len;	  /* its length */
	FILE *said;		  /* JSON form: lines for "messages" (vns_reply_stream()) */
	char *said_buf;		  /* its buffer */
	size_t said_len;	  /* its length */
	json_t *stack[MAX_DEPTH]; /* JSON form: open containers; [0] is "reply" */
	unsigned int depth;	  /* containers open */
	unsigned int overflow;	  /* opens past MAX_DEPTH, ignored with their closes */
	char *error;		  /* the first error, or NULL */
};

struct vns_reply *vns_reply_new(enum vns_reply_form form)
{
	struct vns_reply *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->form = form;
	if (form == VNS_REPLY_TEXT) {
		r->text = open_memstream(&r->text_buf, &r->text_len);
		if (r->text == NULL)
			goto fail;
		return r;
	}
	r->said = open_memstream(&r->said_buf, &r->said_len);
	r->stack[0] = json_object();
	if (r->said == NULL || r->stack[0] == NULL)
		goto fail;
	r->depth = 1;
	return r;
fail:
	vns_reply_free(r);
	return NULL;
}

void vns_reply_free(struct vns_reply *r)
{
	if (r == NULL)
		return;
	if (r->text != NULL)
		fclose(r->text);
	free(r->text_buf);
	if (r->said != NULL)
		fclose(r->said);
	free(r->said_buf);
	json_decref(r->stack[0]);
	free(r->error);
	free(r);
}

enum vns_reply_form vns_reply_form(const struct vns_reply *r)
{
	return r->form;
}

static void vtext(struct vns_reply *r, const char *fmt, va_list ap)
{
	if (r->form == VNS_REPLY_TEXT && fmt != NULL)
		vfprintf(r->text, fmt, ap);
}

/* A value's text; a NULL format: the value is JSON only (the layout says it already). */
#define text_value(r, fmt, v)                       \
	do {                                        \
		if ((fmt) != NULL)                  \
			fprintf((r)->text, fmt, v); \
	} while (0)

/*
 * A JSON string of @s. jansson takes UTF-8 only, but a line may hold any
 * bytes, and an error echoes its words: rather than lose the value, the
 * bytes of a string that is not UTF-8 that are not ASCII become '?'.
 */
static json_t *json_text(const char *s)
{
	json_t *v = json_string(s);
	char *copy;
	size_t i;

	if (v != NULL || s == NULL)
		return v;
	copy = strdup(s);
	if (copy == NULL)
		return NULL;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Put @v (a new reference) under @key in the innermost container. */
static void put(struct vns_reply *r, const char *key, json_t *v)
{
	json_t *top;

	if (v == NULL)
		return;
	top = r->stack[r->depth - 1];
	if (json_is_array(top))
		json_array_append_new(top, v);
	else
		json_object_set_new(top, key, v);
}

static void push(struct vns_reply *r, const char *key, json_t *container)
{
	if (r->form != VNS_REPLY_JSON)
		return;
	if (r->depth == MAX_DEPTH || container == NULL) {
		json_decref(container);
		r->overflow++;
		return;
	}
	json_incref(container);
	put(r, key, container);
	r->stack[r->depth++] = container;
	json_decref(container);
}

void vns_reply_open(struct vns_reply *r, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(r, fmt, ap);
	va_end(ap);
	push(r, key, r->form == VNS_REPLY_JSON ? json_object() : NULL);
}

void vns_reply_list(struct vns_reply *r, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(r, fmt, ap);
	va_end(ap);
	push(r, key, r->form == VNS_REPLY_JSON ? json_array() : NULL);
}

void vns_reply_close(struct vns_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(r, fmt, ap);
	va_end(ap);
	if (r->form != VNS_REPLY_JSON)
		return;
	if (r->overflow > 0)
		r->overflow--;
	else if (r->depth > 1)
		r->depth--;
}

void vns_reply_u64(struct vns_reply *r, const char *key, const char *fmt, uint64_t v)
{
	if (r->form == VNS_REPLY_TEXT)
		text_value(r, fmt, v);
	else
		/* jansson's integers are signed 64-bit: counters stay below 2^63. */
		put(r, key, json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

void vns_reply_i64(struct vns_reply *r, const char *key, const char *fmt, int64_t v)
{
	if (r->form == VNS_REPLY_TEXT)
		text_value(r, fmt, v);
	else
		put(r, key, json_integer((json_int_t)v));
}

void vns_reply_real(struct vns_reply *r, const char *key, const char *fmt, double v)
{
	if (r->form == VNS_REPLY_TEXT)
		text_value(r, fmt, v);
	else
		put(r, key, json_real(v));
}

void vns_reply_str(struct vns_reply *r, const char *key, const char *fmt, const char *v)
{
	if (r->form == VNS_REPLY_TEXT)
		text_value(r, fmt, v);
	else
		put(r, key, json_text(v));
}

void vns_reply_bool(struct vns_reply *r, const char *key, const char *fmt, bool v, const char *yes,
		    const char *no)
{
	if (r->form == VNS_REPLY_TEXT)
		text_value(r, fmt, v ? yes : no);
	else
		put(r, key, json_boolean(v));
}

void vns_reply_text(struct vns_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtext(r, fmt, ap);
	va_end(ap);
}

void vns_reply_say(struct vns_reply *r, const char *fmt, ...)
{
	FILE *out = vns_reply_stream(r);
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

FILE *vns_reply_stream(struct vns_reply *r)
{
	/* Text: in line with the rest, so that the order stays the handler's. */
	return r->form == VNS_REPLY_TEXT ? r->text : r->said;
}

int vns_reply_error(struct vns_reply *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error != NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&r->error, fmt, ap) < 0)
		r->error = strdup("out of memory");
	va_end(ap);
	return -1;
}

bool vns_reply_failed(const struct vns_reply *r)
{
	return r->error != NULL;
}

/* "messages": the lines written to the stream. */
static json_t *messages(struct vns_reply *r)
{
	json_t *list = json_array();
	char *line, *save = NULL;

	fflush(r->said);
	if (list == NULL || r->said_len == 0)
		return list;
	for (line = strtok_r(r->said_buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		json_array_append_new(list, json_text(line));
	return list;
}

int vns_reply_write(struct vns_reply *r, FILE *out, bool ok_line)
{
	json_t *doc;
	int ret;

	if (r->form == VNS_REPLY_TEXT) {
		fflush(r->text);
		if (r->text_len > 0)
			fwrite(r->text_buf, 1, r->text_len, out);
		if (r->error != NULL)
			fprintf(out, "error: %s\n", r->error);
		else if (ok_line)
			fputs("ok\n", out);
		return ferror(out) ? -1 : 0;
	}
	doc = json_pack("{s:b, s:O, s:o}", "ok", r->error == NULL, "reply", r->stack[0], "messages",
			messages(r));
	if (doc == NULL)
		return -1;
	if (r->error != NULL)
		json_object_set_new(doc, "error", json_text(r->error));
	/* One line: a client reads the answer up to its newline. */
	ret = json_dumpf(doc, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(doc);
	fputc('\n', out);
	return ret < 0 || ferror(out) ? -1 : 0;
}
