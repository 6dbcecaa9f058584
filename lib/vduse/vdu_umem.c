/* SPDX-License-Identifier: BSD-3-Clause */
/* Hugepage memory registered as the bounce buffer (VDUSE_IOTLB_REG_UMEM). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "vdu_priv.h"

static int umem_alloc(struct vdu_dev *dev, struct vdu_umem *umem, uint64_t size)
{
	int fd = memfd_create("vduse-bounce", MFD_CLOEXEC | MFD_HUGETLB);
	void *addr;
	int ret;

	if (fd < 0) {
		ret = -errno;
		VDU_WARN(dev, "no hugetlb memfd: %s", strerror(-ret));
		return ret;
	}
	/* A shared hugetlb mapping reserves its pages now, or fails. */
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		ret = -errno;
		close(fd);
		VDU_WARN(dev,
			 "cannot get %llu MiB of hugepages: %s; reserve them with "
			 "/proc/sys/vm/nr_hugepages",
			 (unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	close(fd);
	/* Place the pages before the first touch faults them in. */
	umem->node = -1;
	if (dev->numa_node >= 0 && numa_available() >= 0 && dev->numa_node <= numa_max_node()) {
		numa_tonode_memory(addr, size, dev->numa_node);
		umem->node = dev->numa_node;
	} else if (dev->numa_node >= 0) {
		VDU_WARN(dev, "NUMA node %d does not exist: bounce buffer placed by the kernel",
			 dev->numa_node);
	}
	memset(addr, 0, size);
	umem->addr = addr;
	umem->size = size;
	return 0;
}

/* Pinned pages count against RLIMIT_MEMLOCK, even for root. */
static void raise_memlock(struct vdu_dev *dev, uint64_t size)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	rl.rlim_cur += size;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		VDU_WARN(dev, "cannot raise RLIMIT_MEMLOCK by %llu MiB: %s",
			 (unsigned long long)(size >> 20), strerror(errno));
}

int vdu_umem_register(struct vdu_dev *dev, uint64_t size)
{
	struct vdu_umem *umem = &dev->umem;
	struct vduse_iova_umem reg = {.iova = 0, .size = size};
	int ret;

	ret = umem_alloc(dev, umem, size);
	if (ret < 0)
		goto fail;
	raise_memlock(dev, size);
	reg.uaddr = (uintptr_t)umem->addr;
	if (ioctl(dev->dev_fd, VDUSE_IOTLB_REG_UMEM, &reg) < 0) {
		ret = -errno;
		VDU_WARN(dev, "VDUSE_IOTLB_REG_UMEM of %llu MiB failed: %s",
			 (unsigned long long)(size >> 20), strerror(-ret));
		goto fail;
	}
	umem->registered = true;
	if (umem->node >= 0)
		VDU_INFO(dev,
			 "bounce buffer: %llu MiB of hugepages on node %d (VDUSE_IOTLB_REG_UMEM)",
			 (unsigned long long)(size >> 20), umem->node);
	else
		VDU_INFO(dev, "bounce buffer: %llu MiB of hugepages (VDUSE_IOTLB_REG_UMEM)",
			 (unsigned long long)(size >> 20));
	return 0;
fail:
	vdu_umem_free(umem);
	umem->failed = true;
	return ret;
}

void vdu_umem_free(struct vdu_umem *umem)
{
	if (umem->addr != NULL)
		munmap(umem->addr, umem->size);
	umem->addr = NULL;
	umem->registered = false;
}
