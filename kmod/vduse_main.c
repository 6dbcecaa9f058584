// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: module setup and the control device,
 * /dev/vduse/control, which creates and destroys VDUSE devices.
 */
#include <linux/cdev.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_net.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ids.h>

#include "vduse_core.h"

#if IS_ENABLED(CONFIG_VDPA)
#error "this kernel has vDPA: use its own vduse module"
#endif

/* the device table, and each device's life: create, attach, destroy */
DEFINE_MUTEX(vduse_lock);
static DEFINE_IDR(vduse_idr);
static dev_t vduse_devt;
static struct cdev vduse_ctrl_cdev;
static struct cdev vduse_dev_cdev;
struct workqueue_struct *vduse_irq_wq;

/* What a file of /dev/vduse/control remembers. */
struct vduse_control {
	u64 api_version;
};

static char *vduse_devnode(struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "vduse/%s", dev_name(dev));
}

/* kmod-only: pages held by IOVA domains (bounce pages and rings), for tests */
static ssize_t pages_show(struct class *class, struct class_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&vduse_domain_pages));
}
static CLASS_ATTR_RO(pages);

static struct attribute *vduse_class_attrs[] = {
	&class_attr_pages.attr,
	NULL
};
ATTRIBUTE_GROUPS(vduse_class);

static struct class vduse_class = {
	.name = "vduse",
	.owner = THIS_MODULE,
	.devnode = vduse_devnode,
	.class_groups = vduse_class_groups,
};

/* Callers hold vduse_lock. */
struct vduse_dev *vduse_find_dev(const char *name)
{
	struct vduse_dev *dev;
	int id;

	idr_for_each_entry(&vduse_idr, dev, id)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

/* Iterate devices in minor order; callers hold vduse_lock. */
struct vduse_dev *vduse_next_dev(int *id)
{
	return idr_get_next(&vduse_idr, id);
}

static bool vduse_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool vduse_features_valid(const struct vduse_dev_config *config)
{
	u64 f = config->features;

	if (!(f & BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)))
		return false;
	if (config->device_id == VIRTIO_ID_NET) {
		if (!(f & BIT_ULL(VIRTIO_F_VERSION_1)))
			return false;
		/* no control virtqueue, nor what depends on it */
		if (f & (BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |
			 BIT_ULL(VIRTIO_NET_F_CTRL_RX) |
			 BIT_ULL(VIRTIO_NET_F_CTRL_VLAN) |
			 BIT_ULL(VIRTIO_NET_F_GUEST_ANNOUNCE) |
			 BIT_ULL(VIRTIO_NET_F_MQ) |
			 BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR) |
			 BIT_ULL(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)))
			return false;
	}
	/* the configuration space is read-only for the driver */
	if (config->device_id == VIRTIO_ID_BLOCK &&
	    (f & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE)))
		return false;
	return true;
}

static bool vduse_config_valid(const struct vduse_dev_config *config)
{
	size_t len = strnlen(config->name, VDUSE_NAME_MAX);

	if (!vduse_mem_is_zero(config->reserved, sizeof(config->reserved)))
		return false;
	if (len == 0 || len == VDUSE_NAME_MAX || strchr(config->name, '/') ||
	    !strcmp(config->name, ".") || !strcmp(config->name, ".."))
		return false;
	if (config->device_id != VIRTIO_ID_NET &&
	    config->device_id != VIRTIO_ID_BLOCK)
		return false;
	if (config->vq_align > PAGE_SIZE || config->config_size > PAGE_SIZE)
		return false;
	if (config->vq_num > 0xffff)
		return false;
	return vduse_features_valid(config);
}

static void vduse_dev_free(struct vduse_dev *dev)
{
	kfree(dev->vqs);
	kvfree(dev->config);
	kfree(dev->name);
	kfree(dev);
}

