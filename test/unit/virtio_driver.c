/* SPDX-License-Identifier: BSD-3-Clause */
/* The driver model: see virtio_driver.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <sanitizer/asan_interface.h>

#include "virtio_driver.h"

/*
 * A gap after the split descriptor table, poisoned under AddressSanitizer:
 * reading a descriptor past the table's end (an unchecked head or next)
 * fails the test there and then instead of reading the avail ring.
 */
#define GUARD_LEN 4096

static uint8_t *alloc_region(uint32_t len)
{
	uint8_t *p = aligned_alloc(4096, len);

	assert(p != NULL);
	memset(p, 0, len);
	return p;
}

void drv_init(struct drv *d, uint16_t size, uint64_t features, uint16_t start_idx)
{
	int i;

	memset(d, 0, sizeof(*d));
	/* Two regions, adjacent in IOVA, far apart in host memory. */
	for (i = 0; i < 3; i++)
		d->host[i] = alloc_region(DRV_REGION_LEN);
	vq_mem_table_init(&d->mem);
	assert(vq_mem_table_add(&d->mem, DRV_IOVA_BASE, DRV_IOVA_BASE + DRV_REGION_LEN - 1,
				d->host[0], VQ_MEM_READ | VQ_MEM_WRITE) == 0);
	assert(vq_mem_table_add(&d->mem, DRV_IOVA_BASE + DRV_REGION_LEN,
				DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN - 1, d->host[1],
				VQ_MEM_READ | VQ_MEM_WRITE) == 0);
	assert(vq_mem_table_add(&d->mem, DRV_RO_IOVA, DRV_RO_IOVA + DRV_REGION_LEN - 1, d->host[2],
				VQ_MEM_READ) == 0);
	d->next_iova = DRV_IOVA_BASE;
	d->size = size;
	d->features = features;

	d->packed = features & (1ULL << VIRTIO_F_RING_PACKED);
	if (d->packed) {
		d->desc_iova = drv_alloc(d, sizeof(struct vring_packed_desc) * size, 16);
		d->avail_iova = drv_alloc(d, sizeof(struct vring_packed_desc_event), 4);
		d->used_iova = drv_alloc(d, sizeof(struct vring_packed_desc_event), 4);
		d->pdesc = drv_ptr(d, d->desc_iova);
		d->driver_event = drv_ptr(d, d->avail_iova);
		d->device_event = drv_ptr(d, d->used_iova);
		d->inflight = calloc(size, sizeof(*d->inflight));
		assert(d->inflight != NULL);
		d->avail_idx = start_idx % size;
		d->last_used = start_idx % size;
		d->next_desc = start_idx % size;
		d->avail_wrap = true;
		d->used_wrap = true;
		return;
	}
	d->desc_iova = drv_alloc(d, sizeof(struct vring_desc) * size, 16);
	ASAN_POISON_MEMORY_REGION(drv_ptr(d, drv_alloc(d, GUARD_LEN, 16)), GUARD_LEN);
	d->avail_iova = drv_alloc(d, sizeof(struct vring_avail) + 2u * (size + 1u), 2);
	d->used_iova = drv_alloc(
		d, sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size + 2, 4);
	d->desc = drv_ptr(d, d->desc_iova);
	d->avail = drv_ptr(d, d->avail_iova);
	d->used = drv_ptr(d, d->used_iova);
	d->avail_idx = start_idx;
	d->last_used = start_idx;
	d->avail->idx = start_idx;
	d->used->idx = start_idx;
}

void drv_fini(struct drv *d)
{
	int i;

	for (i = 0; i < 3; i++) {
		ASAN_UNPOISON_MEMORY_REGION(d->host[i], DRV_REGION_LEN);
		free(d->host[i]);
	}
	free(d->inflight);
}

struct vq_config drv_vq_config(const struct drv *d)
{
	return (struct vq_config){
		.size = d->size,
		.features = d->features,
		.desc_iova = d->desc_iova,
		.driver_iova = d->avail_iova,
		.device_iova = d->used_iova,
		.last_avail_idx =
			d->packed ? (uint16_t)(d->avail_idx | VQ_PACKED_WRAP) : d->avail_idx,
		.mem = &d->mem,
	};
}

uint64_t drv_alloc(struct drv *d, uint32_t len, uint32_t align)
{
	uint64_t iova = (d->next_iova + align - 1) & ~(uint64_t)(align - 1);

	d->next_iova = iova + len;
	assert(d->next_iova <= DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN);
	return iova;
}

