// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: the device files, /dev/vduse/<name>.
 *
 * Requests to userspace are queued here, read(2) by the device's server and
 * answered with write(2); the ioctls give the server the virtqueues, the
 * IOVA domain and the interrupts.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_config.h>

#include "vduse_core.h"

/*
 * The 6.1 virtio_net sets DRIVER_OK at the end of its probe while it holds
 * RTNL, which every network configuration in every namespace needs (ip,
 * NetworkManager, container runtimes): a server that does not answer must
 * not stop them for the whole msg_timeout, let alone forever.
 */
static unsigned int ready_timeout = 5;
module_param(ready_timeout, uint, 0644);
MODULE_PARM_DESC(ready_timeout,
		 "Seconds the kernel waits at most for the reply to the request that sets DRIVER_OK, if shorter than msg_timeout (0: msg_timeout only)");

/* One request and, once userspace wrote it, its response. */
struct vduse_msg {
	struct vduse_dev_request req;
	struct vduse_dev_response resp;
	struct list_head list;
	wait_queue_head_t waitq;
	bool completed;
};

static bool vduse_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * Userspace failed to answer in time: fail every request, pending or
 * future. Called with msg_lock held.
 */
static void vduse_dev_mark_broken(struct vduse_dev *dev)
{
	struct vduse_msg *msg, *tmp;

	if (dev->broken)
		return;
	list_splice_init(&dev->recv_list, &dev->send_list);
	list_for_each_entry_safe(msg, tmp, &dev->send_list, list) {
		list_del(&msg->list);
		msg->resp.result = VDUSE_REQ_RESULT_FAILED;
		msg->completed = true;
		wake_up(&msg->waitq);
	}
	dev->broken = true;
	wake_up(&dev->waitq);
}

/*
 * Send a request and wait for its response, @timeout seconds at most (0:
 * forever); 0 when userspace said OK.
 */
static int vduse_dev_msg_sync(struct vduse_dev *dev, struct vduse_msg *msg,
			      unsigned int timeout)
{
	bool broken_now = false;
	long ret;

	init_waitqueue_head(&msg->waitq);
	spin_lock(&dev->msg_lock);
	if (dev->broken) {
		spin_unlock(&dev->msg_lock);
		return -EIO;
	}
	msg->req.request_id = dev->msg_unique++;
	list_add_tail(&msg->list, &dev->send_list);
	wake_up(&dev->waitq);
	spin_unlock(&dev->msg_lock);

	if (timeout)
		ret = wait_event_killable_timeout(msg->waitq, msg->completed,
						  (long)timeout * HZ);
	else
		ret = wait_event_killable(msg->waitq, msg->completed);

	spin_lock(&dev->msg_lock);
	if (!msg->completed) {
		list_del(&msg->list);
		msg->resp.result = VDUSE_REQ_RESULT_FAILED;
		if (ret == 0) {
			vduse_dev_mark_broken(dev);
			broken_now = true;
		}
	}
	ret = msg->resp.result == VDUSE_REQ_RESULT_OK ? 0 : -EIO;
	spin_unlock(&dev->msg_lock);

	if (broken_now) {
		dev_warn(dev->dev, "no reply to request %u within %u s, device broken\n",
			 msg->req.type, timeout);
		vduse_virtio_broken(dev);
	}
	return ret;
}

int vduse_dev_msg_set_status(struct vduse_dev *dev, u8 status)
{
	unsigned int timeout = READ_ONCE(dev->msg_timeout);
	unsigned int bound = READ_ONCE(ready_timeout);
	struct vduse_msg msg = { };

	msg.req.type = VDUSE_SET_STATUS;
	msg.req.s.status = status;
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(READ_ONCE(dev->status) & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    bound && (!timeout || bound < timeout))
		timeout = bound;
	return vduse_dev_msg_sync(dev, &msg, timeout);
}

/*
 * A request read by userspace moves to recv_list at once, while msg_lock is
 * held, so that it is on a list for as long as its sender waits: a sender
 * that times out may then unlink it at any moment.
 */