static int vduse_create_dev(const struct vduse_dev_config *config,
			    void *config_buf, u64 api_version)
{
	struct vduse_dev *dev;
	u32 i;
	int ret;

	if (config->device_id == VIRTIO_ID_NET && !capable(CAP_NET_ADMIN))
		return -EPERM;
	/* "control" is the control device's node */
	if (vduse_find_dev(config->name) || !strcmp(config->name, "control"))
		return -EEXIST;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->name = kstrdup(config->name, GFP_KERNEL);
	dev->vqs = kcalloc(max_t(u32, config->vq_num, 1), sizeof(*dev->vqs),
			   GFP_KERNEL);
	if (!dev->name || !dev->vqs) {
		kfree(dev->vqs);
		kfree(dev->name);
		kfree(dev);
		return -ENOMEM;
	}
	mutex_init(&dev->lock);
	spin_lock_init(&dev->msg_lock);
	init_waitqueue_head(&dev->waitq);
	INIT_LIST_HEAD(&dev->send_list);
	INIT_LIST_HEAD(&dev->recv_list);
	init_rwsem(&dev->rwsem);
	spin_lock_init(&dev->config_lock);
	mutex_init(&dev->domain_lock);
	dev->api_version = api_version;
	dev->device_id = config->device_id;
	dev->vendor_id = config->vendor_id;
	dev->device_features = config->features;
	dev->config_size = config->config_size;
	dev->vq_num = config->vq_num;
	dev->vq_align = config->vq_align;
	dev->msg_timeout = VDUSE_DEFAULT_MSG_TIMEOUT;
	dev->bounce_size = VDUSE_DEFAULT_BOUNCE_SIZE;
	for (i = 0; i < dev->vq_num; i++) {
		struct vduse_vq *vq = &dev->vqs[i];

		vq->dev = dev;
		vq->index = i;
		spin_lock_init(&vq->kick_lock);
	}
	vduse_dev_init_work(dev);

	ret = idr_alloc(&vduse_idr, dev, 1, VDUSE_DEV_MAX, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	dev->minor = ret;

	dev->dev = device_create_with_groups(&vduse_class, NULL,
					     MKDEV(MAJOR(vduse_devt), dev->minor),
					     dev, vduse_dev_groups, "%s",
					     dev->name);
	if (IS_ERR(dev->dev)) {
		ret = PTR_ERR(dev->dev);
		goto err_idr;
	}

	/* the configuration buffer belongs to the device from now on */
	dev->config = config_buf;
	/* every device pins the module until VDUSE_DESTROY_DEV */
	__module_get(THIS_MODULE);
	return 0;

err_idr:
	idr_remove(&vduse_idr, dev->minor);
err_free:
	vduse_dev_free(dev);
	return ret;
}

static int vduse_destroy_dev(const char *name)
{
	struct vduse_dev *dev = vduse_find_dev(name);

	if (!dev)
		return -EINVAL;

	mutex_lock(&dev->lock);
	if (dev->vdpa || dev->connected) {
		mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	/* refuse opens from now on */
	dev->destroying = true;
	mutex_unlock(&dev->lock);

	vduse_dev_reset(dev);
	device_destroy(&vduse_class, MKDEV(MAJOR(vduse_devt), dev->minor));
	idr_remove(&vduse_idr, dev->minor);
	if (dev->domain)
		vduse_domain_destroy(dev->domain);
	vduse_dev_free(dev);
	module_put(THIS_MODULE);
	return 0;
}

static long vduse_ctrl_create(struct vduse_control *control, void __user *argp)
{
	struct vduse_dev_config config;
	size_t hdr = offsetof(struct vduse_dev_config, config);
	void *buf;
	int ret;

	if (copy_from_user(&config, argp, hdr))
		return -EFAULT;
	if (!vduse_config_valid(&config))
		return -EINVAL;

	buf = vmemdup_user(argp + hdr, config.config_size);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = vduse_create_dev(&config, buf, control->api_version);
	if (ret)
		kvfree(buf);
	return ret;
}

static long vduse_ctrl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct vduse_control *control = file->private_data;
	void __user *argp = (void __user *)arg;
	char name[VDUSE_NAME_MAX];
	u64 version;
	long ret;

	mutex_lock(&vduse_lock);
	switch (cmd) {
	case VDUSE_GET_API_VERSION:
		ret = put_user(control->api_version, (u64 __user *)argp);
		break;
	case VDUSE_SET_API_VERSION:
		ret = -EFAULT;
		if (get_user(version, (u64 __user *)argp))
			break;
		ret = -EINVAL;
		if (version > VDUSE_API_VERSION)
			break;
		control->api_version = version;
		ret = 0;
		break;
	case VDUSE_CREATE_DEV:
		ret = vduse_ctrl_create(control, argp);
		break;
	case VDUSE_DESTROY_DEV:
		ret = -EFAULT;
		if (copy_from_user(name, argp, sizeof(name)))
			break;
		name[VDUSE_NAME_MAX - 1] = '\0';
		ret = vduse_destroy_dev(name);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	mutex_unlock(&vduse_lock);
	return ret;
}

static int vduse_ctrl_open(struct inode *inode, struct file *file)
{
	struct vduse_control *control;

	control = kzalloc(sizeof(*control), GFP_KERNEL);
	if (!control)
		return -ENOMEM;
	control->api_version = VDUSE_API_VERSION;
	file->private_data = control;
	return 0;
}

static int vduse_ctrl_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations vduse_ctrl_fops = {
	.owner		= THIS_MODULE,
	.open		= vduse_ctrl_open,
	.release	= vduse_ctrl_release,
	.unlocked_ioctl	= vduse_ctrl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Device files look their device up by minor; callers hold vduse_lock. */
struct vduse_dev *vduse_dev_by_minor(int minor)
{
	return idr_find(&vduse_idr, minor);
}

static int __init vduse_init(void)
{
	struct device *ctrl;
	int ret;

	ret = class_register(&vduse_class);
	if (ret)
		return ret;

	ret = alloc_chrdev_region(&vduse_devt, 0, VDUSE_DEV_MAX, "vduse");
	if (ret)
		goto err_class;

	cdev_init(&vduse_ctrl_cdev, &vduse_ctrl_fops);
	vduse_ctrl_cdev.owner = THIS_MODULE;
	ret = cdev_add(&vduse_ctrl_cdev, vduse_devt, 1);
	if (ret)
		goto err_region;

	ctrl = device_create(&vduse_class, NULL, vduse_devt, NULL, "control");
	if (IS_ERR(ctrl)) {
		ret = PTR_ERR(ctrl);
		goto err_ctrl_cdev;
	}

	cdev_init(&vduse_dev_cdev, &vduse_dev_fops);
	vduse_dev_cdev.owner = THIS_MODULE;
	ret = cdev_add(&vduse_dev_cdev, MKDEV(MAJOR(vduse_devt), 1),
		       VDUSE_DEV_MAX - 1);
	if (ret)
		goto err_ctrl_dev;

	ret = -ENOMEM;
	vduse_irq_wq = alloc_workqueue("vduse-irq",
				       WQ_HIGHPRI | WQ_UNBOUND, 0);
	if (!vduse_irq_wq)
		goto err_dev_cdev;

	/* first: it fails cleanly where the kernel has vDPA already */
	ret = vduse_genl_init();
	if (ret)
		goto err_wq;
	ret = vduse_bus_init();
	if (ret)
		goto err_genl;
	return 0;

err_genl:
	vduse_genl_exit();
err_wq:
	destroy_workqueue(vduse_irq_wq);
err_dev_cdev:
	cdev_del(&vduse_dev_cdev);
err_ctrl_dev:
	device_destroy(&vduse_class, vduse_devt);
err_ctrl_cdev:
	cdev_del(&vduse_ctrl_cdev);
err_region:
	unregister_chrdev_region(vduse_devt, VDUSE_DEV_MAX);
err_class:
	class_unregister(&vduse_class);
	return ret;
}
module_init(vduse_init);

/* Devices pin the module, so none is left when this runs. */
static void __exit vduse_exit(void)
{
	vduse_bus_exit();
	vduse_genl_exit();
	destroy_workqueue(vduse_irq_wq);
	cdev_del(&vduse_dev_cdev);
	device_destroy(&vduse_class, vduse_devt);
	cdev_del(&vduse_ctrl_cdev);
	unregister_chrdev_region(vduse_devt, VDUSE_DEV_MAX);
	class_unregister(&vduse_class);
	idr_destroy(&vduse_idr);
}
module_exit(vduse_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VDUSE userspace API and virtio transport for kernels without vDPA");
MODULE_SOFTDEP("pre: virtio virtio_ring");
