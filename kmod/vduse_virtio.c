// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: the virtio transport.
 *
 * A bound VDUSE device (see vduse_bus.c) has a virtio device whose configuration
 * operations talk to the device's server: status changes become
 * VDUSE_SET_STATUS requests, the configuration space is the buffer userspace
 * gave, rings live in the device's IOVA domain and notifications signal the
 * kick eventfds.
 */
#include <linux/eventfd.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "vduse_core.h"

static struct vduse_dev *to_vduse(struct virtio_device *vdev)
{
	return container_of(vdev, struct vduse_vdev, vdev)->dev;
}

static void vduse_vdev_get(struct virtio_device *vdev, unsigned int offset,
			   void *buf, unsigned int len)
{
	struct vduse_dev *dev = to_vduse(vdev);
	unsigned long flags;

	memset(buf, 0, len);
	spin_lock_irqsave(&dev->config_lock, flags);
	if (offset < dev->config_size) {
		len = min(len, dev->config_size - offset);
		memcpy(buf, dev->config + offset, len);
	}
	spin_unlock_irqrestore(&dev->config_lock, flags);
}

/* The configuration space is read-only for the driver. */
static void vduse_vdev_set(struct virtio_device *vdev, unsigned int offset,
			   const void *buf, unsigned int len)
{
}

static u32 vduse_vdev_generation(struct virtio_device *vdev)
{
	return READ_ONCE(to_vduse(vdev)->generation);
}

static u8 vduse_vdev_get_status(struct virtio_device *vdev)
{
	return READ_ONCE(to_vduse(vdev)->status);
}

static void vduse_vdev_set_status(struct virtio_device *vdev, u8 status)
{
	struct vduse_dev *dev = to_vduse(vdev);

	/* a refused status is not taken: the driver sees the old one */
	if (vduse_dev_msg_set_status(dev, status))
		return;
	down_write(&dev->rwsem);
	dev->status = status;
	up_write(&dev->rwsem);
}

static void vduse_vdev_reset(struct virtio_device *vdev)
{
	struct vduse_dev *dev = to_vduse(vdev);

	vduse_dev_msg_set_status(dev, 0);
	vduse_dev_reset(dev);
}

static bool vduse_vdev_notify(struct virtqueue *vq)
{
	struct vduse_dev *dev = to_vduse(vq->vdev);
	struct vduse_vq *v = &dev->vqs[vq->index];

	/* eventfd_signal() must not nest in an eventfd wakeup */
	if (!eventfd_signal_allowed())
		schedule_work(&v->kick);
	else
		vduse_vq_kick(v);
	return true;
}

static void vduse_vdev_del_vqs(struct virtio_device *vdev)
{
	struct vduse_dev *dev = to_vduse(vdev);
	struct virtqueue *vq, *tmp;

	list_for_each_entry_safe(vq, tmp, &vdev->vqs, list) {
		struct vduse_vq *v = &dev->vqs[vq->index];

		down_write(&dev->rwsem);
		spin_lock_irq(&v->kick_lock);
		v->ready = false;
		spin_unlock_irq(&v->kick_lock);
		v->vq = NULL;
		up_write(&dev->rwsem);
		flush_work(&v->inject);
		flush_work(&v->kick);
		vring_del_virtqueue(vq);
	}
}

static struct virtqueue *vduse_vdev_setup_vq(struct virtio_device *vdev,
					     u32 index, vq_callback_t *callback,
					     const char *name, bool ctx)
{
	struct vduse_dev *dev = to_vduse(vdev);
	struct vduse_vq *v;
	struct virtqueue *vq;
	unsigned int align = dev->vq_align;
	unsigned int num;

	if (index >= dev->vq_num)
		return ERR_PTR(-ENOENT);
	v = &dev->vqs[index];
	if (!v->num_max)
		return ERR_PTR(-ENOENT);

	num = v->num_max;
	if (!virtio_has_feature(vdev, VIRTIO_F_RING_PACKED))
		num = rounddown_pow_of_two(num);
	if (align < 4 || !is_power_of_2(align))
		align = PAGE_SIZE;

	vq = vring_create_virtqueue(index, num, align, vdev, true, true, ctx,
				    vduse_vdev_notify, callback, name);
	if (!vq)
		return ERR_PTR(-ENOMEM);

	down_write(&dev->rwsem);
	v->vq = vq;
	v->num = virtqueue_get_vring_size(vq);
	v->desc_addr = virtqueue_get_desc_addr(vq);
	v->driver_addr = virtqueue_get_avail_addr(vq);
	v->device_addr = virtqueue_get_used_addr(vq);
	v->avail_index = 0;
	spin_lock_irq(&v->kick_lock);
	v->ready = true;
	spin_unlock_irq(&v->kick_lock);
	up_write(&dev->rwsem);
	return vq;
}

