/* SPDX-License-Identifier: BSD-3-Clause */
/* Device lifecycle: create, attach, detach, destroy. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/virtio_ids.h>

#include "vdu_priv.h"

#define VDU_CONTROL_PATH "/dev/vduse/control"

static int open_control(void)
{
	uint64_t version = 0; /* the API both 6.12 and this project's kmod speak */
	int fd = open(VDU_CONTROL_PATH, O_RDWR | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT || err == -ENODEV || err == -ENXIO)
			vdu_log(VDU_LOG_ERR,
				"%s not found: load the vduse module (modprobe vduse) or this "
				"project's kmod",
				VDU_CONTROL_PATH);
		else
			vdu_log(VDU_LOG_ERR, "cannot open %s: %s: run as root", VDU_CONTROL_PATH,
				strerror(-err));
		return err;
	}
	if (ioctl(fd, VDUSE_SET_API_VERSION, &version) < 0) {
		err = -errno;
		vdu_log(VDU_LOG_ERR, "VDUSE_SET_API_VERSION %llu refused: %s",
			(unsigned long long)version, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

static void explain_create_error(const struct vdu_dev *dev, int err)
{
	switch (err) {
	case -EEXIST:
		VDU_ERR(dev,
			"a VDUSE device of this name already exists: choose another name, or "
			"stop its owner and remove it (`vdpa dev del %s`, then VDUSE_DESTROY_DEV)",
			dev->name);
		break;
	case -EPERM:
		VDU_ERR(dev, "creating a virtio-net VDUSE device needs CAP_NET_ADMIN: run as root "
			     "or grant the capability");
		break;
	case -EINVAL:
		VDU_ERR(dev,
			"the kernel refused the device (features %#llx): it needs VERSION_1 and "
			"ACCESS_PLATFORM and refuses CTRL_VQ; offer fewer optional features",
			(unsigned long long)dev->offered_features);
		break;
	default:
		VDU_ERR(dev, "VDUSE_CREATE_DEV failed: %s", strerror(-err));
	}
}

static int create_kernel_dev(struct vdu_dev *dev, const struct virtio_net_config *config)
{
	size_t size = sizeof(struct vduse_dev_config) + sizeof(*config);
	struct vduse_dev_config *cfg = calloc(1, size);
	int ret = 0;

	if (cfg == NULL)
		return -ENOMEM;
	memcpy(cfg->name, dev->name, sizeof(cfg->name));
	cfg->device_id = VIRTIO_ID_NET;
	cfg->vendor_id = 0;
	cfg->features = dev->offered_features;
	cfg->vq_num = VDU_NET_QUEUES;
	cfg->vq_align = (uint32_t)sysconf(_SC_PAGESIZE);
	cfg->config_size = sizeof(*config);
	memcpy(cfg->config, config, sizeof(*config));
	if (ioctl(dev->ctl_fd, VDUSE_CREATE_DEV, cfg) < 0) {
		ret = -errno;
		explain_create_error(dev, ret);
	}
	free(cfg);
	return ret;
}

/* The queues' kick eventfds; and their maximum sizes on a new device (@setup). */
static int setup_queues(struct vdu_dev *dev, bool setup)
{
	unsigned int i;

	for (i = 0; i < VDU_NET_QUEUES; i++) {
		struct vduse_vq_config vq = {.index = i, .max_size = dev->vqs[i].max_size};

		if (setup && ioctl(dev->dev_fd, VDUSE_VQ_SETUP, &vq) < 0) {
			int err = -errno;

			VDU_ERR(dev, "VDUSE_VQ_SETUP of queue %u (max size %u) failed: %s", i,
				vq.max_size, strerror(-err));
			return err;
		}
		dev->vqs[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->vqs[i].kick_fd < 0)
			return -errno;
	}
	return 0;
}

static void dev_path(const struct vdu_dev *dev, char *path, size_t len)
{
	snprintf(path, len, "/dev/vduse/%s", dev->name);
}

static int open_dev(struct vdu_dev *dev)
{
	char path[sizeof("/dev/vduse/") + VDUSE_NAME_MAX];

	dev_path(dev, path, sizeof(path));
	dev->dev_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (dev->dev_fd < 0) {
		int err = -errno;

		if (err == -EBUSY)
			VDU_ERR(dev, "%s is served by another process: stop it first", path);
		else
			VDU_ERR(dev, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	return 0;
}

bool vdu_net_exists(const char *name)
{
	char path[sizeof("/dev/vduse/") + VDUSE_NAME_MAX];

	snprintf(path, sizeof(path), "/dev/vduse/%s", name);
	return strchr(name, '/') == NULL && access(path, F_OK) == 0;
}

static bool kernel_dev_exists(const struct vdu_dev *dev)
{
	return vdu_net_exists(dev->name);
}

/* Whether the kernel marked the device broken: a request timed out. */
static bool kernel_dev_broken(const struct vdu_dev *dev)
{
	struct pollfd pfd = {.fd = dev->dev_fd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP));
}

/*
 * Detach and destroy a device no process serves. The driver resets it on
 * detach and waits for the answer, so the device is served (with nothing
 * to start) until it is gone.
 */
static int remove_kernel_dev(struct vdu_dev *dev)
{
	int ret = dev->dev_fd >= 0 ? 0 : open_dev(dev);

	/* A broken device fails every request at once: nothing to answer. */
	if (ret == 0 && !kernel_dev_broken(dev))
		ret = vdu_loop_start(dev);
	if (ret < 0)
		return ret;
	ret = vdu_netlink_dev_del(dev->name);
	vdu_loop_stop(dev);
	close(dev->dev_fd);
	dev->dev_fd = -1;
	if (ret < 0 && ret != -ENODEV && ret != -ENOENT)
		return ret;
	if (ioctl(dev->ctl_fd, VDUSE_DESTROY_DEV, dev->name) < 0) {
		ret = -errno;
		VDU_ERR(dev, "cannot remove the old device: VDUSE_DESTROY_DEV: %s", strerror(-ret));
		return ret;
	}
	VDU_INFO(dev, "old device removed");
	return 0;
}

/*
 * What the kernel says of a device the state file describes: the features
 * the driver accepted and, once it set DRIVER_OK, each queue where it put
 * it. NULL when they match.
 */
static const char *kernel_contradicts(struct vdu_dev *dev)
{
	uint64_t features;
	unsigned int i;

	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return NULL;
	if (ioctl(dev->dev_fd, VDUSE_DEV_GET_FEATURES, &features) < 0 ||
	    features != dev->driver_features)
		return "the driver negotiated other features since";
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return NULL;
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		const struct vdu_queue *q = &dev->vqs[i].info;
		struct vduse_vq_info info = {.index = i};

		if (q->size == 0)
			continue;
		if (ioctl(dev->dev_fd, VDUSE_VQ_GET_INFO, &info) < 0 || !info.ready ||
		    info.num != q->size || info.desc_addr != q->desc_iova ||
		    info.driver_addr != q->driver_iova || info.device_addr != q->device_iova)
			return "the driver set its queues up again since";
	}
	return NULL;
}

/* Forget what a state file that was not used put in @dev. */
static void vdu_reset_state(struct vdu_dev *dev)
{
	unsigned int i;

	dev->status = 0;
	dev->driver_features = 0;
	dev->attached = false;
	dev->iotlb_updated = false;
	for (i = 0; i < VDU_NET_QUEUES; i++)
		memset(&dev->vqs[i].info, 0, sizeof(dev->vqs[i].info));
}

/*
 * Serve again a device whose previous process died. 0 when taken back;
 * -ESTALE when the state file or the kernel says it cannot be (logged).
 */
static int take_back(struct vdu_dev *dev, bool had_state)
{
	const char *why;
	int ret;

	ret = open_dev(dev);
	if (ret < 0)
		return ret;
	if (!had_state) {
		VDU_ERR(dev,
			"a VDUSE device of this name exists and %s does not describe it: it may "
			"belong to something else; remove it, or replace it with the fresh option",
			dev->state_path);
		return -EEXIST;
	}
	why = kernel_dev_broken(dev) ? "the device broke while no process served it (a "
				       "request of the kernel timed out)"
				     : vdu_state_restore(dev);
	if (why == NULL)
		why = kernel_contradicts(dev);
	if (why != NULL) {
		VDU_WARN(dev, "state file %s not used: %s; replacing the device", dev->state_path,
			 why);
		return -ESTALE;
	}
	ret = setup_queues(dev, false);
	if (ret == 0 && (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		dev->reconnecting = true;
		ret = vdu_driver_ok(dev) ? 0 : -EIO;
		dev->reconnecting = false;
	}
	/* On failure the device and its state file stay for another try. */
	if (ret < 0)
		return ret;
	dev->created = true; /* ours now: destroyed with its state file at the end */
	dev->taken_back = true;
	VDU_INFO(dev, "taken back from the previous process: status 0x%02x, features %#llx",
		 dev->status, (unsigned long long)dev->driver_features);
	return 0;
}

static struct vdu_dev *dev_alloc(const struct vdu_net_params *params, const struct vdu_ops *ops,
				 void *arg)
{
	struct vdu_dev *dev = calloc(1, sizeof(*dev));
	unsigned int i;

	if (dev == NULL)
		return NULL;
	snprintf(dev->name, sizeof(dev->name), "%s", params->name);
	dev->ctl_fd = dev->dev_fd = dev->epoll_fd = dev->stop_fd = -1;
	dev->ops = *ops;
	dev->arg = arg;
	dev->hugepages = params->hugepages;
	dev->numa_node = params->numa_node;
	memcpy(dev->mac, params->mac, sizeof(dev->mac));
	dev->mtu = params->mtu;
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		dev->vqs[i].max_size = params->queue_size;
		dev->vqs[i].kick_fd = -1;
	}
	vq_mem_table_init(&dev->mem);
	return dev;
}

static void dev_free(struct vdu_dev *dev)
{
	unsigned int i;

	if (dev->dev_fd >= 0)
		close(dev->dev_fd); /* also unregisters the bounce umem */
	vdu_iotlb_drop(dev, 0, UINT64_MAX);
	vdu_umem_free(&dev->umem);
	for (i = 0; i < VDU_NET_QUEUES; i++)
		if (dev->vqs[i].kick_fd >= 0)
			close(dev->vqs[i].kick_fd);
	if (dev->created && ioctl(dev->ctl_fd, VDUSE_DESTROY_DEV, dev->name) < 0)
		VDU_ERR(dev, "VDUSE_DESTROY_DEV failed: %s", strerror(errno));
	/* The state goes with the device; another process's is left alone. */
	vdu_state_close(dev, dev->created);
	if (dev->ctl_fd >= 0)
		close(dev->ctl_fd);
	free(dev);
}

int vdu_net_create(const struct vdu_net_params *params, const struct vdu_ops *ops, void *arg,
		   struct vdu_dev **out)
{
	struct virtio_net_config config;
	struct vdu_dev *dev;
	int ret;

	if (ops->queue_start == NULL || ops->queue_stop == NULL)
		return -EINVAL;
	dev = dev_alloc(params, ops, arg);
	if (dev == NULL)
		return -ENOMEM;
	ret = vdu_net_config_build(params, &config, &dev->offered_features);
	if (ret < 0)
		goto fail;
	ret = dev->ctl_fd = open_control();
	if (ret < 0)
		goto fail;
	if (params->state_dir != NULL) {
		bool had_state;

		ret = vdu_state_open(dev, params->state_dir, &had_state);
		if (ret < 0)
			goto fail;
		if (kernel_dev_exists(dev) && !params->fresh) {
			ret = take_back(dev, had_state);
			if (ret == 0)
				goto started;
			if (ret != -ESTALE)
				goto fail;
		} else if (kernel_dev_exists(dev)) {
			VDU_INFO(dev, "replacing the existing device, as asked");
		}
		vdu_reset_state(dev);
		if (kernel_dev_exists(dev)) {
			ret = remove_kernel_dev(dev);
			if (ret < 0)
				goto fail;
		}
	}
	ret = create_kernel_dev(dev, &config);
	if (ret < 0)
		goto fail;
	dev->created = true;
	ret = open_dev(dev);
	if (ret == 0)
		ret = setup_queues(dev, true);
	if (ret < 0)
		goto fail;
	VDU_INFO(dev, "created: virtio-net, features %#llx, %u queues of up to %u",
		 (unsigned long long)dev->offered_features, VDU_NET_QUEUES, params->queue_size);
started:
	vdu_state_save(dev);
	ret = vdu_loop_start(dev);
	if (ret < 0)
		goto fail;
	*out = dev;
	return 0;
fail:
	dev_free(dev);
	return ret;
}

/* A device being removed has no queue to start; its reset stops none. */
static int no_queue_start(struct vdu_dev *dev, const struct vdu_queue *q, void *arg)
{
	(void)dev;
	(void)q;
	(void)arg;
	return -EINVAL;
}

static uint16_t no_queue_stop(struct vdu_dev *dev, uint16_t qid, void *arg)
{
	(void)dev;
	(void)qid;
	(void)arg;
	return 0;
}

int vdu_net_remove(const char *name, const char *state_dir)
{
	static const struct vdu_ops none = {
		.queue_start = no_queue_start,
		.queue_stop = no_queue_stop,
	};
	const struct vdu_net_params params = {.name = name, .queue_size = 2, .numa_node = -1};
	struct vdu_dev *dev;
	char path[PATH_MAX];
	int ret;

	if (*name == '\0' || strlen(name) >= VDUSE_NAME_MAX || strchr(name, '/') != NULL)
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%s.state", state_dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	dev = dev_alloc(&params, &none, NULL);
	if (dev == NULL)
		return -ENOMEM;
	ret = 0;
	if (!kernel_dev_exists(dev))
		goto out;
	/* Without its state file it may be anyone's device: not ours to remove. */
	if (access(path, F_OK) != 0) {
		VDU_ERR(dev,
			"no state file %s describes this device: it is not this switch's to remove "
			"(remove it by hand: vdpa dev del %s, then VDUSE_DESTROY_DEV)",
			path, name);
		ret = -EEXIST;
		goto out;
	}
	ret = dev->ctl_fd = open_control();
	if (ret >= 0)
		ret = remove_kernel_dev(dev);
	if (ret == 0)
		ret = 1;
out:
	if (ret >= 0 && unlink(path) < 0 && errno != ENOENT)
		VDU_WARN(dev, "cannot remove the state file %s: %s", path, strerror(errno));
	dev_free(dev);
	return ret;
}

/*
 * Whether the device must be moved to @p drv after `dev add`. Without a vdpa
 * bus the VDUSE provider (this project's kmod) is itself the virtio transport
 * and nothing is to be bound.
 */
static int driver_check(const struct vdu_dev *dev, const char *drv, bool *bind)
{
	*bind = vdu_sysfs_vdpa_bus();
	if (!*bind && strcmp(drv, "virtio_vdpa") == 0)
		return 0;
	if (!vdu_sysfs_driver_loaded(drv)) {
		VDU_ERR(dev, "vdpa driver %s is not loaded: modprobe %s", drv, drv);
		return -ENOENT;
	}
	return 0;
}

int vdu_attach(struct vdu_dev *dev, enum vdu_driver driver)
{
	const char *drv = driver == VDU_DRIVER_VHOST ? "vhost_vdpa" : "virtio_vdpa";
	bool bind;
	int ret;

	if (dev->attached)
		return 0;
	ret = driver_check(dev, drv, &bind);
	if (ret < 0)
		return ret;
	ret = vdu_netlink_dev_new(dev->name);
	if (ret < 0)
		return ret;
	dev->attached = true;
	ret = bind ? vdu_sysfs_bind(dev->name, drv) : 0;
	if (ret < 0) {
		VDU_ERR(dev, "cannot bind to %s: %s", drv, strerror(-ret));
		vdu_detach(dev);
		return ret;
	}
	vdu_state_save(dev);
	VDU_INFO(dev, "attached to the vdpa bus, driver %s", drv);
	return 0;
}

int vdu_detach(struct vdu_dev *dev)
{
	int ret;

	if (!dev->attached)
		return 0;
	ret = vdu_netlink_dev_del(dev->name);
	if (ret < 0)
		return ret;
	dev->attached = false;
	vdu_state_save(dev);
	VDU_INFO(dev, "detached from the vdpa bus");
	return 0;
}

void vdu_destroy(struct vdu_dev *dev)
{
	if (dev == NULL)
		return;
	vdu_detach(dev);
	vdu_loop_stop(dev);
	vdu_queues_stop(dev);
	dev_free(dev);
}

bool vdu_taken_back(const struct vdu_dev *dev)
{
	return dev->taken_back;
}

const char *vdu_name(const struct vdu_dev *dev)
{
	return dev->name;
}

uint8_t vdu_status(const struct vdu_dev *dev)
{
	return __atomic_load_n(&dev->status, __ATOMIC_ACQUIRE);
}

int vdu_netdev_name(const struct vdu_dev *dev, char *buf, size_t len)
{
	if (!dev->attached)
		return -ENODEV;
	return vdu_sysfs_netdev(dev->name, buf, len);
}

int vdu_queue_notify(struct vdu_dev *dev, uint16_t qid)
{
	uint32_t index = qid;

	return ioctl(dev->dev_fd, VDUSE_VQ_INJECT_IRQ, &index) < 0 ? -errno : 0;
}
