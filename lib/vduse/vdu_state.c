/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state file of a device: what a restarted process needs to take a
 * surviving VDUSE device back (vdu_net_create() with a state directory),
 * kept in a shared mapping of a small file so that it outlives a crash.
 *
 * The first page is a header the control thread rewrites, checksum last,
 * at every change of what the driver negotiated; then one struct
 * vq_journal per queue, written by the worker serving the queue (packed
 * rings only). A header whose checksum, version, size or identity does not
 * match is not trusted; nor is anything the kernel contradicts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "vdu_priv.h"
#include "vq.h"

#define STATE_MAGIC   0x73756476u /* "vdus" */
#define STATE_VERSION 1u
#define HEADER_SIZE   4096u

struct state_queue {
	uint16_t size; /* ring size the driver chose; 0: not started */
	uint16_t reserved[3];
	uint64_t desc_iova;
	uint64_t driver_iova;
	uint64_t device_iova;
};

struct state_header {
	uint32_t magic;
	uint32_t version;
	uint32_t file_size;
	uint32_t checksum; /* FNV-1a of the header with this field 0 */
	char name[VDUSE_NAME_MAX];
	uint64_t offered_features;
	uint64_t driver_features;
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t max_queue_size;
	uint8_t status;
	uint8_t attached;
	uint8_t iotlb_updated;
	uint8_t reserved[7];
	struct state_queue q[VDU_NET_QUEUES];
};

_Static_assert(sizeof(struct state_header) <= HEADER_SIZE, "state header fits its page");

static size_t journal_bytes(uint16_t max_size)
{
	/* Each journal on its own cache lines: two workers may write them. */
	return (vq_journal_size(max_size) + 63) & ~(size_t)63;
}

static size_t file_size(uint16_t max_size)
{
	return HEADER_SIZE + VDU_NET_QUEUES * journal_bytes(max_size);
}

static uint32_t fnv1a(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t header_checksum(const struct state_header *h)
{
	struct state_header copy = *h;

	copy.checksum = 0;
	return fnv1a(&copy, sizeof(copy));
}

struct vq_journal *vdu_state_journal(struct vdu_dev *dev, uint16_t qid)
{
	if (dev->state == NULL)
		return NULL;
	return (struct vq_journal *)((uint8_t *)dev->state + HEADER_SIZE +
				     qid * journal_bytes(dev->vqs[0].max_size));
}

void vdu_state_save(struct vdu_dev *dev)
{
	struct state_header *h = dev->state;
	unsigned int i;

	if (h == NULL)
		return;
	/* A crash in the middle leaves a checksum that does not match: not trusted. */
	h->checksum = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->magic = STATE_MAGIC;
	h->version = STATE_VERSION;
	h->file_size = (uint32_t)file_size(dev->vqs[0].max_size);
	memcpy(h->name, dev->name, sizeof(h->name));
	h->offered_features = dev->offered_features;
	h->driver_features = dev->driver_features;
	memcpy(h->mac, dev->mac, sizeof(h->mac));
	h->mtu = dev->mtu;
	h->max_queue_size = dev->vqs[0].max_size;
	h->status = dev->status;
	h->attached = dev->attached;
	h->iotlb_updated = dev->iotlb_updated;
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		const struct vdu_vq *vq = &dev->vqs[i];

		h->q[i] = (struct state_queue){
			.size = vq->started ? vq->info.size : 0,
			.desc_iova = vq->info.desc_iova,
			.driver_iova = vq->info.driver_iova,
			.device_iova = vq->info.device_iova,
		};
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->checksum = header_checksum(h);
}

int vdu_state_open(struct vdu_dev *dev, const char *dir, bool *had_state)
{
	size_t size = file_size(dev->vqs[0].max_size);
	struct stat st;
	void *addr;
	int fd, ret;

	*had_state = false;
	if (snprintf(dev->state_path, sizeof(dev->state_path), "%s/%s.state", dir, dev->name) >=
	    (int)sizeof(dev->state_path))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		VDU_ERR(dev, "cannot create the state directory %s: %s", dir, strerror(-ret));
		return ret;
	}
	fd = open(dev->state_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		VDU_ERR(dev, "cannot open the state file %s: %s", dev->state_path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		VDU_ERR(dev, "%s is not a regular file: remove it", dev->state_path);
		close(fd);
		return -EINVAL;
	}
	*had_state = st.st_size > 0;
	/* A file of another size is of another layout: it is checked, then rewritten. */
	if ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) {
		ret = -errno;
		close(fd);
		VDU_ERR(dev, "cannot size the state file %s: %s", dev->state_path, strerror(-ret));
		return ret;
	}
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = addr == MAP_FAILED ? -errno : 0;
	close(fd);
	if (ret < 0) {
		VDU_ERR(dev, "cannot map the state file %s: %s", dev->state_path, strerror(-ret));
		return ret;
	}
	dev->state = addr;
	dev->state_size = size;
	return 0;
}

/* Why the header cannot be trusted for @dev, or NULL when it can. */
static const char *header_mismatch(const struct vdu_dev *dev, const struct state_header *h)
{
	if (h->magic != STATE_MAGIC)
		return "not a state file of this switch";
	if (h->version != STATE_VERSION)
		return "written by another version of the switch";
	if (h->file_size != file_size(dev->vqs[0].max_size))
		return "of another queue size";
	if (h->checksum != header_checksum(h))
		return "corrupt (checksum does not match)";
	if (strncmp(h->name, dev->name, sizeof(h->name)) != 0)
		return "of another device";
	if (h->offered_features != dev->offered_features)
		return "of a device with other features";
	if (memcmp(h->mac, dev->mac, sizeof(h->mac)) != 0 || h->mtu != dev->mtu)
		return "of a device with another MAC address or MTU";
	return NULL;
}

const char *vdu_state_restore(struct vdu_dev *dev)
{
	const struct state_header *h = dev->state;
	const char *why = header_mismatch(dev, h);
	unsigned int i;

	if (why != NULL)
		return why;
	dev->driver_features = h->driver_features;
	dev->status = h->status;
	dev->attached = h->attached;
	dev->iotlb_updated = h->iotlb_updated;
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		dev->vqs[i].info = (struct vdu_queue){
			.index = (uint16_t)i,
			.size = h->q[i].size,
			.desc_iova = h->q[i].desc_iova,
			.driver_iova = h->q[i].driver_iova,
			.device_iova = h->q[i].device_iova,
		};
	}
	return NULL;
}

void vdu_state_close(struct vdu_dev *dev, bool remove)
{
	if (dev->state == NULL)
		return;
	munmap(dev->state, dev->state_size);
	dev->state = NULL;
	if (remove && unlink(dev->state_path) < 0 && errno != ENOENT)
		VDU_WARN(dev, "cannot remove the state file %s: %s", dev->state_path,
			 strerror(errno));
}
