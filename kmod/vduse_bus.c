// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: a minimal "vdpa" bus.
 *
 * Attaching a VDUSE device adds a device named after it to this bus, as the
 * vDPA core does, with the VDUSE class device as parent; the bus's only
 * driver, "virtio_vdpa", registers the virtio device under it. Userspace thus
 * finds the same sysfs layout as with upstream VDUSE:
 * /sys/bus/vdpa/devices/<name>/driver and /sys/bus/vdpa/devices/<name>/virtioN.
 * The bus device is also the DMA device of the virtio driver.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include "vduse_core.h"

#define VDUSE_VDPA_DRIVER "virtio_vdpa"

static inline struct vduse_vdpa *to_vduse_vdpa(struct device *d)
{
	return container_of(d, struct vduse_vdpa, dev);
}

static int vduse_bus_match(struct device *d, struct device_driver *drv)
{
	struct vduse_vdpa *v = to_vduse_vdpa(d);

	/* called with and without the device lock held: take none */
	return !v->driver_override || !strcmp(v->driver_override, drv->name);
}

static int vduse_bus_probe(struct device *d)
{
	struct vduse_vdpa *v = to_vduse_vdpa(d);

	return vduse_virtio_probe(v->vduse, d);
}

static void vduse_bus_remove(struct device *d)
{
	vduse_virtio_remove(to_vduse_vdpa(d)->vduse);
}

static ssize_t driver_override_store(struct device *d,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	int ret;

	ret = driver_set_override(d, &to_vduse_vdpa(d)->driver_override, buf,
				  count);
	return ret ? ret : count;
}

static ssize_t driver_override_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	ssize_t len;

	device_lock(d);
	len = sysfs_emit(buf, "%s\n", to_vduse_vdpa(d)->driver_override);
	device_unlock(d);
	return len;
}
static DEVICE_ATTR_RW(driver_override);

static struct attribute *vduse_bus_dev_attrs[] = {
	&dev_attr_driver_override.attr,
	NULL
};
ATTRIBUTE_GROUPS(vduse_bus_dev);

static struct bus_type vduse_bus = {
	.name		= "vdpa",
	.match		= vduse_bus_match,
	.probe		= vduse_bus_probe,
	.remove		= vduse_bus_remove,
	.dev_groups	= vduse_bus_dev_groups,
};

static struct device_driver vduse_vdpa_driver = {
	.name	= VDUSE_VDPA_DRIVER,
	.bus	= &vduse_bus,
	.owner	= THIS_MODULE,
};

static void vduse_vdpa_release(struct device *d)
{
	struct vduse_vdpa *v = to_vduse_vdpa(d);

	kfree(v->driver_override);
	kfree(v);
}

/*
 * Add the bus device of @dev, which binds the virtio transport. Called with
 * vduse_lock held, which is dropped while the device is added: the virtio
 * driver's probe waits for userspace.
 */
int vduse_vdpa_add(struct vduse_dev *dev)
{
	struct vduse_vdpa *v;
	int ret;

	if (!vduse_dev_is_ready(dev))
		return -EINVAL;
	if (dev->vdpa)
		return -EEXIST;

	mutex_lock(&dev->domain_lock);
	if (!dev->domain)
		dev->domain = vduse_domain_create(dev->bounce_size);
	mutex_unlock(&dev->domain_lock);
	if (!dev->domain)
		return -ENOMEM;

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->vduse = dev;
	device_initialize(&v->dev);
	v->dev.bus = &vduse_bus;
	v->dev.parent = dev->dev;
	v->dev.release = vduse_vdpa_release;
	v->dev.dma_mask = &v->dev.coherent_dma_mask;
	set_dma_ops(&v->dev, &vduse_dma_ops);
	ret = dma_set_mask_and_coherent(&v->dev, DMA_BIT_MASK(64));
	if (!ret)
		ret = dev_set_name(&v->dev, "%s", dev->name);
	if (ret) {
		put_device(&v->dev);
		return ret;
	}

	mutex_lock(&dev->lock);
	dev->vdpa = v;
	mutex_unlock(&dev->lock);

	mutex_unlock(&vduse_lock);
	ret = device_add(&v->dev);
	mutex_lock(&vduse_lock);
	if (ret) {
		mutex_lock(&dev->lock);
		dev->vdpa = NULL;
		mutex_unlock(&dev->lock);
		put_device(&v->dev);
	}
	return ret;
}

/* Remove the bus device of @dev; same locking as vduse_vdpa_add(). */
void vduse_vdpa_del(struct vduse_dev *dev)
{
	struct vduse_vdpa *v = dev->vdpa;

	mutex_unlock(&vduse_lock);
	device_unregister(&v->dev);
	mutex_lock(&vduse_lock);

	mutex_lock(&dev->lock);
	dev->vdpa = NULL;
	mutex_unlock(&dev->lock);
	vduse_dev_reset(dev);
}

int vduse_bus_init(void)
{
	int ret = bus_register(&vduse_bus);

	if (ret)
		return ret;
	ret = driver_register(&vduse_vdpa_driver);
	if (ret)
		bus_unregister(&vduse_bus);
	return ret;
}

void vduse_bus_exit(void)
{
	driver_unregister(&vduse_vdpa_driver);
	bus_unregister(&vduse_bus);
}
