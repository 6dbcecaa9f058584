/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VDU_PRIV_H
#define VDU_PRIV_H

/* State shared by the files of lib/vduse; not part of the API. */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/vduse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include "vduse.h"

/* One range of the driver's memory as this process reaches it. */
struct vdu_map {
	uint64_t iova_start; /* closed range [iova_start, iova_last] */
	uint64_t iova_last;
	void *mmap_addr; /* what to munmap, or NULL when the memory is not ours to unmap */
	size_t mmap_len;
};

/* Hugepage memory registered as the kernel's bounce buffer. */
struct vdu_umem {
	void *addr; /* NULL until allocated: tried once per device */
	size_t size;
	int node;	 /* NUMA node the pages were placed on, -1 for none */
	bool registered; /* VDUSE_IOTLB_REG_UMEM succeeded; lasts until the device fd closes */
	bool failed;	 /* do not try again */
};

struct vdu_vq {
	uint16_t max_size;
	int kick_fd;
	bool started;
	uint16_t last_avail_idx; /* as vdu_queue::last_avail_idx encodes it */
	/*
	 * last_avail_idx is where the queue stopped in this DRIVER_OK session:
	 * a restart (hugepage switch-over, IOTLB update) resumes there, not at
	 * the kernel's initial index. Cleared by a reset.
	 */
	bool resume;
	struct vdu_queue info; /* what queue_start was given */
};

struct vdu_dev {
	char name[VDUSE_NAME_MAX];
	int ctl_fd; /* /dev/vduse/control */
	int dev_fd; /* /dev/vduse/NAME */
	struct vdu_ops ops;
	void *arg;
	uint64_t offered_features;
	uint64_t driver_features;
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t status; /* read by other threads through vdu_status() */
	bool hugepages;
	int numa_node;
	bool created; /* the kernel device exists: destroy it when freeing */
	bool attached;
	bool iotlb_updated; /* an UPDATE_IOTLB since the last reset: a vhost-vdpa user's memory */
	bool reconnecting;  /* queues start where the dead process left them (vdu_state.c) */
	bool taken_back;    /* served again after its process died, not created */
	struct vdu_vq vqs[VDU_NET_QUEUES];

	/* Control thread. */
	pthread_t thread;
	bool thread_running;
	int epoll_fd;
	int stop_fd;
	bool upgrade_armed; /* kick fds watched to register hugepages once the bounce exists */

	/* Driver memory: maps[] and the table the workers read describe the same ranges. */
	struct vq_mem_table mem;
	struct vdu_map maps[VQ_MEM_MAX_REGIONS];
	unsigned int nmaps;
	struct vdu_umem umem;

	/* State file (vdu_state.c): NULL without a state directory. */
	void *state;
	size_t state_size;
	char state_path[PATH_MAX];
};

/* Logging (vdu_log.c). */
void vdu_log(enum vdu_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define VDU_ERR(dev, fmt, ...)	vdu_log(VDU_LOG_ERR, "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define VDU_WARN(dev, fmt, ...) vdu_log(VDU_LOG_WARNING, "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define VDU_INFO(dev, fmt, ...) vdu_log(VDU_LOG_INFO, "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define VDU_DBG(dev, fmt, ...)	vdu_log(VDU_LOG_DEBUG, "%s: " fmt, (dev)->name, ##__VA_ARGS__)

/* virtio-net config space and features (vdu_net_config.c). */
int vdu_net_config_build(const struct vdu_net_params *params, struct virtio_net_config *config,
			 uint64_t *features);

/* Control thread (vdu_loop.c). */
int vdu_loop_start(struct vdu_dev *dev);
void vdu_loop_stop(struct vdu_dev *dev);
int vdu_loop_watch_kicks(struct vdu_dev *dev, bool on);

/* Requests from the kernel (vdu_request.c). */
int vdu_request_handle(struct vdu_dev *dev);

/* Device status transitions (vdu_status.c). */
bool vdu_status_set(struct vdu_dev *dev, uint8_t status);
/* Map the driver's memory and start the queues (DRIVER_OK, or taken back with it). */
bool vdu_driver_ok(struct vdu_dev *dev);

/* Queues (vdu_queue.c). */
int vdu_queues_start(struct vdu_dev *dev);
void vdu_queues_stop(struct vdu_dev *dev);
/* After a reset: the next start takes the kernel's initial positions. */
void vdu_queues_forget(struct vdu_dev *dev);

/* IOTLB: mapping the driver's memory (vdu_iotlb.c). */
int vdu_iotlb_map_all(struct vdu_dev *dev);
int vdu_iotlb_add(struct vdu_dev *dev, uint64_t iova_start, uint64_t iova_last, void *host_addr,
		  uint32_t perm, void *mmap_addr, size_t mmap_len);
void vdu_iotlb_drop(struct vdu_dev *dev, uint64_t iova_start, uint64_t iova_last);
int vdu_iotlb_mmap(struct vdu_dev *dev, int fd, uint64_t offset, uint64_t iova_start,
		   uint64_t iova_last, uint8_t perm);

/* Bounce buffer of the kernel's IOVA domain (vdu_bounce.c). */
int vdu_bounce_map(struct vdu_dev *dev);
int vdu_bounce_upgrade(struct vdu_dev *dev);

/* Hugepage memory for the bounce buffer (vdu_umem.c). */
int vdu_umem_register(struct vdu_dev *dev, uint64_t size);
void vdu_umem_free(struct vdu_umem *umem);

/* State file, for taking a device back after a crash (vdu_state.c). */
int vdu_state_open(struct vdu_dev *dev, const char *dir, bool *had_state);
/* Why the file cannot be trusted for @dev (NULL: it can, and dev now holds what it says). */
const char *vdu_state_restore(struct vdu_dev *dev);
void vdu_state_save(struct vdu_dev *dev);
struct vq_journal *vdu_state_journal(struct vdu_dev *dev, uint16_t qid);
void vdu_state_close(struct vdu_dev *dev, bool remove);

/* vdpa generic netlink (vdu_netlink.c). */
int vdu_netlink_dev_new(const char *name);
int vdu_netlink_dev_del(const char *name);

/* vdpa bus in sysfs (vdu_sysfs.c). */
int vdu_sysfs_bind(const char *name, const char *driver);
bool vdu_sysfs_vdpa_bus(void);
bool vdu_sysfs_driver_loaded(const char *driver);
int vdu_sysfs_netdev(const char *name, char *buf, size_t len);
int vdu_sysfs_bounce_size(const char *name, uint64_t *size);

#endif /* VDU_PRIV_H */