static ssize_t vduse_dev_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct vduse_dev *dev = file->private_data;
	size_t size = sizeof(struct vduse_dev_request);
	struct vduse_dev_request req;
	struct vduse_msg *msg;
	ssize_t ret;

	if (iov_iter_count(to) < size)
		return -EINVAL;

	spin_lock(&dev->msg_lock);
	while (list_empty(&dev->send_list)) {
		spin_unlock(&dev->msg_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible_exclusive(dev->waitq,
							 !list_empty(&dev->send_list));
		if (ret)
			return ret;
		spin_lock(&dev->msg_lock);
	}
	msg = list_first_entry(&dev->send_list, struct vduse_msg, list);
	req = msg->req;
	list_move_tail(&msg->list, &dev->recv_list);
	spin_unlock(&dev->msg_lock);

	ret = copy_to_iter(&req, size, to);
	if (ret == size)
		return ret;

	/* put it back in front, unless its sender gave up meanwhile */
	spin_lock(&dev->msg_lock);
	list_for_each_entry(msg, &dev->recv_list, list) {
		if (msg->req.request_id == req.request_id) {
			list_move(&msg->list, &dev->send_list);
			break;
		}
	}
	spin_unlock(&dev->msg_lock);
	return -EFAULT;
}

static ssize_t vduse_dev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vduse_dev *dev = iocb->ki_filp->private_data;
	struct vduse_dev_response resp;
	struct vduse_msg *msg;
	ssize_t ret;

	if (copy_from_iter(&resp, sizeof(resp), from) != sizeof(resp))
		return -EINVAL;
	if (!vduse_mem_is_zero(resp.reserved, sizeof(resp.reserved)))
		return -EINVAL;

	ret = -ENOENT;
	spin_lock(&dev->msg_lock);
	list_for_each_entry(msg, &dev->recv_list, list) {
		if (msg->req.request_id != resp.request_id)
			continue;
		list_del(&msg->list);
		msg->resp = resp;
		msg->completed = true;
		wake_up(&msg->waitq);
		ret = sizeof(resp);
		break;
	}
	spin_unlock(&dev->msg_lock);
	return ret;
}

static __poll_t vduse_dev_poll(struct file *file, poll_table *wait)
{
	struct vduse_dev *dev = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &dev->waitq, wait);

	spin_lock(&dev->msg_lock);
	if (dev->broken)
		mask |= EPOLLERR;
	if (!list_empty(&dev->send_list))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!list_empty(&dev->recv_list))
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&dev->msg_lock);
	return mask;
}

void vduse_vq_kick(struct vduse_vq *vq)
{
	unsigned long flags;

	spin_lock_irqsave(&vq->kick_lock, flags);
	if (vq->ready) {
		if (vq->kickfd)
			eventfd_signal(vq->kickfd, 1);
		else
			vq->kicked = true;
	}
	spin_unlock_irqrestore(&vq->kick_lock, flags);
}

static void vduse_vq_kick_work(struct work_struct *work)
{
	vduse_vq_kick(container_of(work, struct vduse_vq, kick));
}

/* Deliver a used-buffer interrupt as a device would: bottom halves off. */
static void vduse_vq_inject_work(struct work_struct *work)
{
	struct vduse_vq *vq = container_of(work, struct vduse_vq, inject);
	struct vduse_dev *dev = vq->dev;

	down_read(&dev->rwsem);
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && vq->ready && vq->vq) {
		local_bh_disable();
		vring_interrupt(0, vq->vq);
		local_bh_enable();
	}
	up_read(&dev->rwsem);
}

static void vduse_config_inject_work(struct work_struct *work)
{
	struct vduse_dev *dev = container_of(work, struct vduse_dev,
					     config_inject);

	down_read(&dev->rwsem);
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && dev->vdev) {
		local_bh_disable();
		virtio_config_changed(&dev->vdev->vdev);
		local_bh_enable();
	}
	up_read(&dev->rwsem);
}

void vduse_dev_init_work(struct vduse_dev *dev)
{
	u32 i;

	INIT_WORK(&dev->config_inject, vduse_config_inject_work);
	for (i = 0; i < dev->vq_num; i++) {
		INIT_WORK(&dev->vqs[i].inject, vduse_vq_inject_work);
		INIT_WORK(&dev->vqs[i].kick, vduse_vq_kick_work);
	}
}

static int vduse_dev_queue_irq(struct vduse_dev *dev, struct work_struct *work)
{
	int ret = -EINVAL;

	down_read(&dev->rwsem);
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		queue_work(vduse_irq_wq, work);
		ret = 0;
	}
	up_read(&dev->rwsem);
	return ret;
}

