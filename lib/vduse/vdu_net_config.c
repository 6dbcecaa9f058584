/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtio-net config space and feature set a device offers. */
#include <errno.h>
#include <string.h>

#include <endian.h>
#include <linux/virtio_config.h>

#include "vdu_priv.h"

#define BIT(n) (1ULL << (n))

/* Offered on every device: the kernel requires the first two for VDUSE net. */
#define VDU_NET_BASE_FEATURES                                                              \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM) | BIT(VIRTIO_NET_F_MAC) | \
	 BIT(VIRTIO_NET_F_STATUS))

/* Offload features that the virtio spec lets a device offer only with another one. */
static const struct {
	unsigned int feature;
	unsigned int needs;
	const char *name;
	const char *needs_name;
} feature_deps[] = {
	{VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM, "HOST_TSO4", "CSUM"},
	{VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM, "HOST_TSO6", "CSUM"},
	{VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM, "GUEST_TSO4", "GUEST_CSUM"},
	{VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM, "GUEST_TSO6", "GUEST_CSUM"},
	{VIRTIO_NET_F_HOST_USO, VIRTIO_NET_F_CSUM, "HOST_USO", "CSUM"},
	{VIRTIO_NET_F_GUEST_USO4, VIRTIO_NET_F_GUEST_CSUM, "GUEST_USO4", "GUEST_CSUM"},
	{VIRTIO_NET_F_GUEST_USO6, VIRTIO_NET_F_GUEST_CSUM, "GUEST_USO6", "GUEST_CSUM"},
};

static bool name_valid(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	/* The name becomes a path under /dev/vduse and a sysfs entry. */
	return len > 0 && len < VDUSE_NAME_MAX && strchr(name, '/') == NULL &&
	       strcmp(name, "control") != 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int vdu_net_config_build(const struct vdu_net_params *p, struct virtio_net_config *config,
			 uint64_t *features)
{
	uint64_t f = VDU_NET_BASE_FEATURES | p->features;
	size_t i;

	if (!name_valid(p->name)) {
		vdu_log(VDU_LOG_ERR, "invalid device name '%s': use 1 to %d characters without '/'",
			p->name != NULL ? p->name : "", VDUSE_NAME_MAX - 1);
		return -EINVAL;
	}
	if (p->features & ~VDU_NET_OPTIONAL_FEATURES) {
		vdu_log(VDU_LOG_ERR,
			"%s: features %#llx cannot be offered: choose among %#llx "
			"(VDU_NET_OPTIONAL_FEATURES)",
			p->name, (unsigned long long)(p->features & ~VDU_NET_OPTIONAL_FEATURES),
			(unsigned long long)VDU_NET_OPTIONAL_FEATURES);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(feature_deps) / sizeof(feature_deps[0]); i++) {
		if ((f & BIT(feature_deps[i].feature)) && !(f & BIT(feature_deps[i].needs))) {
			vdu_log(VDU_LOG_ERR, "%s: feature %s needs %s: offer both or neither",
				p->name, feature_deps[i].name, feature_deps[i].needs_name);
			return -EINVAL;
		}
	}
	if (p->queue_size < 2 || p->queue_size > 32768 || (p->queue_size & (p->queue_size - 1))) {
		vdu_log(VDU_LOG_ERR, "%s: queue size %u is not a power of two in 2..32768", p->name,
			p->queue_size);
		return -EINVAL;
	}
	/* 68 is the smallest MTU of IPv4; virtio_net refuses less. */
	if (p->mtu != 0 && p->mtu < 68) {
		vdu_log(VDU_LOG_ERR, "%s: MTU %u is below 68", p->name, p->mtu);
		return -EINVAL;
	}
	if (p->mtu != 0)
		f |= BIT(VIRTIO_NET_F_MTU);

	/* VERSION_1 devices are little endian. */
	memset(config, 0, sizeof(*config));
	memcpy(config->mac, p->mac, sizeof(config->mac));
	config->status = htole16(p->link_up ? VIRTIO_NET_S_LINK_UP : 0);
	config->max_virtqueue_pairs = htole16(1);
	config->mtu = htole16(p->mtu);
	config->speed = htole32(UINT32_MAX); /* unknown */
	config->duplex = 0xff;		     /* unknown */
	*features = f;
	return 0;
}
