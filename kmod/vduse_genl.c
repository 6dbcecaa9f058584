// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: the part of the "vdpa" generic netlink
 * family that attaching VDUSE devices needs (what iproute2's vdpa tool sends
 * for "mgmtdev show", "dev add", "dev del" and "dev show"). Commands and
 * attributes are those of include/uapi/linux/vdpa.h. The only management
 * device is "vduse", without a bus; its devices are named after the VDUSE
 * device they attach.
 */
#include <linux/netlink.h>
#include <linux/virtio_ids.h>
#include <net/genetlink.h>
#include <uapi/linux/vdpa.h>

#include "vduse_core.h"

#define VDUSE_MGMTDEV_NAME "vduse"

static struct genl_family vduse_genl_family;

/*
 * The family runs its commands in parallel (attaching waits for userspace,
 * which must not hold up every other generic netlink family); this
 * serializes attach and detach.
 */
static DEFINE_MUTEX(vduse_attach_lock);

static const struct nla_policy vduse_genl_policy[VDPA_ATTR_MAX + 1] = {
	[VDPA_ATTR_MGMTDEV_BUS_NAME] = { .type = NLA_NUL_STRING },
	[VDPA_ATTR_MGMTDEV_DEV_NAME] = { .type = NLA_STRING },
	[VDPA_ATTR_DEV_NAME] = { .type = NLA_STRING },
	[VDPA_ATTR_DEV_NET_CFG_MACADDR] = NLA_POLICY_ETH_ADDR,
	[VDPA_ATTR_DEV_NET_CFG_MAX_VQP] = { .type = NLA_U16 },
	[VDPA_ATTR_DEV_NET_CFG_MTU] = NLA_POLICY_MIN(NLA_U16, 68),
	[VDPA_ATTR_DEV_QUEUE_INDEX] = { .type = NLA_U32 },
	[VDPA_ATTR_DEV_FEATURES] = { .type = NLA_U64 },
};

/* The request names the management device "vduse" (and no bus). */
static int vduse_genl_check_mgmtdev(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	if (!attrs[VDPA_ATTR_MGMTDEV_DEV_NAME])
		return -EINVAL;
	if (attrs[VDPA_ATTR_MGMTDEV_BUS_NAME] ||
	    nla_strcmp(attrs[VDPA_ATTR_MGMTDEV_DEV_NAME], VDUSE_MGMTDEV_NAME))
		return -ENODEV;
	return 0;
}

/* The device name of the request, NUL-terminated in @name. */
static int vduse_genl_dev_name(struct genl_info *info,
			       char name[VDUSE_NAME_MAX])
{
	struct nlattr *attr = info->attrs[VDPA_ATTR_DEV_NAME];

	if (!attr || nla_strscpy(name, attr, VDUSE_NAME_MAX) < 0)
		return -EINVAL;
	return 0;
}

