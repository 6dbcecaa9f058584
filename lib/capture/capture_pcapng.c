/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcapng blocks of a capture file. A block is a type, its total length,
 * a body, options, and the total length again (so readers can walk back);
 * everything is padded to 4 bytes. An option is a code, a length and a value
 * padded to 4 bytes; a list of options ends with code 0.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "capture_pcapng.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_EPB 0x00000006u

#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define VERSION_MAJOR	 1
#define VERSION_MINOR	 0

#define OPT_END	       0
#define IDB_IF_NAME    2
#define IDB_IF_TSRESOL 9
#define IDB_IF_FILTER  11
#define EPB_FLAGS      2
#define EPB_QUEUE      6

/* if_tsresol: timestamps in units of 10^-9 s. */
#define TSRESOL_NS 9

/* if_filter's first byte: the rest is a libpcap filter string. */
#define FILTER_LIBPCAP 0

#define LINKTYPE_ETHERNET 1

/* Room for the IDB's body and options: names and filters longer are cut. */
#define IDB_MAX	       1024
#define OPT_STRING_MAX 400

static inline uint32_t pad4(uint32_t len)
{
	return RTE_ALIGN_CEIL(len, 4);
}

/* A block or its options, built in memory before it is written. */
struct block_buf {
	uint8_t *data;
	uint32_t len, size;
};

static void put(struct block_buf *b, const void *src, uint32_t len)
{
	assert(b->len + len <= b->size);
	if (len == 0)
		return; /* src may be NULL then, which memcpy() does not allow */
	memcpy(b->data + b->len, src, len);
	b->len += len;
}

static void put32(struct block_buf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put_option(struct block_buf *b, uint16_t code, const void *val, uint16_t len)
{
	static const uint8_t zero[4];
	uint16_t hdr[2] = {code, len};

	put(b, hdr, sizeof(hdr));
	put(b, val, len);
	put(b, zero, pad4(len) - len);
}

/* A string option whose value is @p prefix_len bytes of @p prefix then @p s. */
static void put_string_option(struct block_buf *b, uint16_t code, const void *prefix,
			      uint16_t prefix_len, const char *s)
{
	uint8_t val[OPT_STRING_MAX];
	size_t n = strnlen(s, sizeof(val) - prefix_len);

	if (prefix_len != 0)
		memcpy(val, prefix, prefix_len);
	memcpy(val + prefix_len, s, n);
	put_option(b, code, val, (uint16_t)(prefix_len + n));
}

static int write_all(FILE *f, const void *p, size_t len, uint64_t *bytes)
{
	if (len != 0 && fwrite(p, len, 1, f) != 1)
		return errno != 0 ? -errno : -EIO;
	*bytes += len;
	return 0;
}

/* Write a block whose type and length words lead @p b (length filled in here). */
static int write_block(FILE *f, struct block_buf *b, uint64_t *bytes)
{
	uint32_t total = b->len + sizeof(uint32_t);

	memcpy(b->data + sizeof(uint32_t), &total, sizeof(total));
	put32(b, total);
	return write_all(f, b->data, b->len, bytes);
}

int capture_pcapng_section(FILE *f, uint64_t *bytes)
{
	uint8_t mem[32];
	struct block_buf b = {.data = mem, .size = sizeof(mem)};
	uint16_t version[2] = {VERSION_MAJOR, VERSION_MINOR};
	int64_t section_len = -1;

	put32(&b, BLOCK_SHB);
	put32(&b, 0);
	put32(&b, BYTE_ORDER_MAGIC);
	put(&b, version, sizeof(version));
	put(&b, &section_len, sizeof(section_len));
	return write_block(f, &b, bytes);
}

int capture_pcapng_interface(FILE *f, const char *name, uint32_t snaplen, const char *filter,
			     uint64_t *bytes)
{
	uint8_t mem[IDB_MAX];
	struct block_buf b = {.data = mem, .size = sizeof(mem)};
	uint16_t linktype[2] = {LINKTYPE_ETHERNET, 0};
	uint8_t tsresol = TSRESOL_NS, filter_kind = FILTER_LIBPCAP;

	put32(&b, BLOCK_IDB);
	put32(&b, 0);
	put(&b, linktype, sizeof(linktype));
	put32(&b, snaplen);
	put_string_option(&b, IDB_IF_NAME, NULL, 0, name);
	put_option(&b, IDB_IF_TSRESOL, &tsresol, sizeof(tsresol));
	if (filter != NULL && filter[0] != '\0')
		put_string_option(&b, IDB_IF_FILTER, &filter_kind, sizeof(filter_kind), filter);
	put_option(&b, OPT_END, NULL, 0);
	return write_block(f, &b, bytes);
}

int capture_pcapng_packet(FILE *f, const struct capture_pcapng_packet *pkt,
			  const struct rte_mbuf *m, uint64_t *bytes)
{
	static const uint8_t zero[4];
	uint8_t head_mem[28], tail_mem[32];
	struct block_buf head = {.data = head_mem, .size = sizeof(head_mem)};
	struct block_buf tail = {.data = tail_mem, .size = sizeof(tail_mem)};
	uint32_t caplen = rte_pktmbuf_pkt_len(m);
	uint32_t total;
	int ret;

	put_option(&tail, EPB_FLAGS, &pkt->flags, sizeof(pkt->flags));
	put_option(&tail, EPB_QUEUE, &pkt->queue, sizeof(pkt->queue));
	put_option(&tail, OPT_END, NULL, 0);
	total = head.size + pad4(caplen) + tail.len + sizeof(uint32_t);
	put32(&tail, total);

	put32(&head, BLOCK_EPB);
	put32(&head, total);
	put32(&head, pkt->iface);
	put32(&head, (uint32_t)(pkt->ts_ns >> 32));
	put32(&head, (uint32_t)pkt->ts_ns);
	put32(&head, caplen);
	put32(&head, pkt->orig_len);

	ret = write_all(f, head.data, head.len, bytes);
	for (; ret == 0 && m != NULL; m = m->next)
		ret = write_all(f, rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m),
				bytes);
	if (ret == 0)
		ret = write_all(f, zero, pad4(caplen) - caplen, bytes);
	if (ret == 0)
		ret = write_all(f, tail.data, tail.len, bytes);
	return ret;
}