void *drv_ptr(const struct drv *d, uint64_t iova)
{
	if (iova >= DRV_RO_IOVA)
		return d->host[2] + (iova - DRV_RO_IOVA);
	if (iova >= DRV_IOVA_BASE + DRV_REGION_LEN)
		return d->host[1] + (iova - DRV_IOVA_BASE - DRV_REGION_LEN);
	return d->host[0] + (iova - DRV_IOVA_BASE);
}

/* Bytes from @iova to the end of its region. */
static uint64_t region_room(uint64_t iova)
{
	uint64_t end = iova >= DRV_RO_IOVA ? DRV_RO_IOVA + DRV_REGION_LEN
		       : iova >= DRV_IOVA_BASE + DRV_REGION_LEN
			       ? DRV_IOVA_BASE + 2ULL * DRV_REGION_LEN
			       : DRV_IOVA_BASE + DRV_REGION_LEN;
	return end - iova;
}

void drv_write(const struct drv *d, uint64_t iova, const void *src, uint32_t len)
{
	const uint8_t *in = src;

	while (len > 0) {
		uint32_t n = len < region_room(iova) ? len : (uint32_t)region_room(iova);

		memcpy(drv_ptr(d, iova), in, n);
		iova += n;
		in += n;
		len -= n;
	}
}

void drv_read(const struct drv *d, uint64_t iova, void *dst, uint32_t len)
{
	uint8_t *out = dst;

	while (len > 0) {
		uint32_t n = len < region_room(iova) ? len : (uint32_t)region_room(iova);

		memcpy(out, drv_ptr(d, iova), n);
		iova += n;
		out += n;
		len -= n;
	}
}

static uint16_t avail_bits(bool wrap)
{
	return wrap ? 1u << VRING_PACKED_DESC_F_AVAIL : 1u << VRING_PACKED_DESC_F_USED;
}

static uint16_t packed_chain(struct drv *d, const struct drv_buf *bufs, int n, uint16_t flags,
			     bool indirect)
{
	uint16_t id = d->next_id++ % d->size;
	struct drv_inflight *in = &d->inflight[id];
	int i, slots = indirect ? 1 : n;

	assert(n <= 16);
	in->slot = d->avail_idx;
	in->ndescs = slots;
	in->nbufs = n;
	memcpy(in->bufs, bufs, sizeof(*bufs) * n);
	for (i = 0; i < slots; i++) {
		struct vring_packed_desc *desc = &d->pdesc[d->avail_idx];
		uint16_t f = avail_bits(d->avail_wrap);

		if (indirect) {
			uint64_t table_iova =
				drv_alloc(d, sizeof(struct vring_packed_desc) * n, 16);
			struct vring_packed_desc *table = drv_ptr(d, table_iova);
			int j;

			for (j = 0; j < n; j++)
				table[j] = (struct vring_packed_desc){
					.addr = bufs[j].iova,
					.len = bufs[j].len,
					.flags = flags,
				};
			desc->addr = table_iova;
			desc->len = sizeof(struct vring_packed_desc) * n;
			f |= VRING_DESC_F_INDIRECT;
		} else {
			desc->addr = bufs[i].iova;
			desc->len = bufs[i].len;
			f |= flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		}
		desc->id = id;
		/* The head's flags are written last, by drv_publish(). */
		if (i == 0)
			in->flags = f;
		else
			desc->flags = f;
		if (++d->avail_idx == d->size) {
			d->avail_idx = 0;
			d->avail_wrap = !d->avail_wrap;
		}
	}
	return id;
}

uint16_t drv_chain(struct drv *d, const struct drv_buf *bufs, int n, uint16_t flags, bool indirect)
{
	struct vring_desc *table;
	uint16_t head = d->next_desc;
	uint64_t table_iova = 0;
	int i;

	if (d->packed)
		return packed_chain(d, bufs, n, flags, indirect);
	if (indirect) {
		table_iova = drv_alloc(d, sizeof(struct vring_desc) * n, 16);
		table = drv_ptr(d, table_iova);
	}
	for (i = 0; i < n; i++) {
		struct vring_desc *desc;
		uint16_t next;

		if (indirect) {
			desc = &table[i];
			next = i + 1;
		} else {
			desc = &d->desc[(head + i) % d->size];
			next = (head + i + 1) % d->size;
		}
		desc->addr = bufs[i].iova;
		desc->len = bufs[i].len;
		desc->flags = flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0);
		desc->next = i + 1 < n ? next : 0;
	}
	if (indirect) {
		d->desc[head].addr = table_iova;
		d->desc[head].len = sizeof(struct vring_desc) * n;
		d->desc[head].flags = VRING_DESC_F_INDIRECT;
		d->desc[head].next = 0;
		d->next_desc = (head + 1) % d->size;
	} else {
		d->next_desc = (head + n) % d->size;
	}
	return head;
}