static int vduse_genl_fill_mgmtdev(struct sk_buff *msg, u32 portid, u32 seq,
				   int flags)
{
	u64 classes = BIT_ULL(VIRTIO_ID_NET) | BIT_ULL(VIRTIO_ID_BLOCK);
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &vduse_genl_family, flags,
			  VDPA_CMD_MGMTDEV_NEW);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(msg, VDPA_ATTR_MGMTDEV_DEV_NAME, VDUSE_MGMTDEV_NAME) ||
	    nla_put_u64_64bit(msg, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES, classes,
			      VDPA_ATTR_PAD) ||
	    nla_put_u32(msg, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS, 0) ||
	    nla_put_u64_64bit(msg, VDPA_ATTR_DEV_SUPPORTED_FEATURES, 0,
			      VDPA_ATTR_PAD)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int vduse_genl_mgmtdev_get_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	struct sk_buff *msg;
	int ret;

	ret = vduse_genl_check_mgmtdev(info);
	if (ret)
		return ret;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = vduse_genl_fill_mgmtdev(msg, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int vduse_genl_mgmtdev_get_dumpit(struct sk_buff *msg,
					 struct netlink_callback *cb)
{
	int ret;

	if (cb->args[0])
		return 0;
	ret = vduse_genl_fill_mgmtdev(msg, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI);
	if (ret)
		return ret;
	cb->args[0] = 1;
	return msg->len;
}

static u16 vduse_dev_max_vq_size(struct vduse_dev *dev)
{
	u16 max = 0;
	u32 i;

	for (i = 0; i < dev->vq_num; i++)
		max = max_t(u16, max, dev->vqs[i].num_max);
	return max;
}

/* Called with vduse_lock held. */
static int vduse_genl_fill_dev(struct sk_buff *msg, struct vduse_dev *dev,
			       u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &vduse_genl_family, flags,
			  VDPA_CMD_DEV_NEW);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(msg, VDPA_ATTR_MGMTDEV_DEV_NAME, VDUSE_MGMTDEV_NAME) ||
	    nla_put_string(msg, VDPA_ATTR_DEV_NAME, dev->name) ||
	    nla_put_u32(msg, VDPA_ATTR_DEV_ID, dev->device_id) ||
	    nla_put_u32(msg, VDPA_ATTR_DEV_VENDOR_ID, dev->vendor_id) ||
	    nla_put_u32(msg, VDPA_ATTR_DEV_MAX_VQS, dev->vq_num) ||
	    nla_put_u16(msg, VDPA_ATTR_DEV_MAX_VQ_SIZE,
			vduse_dev_max_vq_size(dev)) ||
	    nla_put_u16(msg, VDPA_ATTR_DEV_MIN_VQ_SIZE, 1)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int vduse_genl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[VDUSE_NAME_MAX];
	struct vduse_dev *dev;
	struct sk_buff *msg;
	int ret;

	ret = vduse_genl_dev_name(info, name);
	if (ret)
		return ret;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&vduse_lock);
	dev = vduse_find_dev(name);
	if (!dev || !dev->vdpa)
		ret = -ENODEV;
	else
		ret = vduse_genl_fill_dev(msg, dev, info->snd_portid,
					  info->snd_seq, 0);
	mutex_unlock(&vduse_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int vduse_genl_dev_get_dumpit(struct sk_buff *msg,
				     struct netlink_callback *cb)
{
	struct vduse_dev *dev;
	int id = cb->args[0];
	int ret = 0;

	mutex_lock(&vduse_lock);
	for (; (dev = vduse_next_dev(&id)); id++) {
		if (!dev->vdpa)
			continue;
		ret = vduse_genl_fill_dev(msg, dev, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
	}
	mutex_unlock(&vduse_lock);
	cb->args[0] = id;
	return ret && !msg->len ? ret : msg->len;
}

/* Attach (vdpa dev add) or detach (dev del) the VDUSE device called name. */
static int vduse_genl_attach(struct genl_info *info, const char *name,
			     bool add)
{
	struct vduse_dev *dev;
	int ret = 0;

	mutex_lock(&vduse_attach_lock);
	mutex_lock(&vduse_lock);
	dev = vduse_find_dev(name);
	if (add && !dev) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such vduse device");
		ret = -EINVAL;
	} else if (add) {
		ret = vduse_vdpa_add(dev);
	} else if (!dev || !dev->vdpa) {
		NL_SET_ERR_MSG_MOD(info->extack, "device not found");
		ret = -ENODEV;
	} else {
		vduse_vdpa_del(dev);
	}
	mutex_unlock(&vduse_lock);
	mutex_unlock(&vduse_attach_lock);
	return ret;
}

static int vduse_genl_dev_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	char name[VDUSE_NAME_MAX];
	int ret;

	ret = vduse_genl_dev_name(info, name);
	if (ret)
		return ret;
	ret = vduse_genl_check_mgmtdev(info);
	if (ret)
		return ret;
	/* the device's configuration comes from VDUSE_CREATE_DEV only */
	if (attrs[VDPA_ATTR_DEV_NET_CFG_MACADDR] ||
	    attrs[VDPA_ATTR_DEV_NET_CFG_MTU] ||
	    attrs[VDPA_ATTR_DEV_NET_CFG_MAX_VQP] ||
	    attrs[VDPA_ATTR_DEV_FEATURES]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "vduse devices take no configuration attributes");
		return -EOPNOTSUPP;
	}

	return vduse_genl_attach(info, name, true);
}

static int vduse_genl_dev_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[VDUSE_NAME_MAX];
	int ret;

	ret = vduse_genl_dev_name(info, name);
	if (ret)
		return ret;
	return vduse_genl_attach(info, name, false);
}

/* Every command is parsed by the family's policy, strictly or not. */
#define VDUSE_GENL_OP(_cmd, _doit, _dumpit, _flags) {			\
	.cmd = _cmd,							\
	.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,	\
	.doit = _doit,							\
	.dumpit = _dumpit,						\
	.flags = _flags,						\
}

static const struct genl_small_ops vduse_genl_ops[] = {
	VDUSE_GENL_OP(VDPA_CMD_MGMTDEV_GET, vduse_genl_mgmtdev_get_doit,
		      vduse_genl_mgmtdev_get_dumpit, 0),
	VDUSE_GENL_OP(VDPA_CMD_DEV_NEW, vduse_genl_dev_new_doit, NULL,
		      GENL_ADMIN_PERM),
	VDUSE_GENL_OP(VDPA_CMD_DEV_DEL, vduse_genl_dev_del_doit, NULL,
		      GENL_ADMIN_PERM),
	VDUSE_GENL_OP(VDPA_CMD_DEV_GET, vduse_genl_dev_get_doit,
		      vduse_genl_dev_get_dumpit, 0),
};

static struct genl_family vduse_genl_family __ro_after_init = {
	.name = VDPA_GENL_NAME,
	.version = VDPA_GENL_VERSION,
	.maxattr = VDPA_ATTR_MAX,
	.policy = vduse_genl_policy,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = vduse_genl_ops,
	.n_small_ops = ARRAY_SIZE(vduse_genl_ops),
	.resv_start_op = VDPA_CMD_DEV_VSTATS_GET + 1,
};

int vduse_genl_init(void)
{
	int ret = genl_register_family(&vduse_genl_family);

	if (ret == -EEXIST)
		pr_err("vduse: a \"vdpa\" netlink family exists already; this kernel has vDPA, use its vduse\n");
	return ret;
}

void vduse_genl_exit(void)
{
	genl_unregister_family(&vduse_genl_family);
}
