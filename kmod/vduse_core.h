/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VDUSE for kernels without vDPA: shared definitions of the module.
 *
 * The module offers the upstream VDUSE userspace API (v0) and, having no vDPA
 * bus to hang devices on, acts itself as the virtio transport of the devices
 * userspace creates.
 */
#ifndef VDUSE_CORE_H
#define VDUSE_CORE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/vduse.h>

#define VDUSE_DEV_MAX			BIT(MINORBITS)
#define VDUSE_MIN_BOUNCE_SIZE		(1024 * 1024)
#define VDUSE_MAX_BOUNCE_SIZE		(1024 * 1024 * 1024)
#define VDUSE_DEFAULT_BOUNCE_SIZE	(64 * 1024 * 1024)
/* IOVA space: bounce area, then 128 MiB for coherent (ring) allocations */
#define VDUSE_IOVA_SIZE			(VDUSE_MAX_BOUNCE_SIZE + 128ULL * 1024 * 1024)
#define VDUSE_DEFAULT_MSG_TIMEOUT	30
/* entries of a packed virtqueue: 15-bit indexes and a wrap counter */
#define VDUSE_PACKED_MAX_SIZE		32768

struct vduse_domain;
struct vduse_dev;

/* One virtqueue as userspace and the virtio driver see it. */
struct vduse_vq {
	struct vduse_dev *dev;
	u32 index;
	u16 num_max;		/* from VDUSE_VQ_SETUP */
	u32 num;		/* size the driver chose */
	u64 desc_addr;
	u64 driver_addr;
	u64 device_addr;
	u16 avail_index;	/* split ring state at enable time */
	bool ready;
	bool kicked;		/* kick while no eventfd was set */
	spinlock_t kick_lock;	/* kickfd, kicked */
	struct eventfd_ctx *kickfd;
	struct virtqueue *vq;	/* with ready: under the device's rwsem */
	struct work_struct inject;
	struct work_struct kick;
};

/* The "vdpa" bus device of an attached VDUSE device; the DMA device. */
struct vduse_vdpa {
	struct device dev;
	struct vduse_dev *vduse;
	const char *driver_override;
};

/* The virtio device registered while the bus device has its driver. */
struct vduse_vdev {
	struct virtio_device vdev;
	struct vduse_dev *dev;
};

/* One VDUSE device, /dev/vduse/<name>. */
struct vduse_dev {
	struct device *dev;	/* class device; also the DMA device */
	char *name;
	int minor;
	u64 api_version;

	struct mutex lock;	/* connected, destroying */
	bool connected;		/* the char device is open */
	bool destroying;

	/* message queue to userspace */
	spinlock_t msg_lock;
	u32 msg_unique;
	unsigned int msg_timeout;	/* seconds, 0 = wait forever */
	wait_queue_head_t waitq;
	struct list_head send_list;
	struct list_head recv_list;
	bool broken;

	/* virtio device state */
	struct rw_semaphore rwsem;	/* status against IRQ injection */
	u32 device_id;
	u32 vendor_id;
	u64 device_features;
	u64 driver_features;
	u8 status;
	u32 generation;
	u32 config_size;
	void *config;
	spinlock_t config_lock;	/* config buffer */
	u32 vq_num;
	u32 vq_align;
	struct vduse_vq *vqs;
	struct work_struct config_inject;

	/* IOVA domain, created on first attach */
	struct mutex domain_lock;
	struct vduse_domain *domain;
	unsigned int bounce_size;

	/* bus device while attached, virtio device while bound; dev->lock */
	struct vduse_vdpa *vdpa;
	struct vduse_vdev *vdev;
};

extern struct mutex vduse_lock;
extern struct workqueue_struct *vduse_irq_wq;

/* vduse_main.c */
struct vduse_dev *vduse_find_dev(const char *name);
struct vduse_dev *vduse_next_dev(int *id);
struct vduse_dev *vduse_dev_by_minor(int minor);

/* vduse_dev.c */
extern const struct file_operations vduse_dev_fops;
extern const struct attribute_group *vduse_dev_groups[];
int vduse_dev_msg_set_status(struct vduse_dev *dev, u8 status);
void vduse_dev_init_work(struct vduse_dev *dev);
void vduse_dev_reset(struct vduse_dev *dev);
bool vduse_dev_is_ready(struct vduse_dev *dev);
void vduse_vq_kick(struct vduse_vq *vq);

/* vduse_domain.c */
extern atomic_long_t vduse_domain_pages;
struct vduse_domain *vduse_domain_create(u64 bounce_size);
void vduse_domain_destroy(struct vduse_domain *domain);
struct file *vduse_domain_file(struct vduse_domain *domain);
int vduse_domain_find(struct vduse_domain *domain, u64 start, u64 last,
		      u64 *found_start, u64 *found_last, u64 *offset,
		      bool *is_bounce);
int vduse_domain_reg_umem(struct vduse_domain *domain, u64 iova, u64 uaddr,
			  u64 size);
int vduse_domain_dereg_umem(struct vduse_domain *domain, u64 iova, u64 size);
u64 vduse_domain_bounce_size(struct vduse_domain *domain);
extern const struct dma_map_ops vduse_dma_ops;

/* vduse_bus.c */
int vduse_bus_init(void);
void vduse_bus_exit(void);
int vduse_vdpa_add(struct vduse_dev *dev);
void vduse_vdpa_del(struct vduse_dev *dev);

/* vduse_virtio.c */
int vduse_virtio_probe(struct vduse_dev *dev, struct device *parent);
void vduse_virtio_remove(struct vduse_dev *dev);
void vduse_virtio_broken(struct vduse_dev *dev);

/* vduse_genl.c */
int vduse_genl_init(void);
void vduse_genl_exit(void);

#endif /* VDUSE_CORE_H */