/* Forget what the driver set up: status, features, queues, kick eventfds. */
void vduse_dev_reset(struct vduse_dev *dev)
{
	u32 i;

	down_write(&dev->rwsem);
	dev->status = 0;
	dev->driver_features = 0;
	dev->generation++;
	for (i = 0; i < dev->vq_num; i++) {
		struct vduse_vq *vq = &dev->vqs[i];

		spin_lock_irq(&vq->kick_lock);
		vq->ready = false;
		vq->kicked = false;
		if (vq->kickfd)
			eventfd_ctx_put(vq->kickfd);
		vq->kickfd = NULL;
		spin_unlock_irq(&vq->kick_lock);
		vq->num = 0;
		vq->desc_addr = 0;
		vq->driver_addr = 0;
		vq->device_addr = 0;
		vq->avail_index = 0;
	}
	up_write(&dev->rwsem);

	flush_work(&dev->config_inject);
	for (i = 0; i < dev->vq_num; i++) {
		flush_work(&dev->vqs[i].inject);
		flush_work(&dev->vqs[i].kick);
	}
}

bool vduse_dev_is_ready(struct vduse_dev *dev)
{
	u32 i;

	for (i = 0; i < dev->vq_num; i++)
		if (!dev->vqs[i].num_max)
			return false;
	return true;
}

static long vduse_ioctl_get_fd(struct vduse_dev *dev, void __user *argp)
{
	struct vduse_iotlb_entry entry;
	struct file *f = NULL;
	bool is_bounce;
	int ret, fd;

	if (copy_from_user(&entry, argp, sizeof(entry)))
		return -EFAULT;
	if (entry.start > entry.last)
		return -EINVAL;

	mutex_lock(&dev->domain_lock);
	ret = -EINVAL;
	if (dev->domain)
		ret = vduse_domain_find(dev->domain, entry.start, entry.last,
					&entry.start, &entry.last,
					&entry.offset, &is_bounce);
	if (!ret)
		f = get_file(vduse_domain_file(dev->domain));
	mutex_unlock(&dev->domain_lock);
	if (ret)
		return ret;

	entry.perm = VDUSE_ACCESS_RW;
	if (copy_to_user(argp, &entry, sizeof(entry))) {
		fput(f);
		return -EFAULT;
	}
	fd = get_unused_fd_flags(0);
	if (fd < 0) {
		fput(f);
		return fd;
	}
	fd_install(fd, f);
	return fd;
}