void drv_publish(struct drv *d, uint16_t head)
{
	if (d->packed) {
		const struct drv_inflight *in = &d->inflight[head];

		__atomic_store_n(&d->pdesc[in->slot].flags, in->flags, __ATOMIC_RELEASE);
		return;
	}
	d->avail->ring[d->avail_idx % d->size] = head;
	d->avail_idx++;
	__atomic_store_n(&d->avail->idx, d->avail_idx, __ATOMIC_RELEASE);
}

uint16_t drv_tx(struct drv *d, const struct virtio_net_hdr *hdr, const void *data, uint32_t len,
		const uint32_t *cuts, int ncuts, bool indirect)
{
	struct virtio_net_hdr_mrg_rxbuf full = {.hdr = *hdr};
	uint32_t total = VQ_NET_HDR_LEN + len, off = 0;
	struct drv_buf bufs[64];
	uint64_t iova = drv_alloc(d, total, 64);
	int n = 0;

	drv_write(d, iova, &full, VQ_NET_HDR_LEN);
	drv_write(d, iova + VQ_NET_HDR_LEN, data, len);
	for (n = 0; n < ncuts && off < total; n++) {
		uint32_t cut = cuts[n] < total - off ? cuts[n] : total - off;

		bufs[n] = (struct drv_buf){iova + off, cut};
		off += cut;
	}
	if (off < total)
		bufs[n++] = (struct drv_buf){iova + off, total - off};
	return drv_chain(d, bufs, n, 0, indirect);
}

uint16_t drv_post_rx(struct drv *d, const uint32_t *lens, int n, bool indirect)
{
	struct drv_buf bufs[64];
	int i;

	for (i = 0; i < n; i++)
		bufs[i] = (struct drv_buf){drv_alloc(d, lens[i], 8), lens[i]};
	return drv_chain(d, bufs, n, VRING_DESC_F_WRITE, indirect);
}

static bool packed_used_at(const struct drv *d, uint16_t slot, bool wrap)
{
	uint16_t flags = __atomic_load_n(&d->pdesc[slot].flags, __ATOMIC_ACQUIRE);
	bool avail = flags & (1u << VRING_PACKED_DESC_F_AVAIL);
	bool used = flags & (1u << VRING_PACKED_DESC_F_USED);

	return avail == wrap && used == wrap;
}

bool drv_get_used(struct drv *d, uint16_t *id, uint32_t *len)
{
	const struct vring_used_elem *e;

	if (d->packed) {
		const struct vring_packed_desc *u = &d->pdesc[d->last_used];

		if (!packed_used_at(d, d->last_used, d->used_wrap))
			return false;
		*id = u->id;
		*len = u->len;
		assert(*id < d->size);
		d->last_used += d->inflight[*id].ndescs;
		if (d->last_used >= d->size) {
			d->last_used -= d->size;
			d->used_wrap = !d->used_wrap;
		}
		return true;
	}
	if (__atomic_load_n(&d->used->idx, __ATOMIC_ACQUIRE) == d->last_used)
		return false;
	e = &d->used->ring[d->last_used % d->size];
	*id = e->id;
	*len = e->len;
	d->last_used++;
	return true;
}

unsigned int drv_pending_used(const struct drv *d)
{
	struct drv copy = *d;
	unsigned int n = 0;
	uint16_t id;
	uint32_t len;

	while (drv_get_used(&copy, &id, &len))
		n++;
	return n;
}

/* The buffers of the chain named @head, in order. */
static int chain_bufs(const struct drv *d, uint16_t head, struct drv_buf *out, int max)
{
	const struct vring_desc *table = d->desc;
	uint16_t idx = head;
	int n = 0;

	if (d->packed) {
		memcpy(out, d->inflight[head].bufs, sizeof(*out) * d->inflight[head].nbufs);
		return d->inflight[head].nbufs;
	}
	if (table[idx].flags & VRING_DESC_F_INDIRECT) {
		table = drv_ptr(d, table[idx].addr);
		idx = 0;
	}
	for (;;) {
		assert(n < max);
		out[n++] = (struct drv_buf){table[idx].addr, table[idx].len};
		if (!(table[idx].flags & VRING_DESC_F_NEXT))
			return n;
		idx = table[idx].next;
	}
}

uint32_t drv_read_rx(const struct drv *d, uint16_t head, void *out, uint32_t len)
{
	struct drv_buf bufs[64];
	int i, n = chain_bufs(d, head, bufs, 64);
	uint8_t *p = out;
	uint32_t done = 0;

	for (i = 0; i < n && done < len; i++) {
		uint32_t k = bufs[i].len < len - done ? bufs[i].len : len - done;

		drv_read(d, bufs[i].iova, p + done, k);
		done += k;
	}
	return done;
}