static int vduse_vdev_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       vq_callback_t *callbacks[],
			       const char * const names[], const bool *ctx,
			       struct irq_affinity *desc)
{
	u32 index = 0;
	unsigned int i;

	for (i = 0; i < nvqs; i++) {
		if (!names[i]) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vduse_vdev_setup_vq(vdev, index++,
					     callbacks ? callbacks[i] : NULL,
					     names[i], ctx ? ctx[i] : false);
		if (IS_ERR(vqs[i])) {
			int ret = PTR_ERR(vqs[i]);

			vduse_vdev_del_vqs(vdev);
			return ret;
		}
	}
	return 0;
}

static void vduse_vdev_synchronize_cbs(struct virtio_device *vdev)
{
	struct vduse_dev *dev = to_vduse(vdev);
	u32 i;

	flush_work(&dev->config_inject);
	for (i = 0; i < dev->vq_num; i++)
		flush_work(&dev->vqs[i].inject);
}

static u64 vduse_vdev_get_features(struct virtio_device *vdev)
{
	return to_vduse(vdev)->device_features;
}

static int vduse_vdev_finalize_features(struct virtio_device *vdev)
{
	struct vduse_dev *dev = to_vduse(vdev);

	vring_transport_features(vdev);
	dev->driver_features = vdev->features;
	return 0;
}

static const char *vduse_vdev_bus_name(struct virtio_device *vdev)
{
	return to_vduse(vdev)->name;
}

static const struct virtio_config_ops vduse_vdev_config_ops = {
	.get			= vduse_vdev_get,
	.set			= vduse_vdev_set,
	.generation		= vduse_vdev_generation,
	.get_status		= vduse_vdev_get_status,
	.set_status		= vduse_vdev_set_status,
	.reset			= vduse_vdev_reset,
	.find_vqs		= vduse_vdev_find_vqs,
	.del_vqs		= vduse_vdev_del_vqs,
	.synchronize_cbs	= vduse_vdev_synchronize_cbs,
	.get_features		= vduse_vdev_get_features,
	.finalize_features	= vduse_vdev_finalize_features,
	.bus_name		= vduse_vdev_bus_name,
};

static void vduse_vdev_release(struct device *d)
{
	struct virtio_device *vdev = dev_to_virtio(d);

	kfree(container_of(vdev, struct vduse_vdev, vdev));
}

/* The bus device of @dev got its driver: register the virtio device. */
int vduse_virtio_probe(struct vduse_dev *dev, struct device *parent)
{
	struct vduse_vdev *vv;
	int ret;

	vv = kzalloc(sizeof(*vv), GFP_KERNEL);
	if (!vv)
		return -ENOMEM;
	vv->dev = dev;
	vv->vdev.dev.parent = parent;
	vv->vdev.dev.release = vduse_vdev_release;
	vv->vdev.id.device = dev->device_id;
	vv->vdev.id.vendor = dev->vendor_id;
	vv->vdev.config = &vduse_vdev_config_ops;

	mutex_lock(&dev->lock);
	dev->vdev = vv;
	mutex_unlock(&dev->lock);

	ret = register_virtio_device(&vv->vdev);
	if (ret) {
		put_device(&vv->vdev.dev);
	} else if (READ_ONCE(dev->broken)) {
		/*
		 * The server stopped answering while the driver probed, which
		 * may have gone on regardless (virtio_net does once DRIVER_OK
		 * is sent): fail the attach rather than leave a netdev on a
		 * device that cannot work.
		 */
		unregister_virtio_device(&vv->vdev);
		ret = -EIO;
	}
	if (ret) {
		mutex_lock(&dev->lock);
		dev->vdev = NULL;
		mutex_unlock(&dev->lock);
	}
	return ret;
}

/* The bus device of @dev loses its driver: unregister the virtio device. */
void vduse_virtio_remove(struct vduse_dev *dev)
{
	struct vduse_vdev *vv = dev->vdev;

	unregister_virtio_device(&vv->vdev);
	mutex_lock(&dev->lock);
	dev->vdev = NULL;
	mutex_unlock(&dev->lock);
	vduse_dev_reset(dev);
}

/* Userspace stopped answering: the driver must stop using the device. */
void vduse_virtio_broken(struct vduse_dev *dev)
{
	struct vduse_vdev *vv = READ_ONCE(dev->vdev);

	if (vv)
		virtio_break_device(&vv->vdev);
}