static long vduse_ioctl_get_info(struct vduse_dev *dev, void __user *argp)
{
	struct vduse_iova_info info;
	bool is_bounce;
	u64 offset;
	int ret;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.start > info.last ||
	    !vduse_mem_is_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;

	mutex_lock(&dev->domain_lock);
	ret = -EINVAL;
	if (dev->domain)
		ret = vduse_domain_find(dev->domain, info.start, info.last,
					&info.start, &info.last, &offset,
					&is_bounce);
	mutex_unlock(&dev->domain_lock);
	if (ret)
		return ret;

	info.capability = is_bounce ? VDUSE_IOVA_CAP_UMEM : 0;
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long vduse_ioctl_umem(struct vduse_dev *dev, void __user *argp,
			     bool reg)
{
	struct vduse_iova_umem umem;
	int ret;

	if (copy_from_user(&umem, argp, sizeof(umem)))
		return -EFAULT;
	if (!vduse_mem_is_zero(umem.reserved, sizeof(umem.reserved)))
		return -EINVAL;

	mutex_lock(&dev->domain_lock);
	if (!dev->domain)
		ret = reg ? -EINVAL : -ENOENT;
	else if (reg)
		ret = vduse_domain_reg_umem(dev->domain, umem.iova, umem.uaddr,
					    umem.size);
	else
		ret = vduse_domain_dereg_umem(dev->domain, umem.iova,
					      umem.size);
	mutex_unlock(&dev->domain_lock);
	return ret;
}

static long vduse_ioctl_set_config(struct vduse_dev *dev, void __user *argp)
{
	size_t hdr = offsetof(struct vduse_config_data, buffer);
	struct vduse_config_data data;
	void *buf;

	if (copy_from_user(&data, argp, hdr))
		return -EFAULT;
	if (data.length == 0 || data.offset > dev->config_size ||
	    data.length > dev->config_size - data.offset)
		return -EINVAL;

	buf = memdup_user(argp + hdr, data.length);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	spin_lock_irq(&dev->config_lock);
	memcpy(dev->config + data.offset, buf, data.length);
	dev->generation++;
	spin_unlock_irq(&dev->config_lock);
	kfree(buf);
	return 0;
}

static long vduse_ioctl_vq_setup(struct vduse_dev *dev, void __user *argp)
{
	struct vduse_vq_config config;
	u32 index;

	if (copy_from_user(&config, argp, sizeof(config)))
		return -EFAULT;
	if (config.index >= dev->vq_num ||
	    !vduse_mem_is_zero(config.reserved, sizeof(config.reserved)))
		return -EINVAL;
	/*
	 * The driver may pick a packed ring, whose size is the one offered:
	 * bit 15 of its indexes is the wrap counter, so it holds 32768
	 * entries at most. Split rings are rounded down to a power of two.
	 */
	if ((dev->device_features & BIT_ULL(VIRTIO_F_RING_PACKED)) &&
	    config.max_size > VDUSE_PACKED_MAX_SIZE)
		return -EINVAL;

	index = array_index_nospec(config.index, dev->vq_num);
	dev->vqs[index].num_max = config.max_size;
	return 0;
}

static long vduse_ioctl_vq_get_info(struct vduse_dev *dev, void __user *argp)
{
	struct vduse_vq_info info;
	struct vduse_vq *vq;
	u32 index;

	if (copy_from_user(&info, argp, sizeof(info)))
		return -EFAULT;
	if (info.index >= dev->vq_num)
		return -EINVAL;

	index = array_index_nospec(info.index, dev->vq_num);
	vq = &dev->vqs[index];
	memset(&info, 0, sizeof(info));
	down_read(&dev->rwsem);
	info.index = index;
	info.num = vq->num;
	info.desc_addr = vq->desc_addr;
	info.driver_addr = vq->driver_addr;
	info.device_addr = vq->device_addr;
	if (dev->driver_features & BIT_ULL(VIRTIO_F_RING_PACKED)) {
		/* a fresh packed ring: both wrap counters start at 1 */
		info.packed.last_avail_counter = 1;
		info.packed.last_avail_idx = vq->avail_index;
		info.packed.last_used_counter = 1;
		info.packed.last_used_idx = vq->avail_index;
	} else {
		info.split.avail_index = vq->avail_index;
	}
	info.ready = vq->ready;
	up_read(&dev->rwsem);

	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long vduse_ioctl_kickfd(struct vduse_dev *dev, void __user *argp)
{
	struct vduse_vq_eventfd efd;
	struct eventfd_ctx *ctx = NULL;
	struct vduse_vq *vq;

	if (copy_from_user(&efd, argp, sizeof(efd)))
		return -EFAULT;
	if (efd.index >= dev->vq_num)
		return -EINVAL;
	vq = &dev->vqs[array_index_nospec(efd.index, dev->vq_num)];

	if (efd.fd >= 0) {
		ctx = eventfd_ctx_fdget(efd.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else if (efd.fd != VDUSE_EVENTFD_DEASSIGN) {
		return 0;
	}

	spin_lock_irq(&vq->kick_lock);
	if (vq->kickfd)
		eventfd_ctx_put(vq->kickfd);
	vq->kickfd = ctx;
	if (vq->ready && vq->kicked && ctx) {
		eventfd_signal(ctx, 1);
		vq->kicked = false;
	}
	spin_unlock_irq(&vq->kick_lock);
	return 0;
}

static long vduse_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct vduse_dev *dev = file->private_data;
	void __user *argp = (void __user *)arg;
	u32 index;

	if (unlikely(dev->broken))
		return -EPERM;

	switch (cmd) {
	case VDUSE_IOTLB_GET_FD:
		return vduse_ioctl_get_fd(dev, argp);
	case VDUSE_DEV_GET_FEATURES:
		return put_user(dev->driver_features, (u64 __user *)argp);
	case VDUSE_DEV_SET_CONFIG:
		return vduse_ioctl_set_config(dev, argp);
	case VDUSE_DEV_INJECT_CONFIG_IRQ:
		return vduse_dev_queue_irq(dev, &dev->config_inject);
	case VDUSE_VQ_SETUP:
		return vduse_ioctl_vq_setup(dev, argp);
	case VDUSE_VQ_GET_INFO:
		return vduse_ioctl_vq_get_info(dev, argp);
	case VDUSE_VQ_SETUP_KICKFD:
		return vduse_ioctl_kickfd(dev, argp);
	case VDUSE_VQ_INJECT_IRQ:
		if (get_user(index, (u32 __user *)argp))
			return -EFAULT;
		if (index >= dev->vq_num)
			return -EINVAL;
		index = array_index_nospec(index, dev->vq_num);
		return vduse_dev_queue_irq(dev, &dev->vqs[index].inject);
	case VDUSE_IOTLB_REG_UMEM:
		return vduse_ioctl_umem(dev, argp, true);
	case VDUSE_IOTLB_DEREG_UMEM:
		return vduse_ioctl_umem(dev, argp, false);
	case VDUSE_IOTLB_GET_INFO:
		return vduse_ioctl_get_info(dev, argp);
	default:
		return -ENOIOCTLCMD;
	}
}

static int vduse_dev_open(struct inode *inode, struct file *file)
{
	struct vduse_dev *dev;
	int ret = -ENODEV;

	mutex_lock(&vduse_lock);
	dev = vduse_dev_by_minor(iminor(inode));
	if (!dev)
		goto out;
	mutex_lock(&dev->lock);
	if (dev->destroying) {
		ret = -ENODEV;
	} else if (dev->connected) {
		ret = -EBUSY;
	} else {
		dev->connected = true;
		file->private_data = dev;
		ret = 0;
	}
	mutex_unlock(&dev->lock);
out:
	mutex_unlock(&vduse_lock);
	return ret;
}

static int vduse_dev_release(struct inode *inode, struct file *file)
{
	struct vduse_dev *dev = file->private_data;

	mutex_lock(&dev->domain_lock);
	if (dev->domain)
		vduse_domain_dereg_umem(dev->domain, 0,
					vduse_domain_bounce_size(dev->domain));
	mutex_unlock(&dev->domain_lock);

	/* a new server answers what the old one read but did not answer */
	spin_lock(&dev->msg_lock);
	list_splice_init(&dev->recv_list, &dev->send_list);
	spin_unlock(&dev->msg_lock);

	mutex_lock(&dev->lock);
	dev->connected = false;
	mutex_unlock(&dev->lock);
	return 0;
}

const struct file_operations vduse_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= vduse_dev_open,
	.release	= vduse_dev_release,
	.read_iter	= vduse_dev_read_iter,
	.write_iter	= vduse_dev_write_iter,
	.poll		= vduse_dev_poll,
	.unlocked_ioctl	= vduse_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * The two attributes, msg_timeout (seconds, 0 = wait forever) and
 * bounce_size (bytes, until the first attach), share one show and one store.
 */
static bool vduse_attr_is_timeout(struct device_attribute *attr)
{
	return !strcmp(attr->attr.name, "msg_timeout");
}

static ssize_t vduse_attr_show(struct device *d, struct device_attribute *attr,
			       char *buf)
{
	struct vduse_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%u\n", vduse_attr_is_timeout(attr) ?
			  READ_ONCE(dev->msg_timeout) : dev->bounce_size);
}

static ssize_t vduse_attr_store(struct device *d, struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct vduse_dev *dev = dev_get_drvdata(d);
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 10, &val);
	if (ret)
		return ret;
	if (vduse_attr_is_timeout(attr)) {
		WRITE_ONCE(dev->msg_timeout, val);
		return count;
	}
	if (val < VDUSE_MIN_BOUNCE_SIZE || val > VDUSE_MAX_BOUNCE_SIZE)
		return -EINVAL;

	mutex_lock(&dev->domain_lock);
	if (dev->domain) {
		ret = -EPERM;
	} else {
		dev->bounce_size = val & PAGE_MASK;
		ret = count;
	}
	mutex_unlock(&dev->domain_lock);
	return ret;
}

static struct device_attribute dev_attr_msg_timeout =
	__ATTR(msg_timeout, 0644, vduse_attr_show, vduse_attr_store);
static struct device_attribute dev_attr_bounce_size =
	__ATTR(bounce_size, 0644, vduse_attr_show, vduse_attr_store);

static struct attribute *vduse_dev_attrs[] = {
	&dev_attr_msg_timeout.attr,
	&dev_attr_bounce_size.attr,
	NULL
};

static const struct attribute_group vduse_dev_group = {
	.attrs = vduse_dev_attrs,
};

const struct attribute_group *vduse_dev_groups[] = {
	&vduse_dev_group,
	NULL
};
