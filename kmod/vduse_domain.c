// SPDX-License-Identifier: GPL-2.0-only
/*
 * VDUSE for kernels without vDPA: the IOVA domain of a device and the DMA
 * operations of the virtio driver bound to it.
 *
 * IOVA [0, bounce_size - 1] is the bounce area: a streaming mapping takes
 * free pages there and the data is copied between the driver's buffer and
 * the bounce pages (on map for data going to the device, on unmap or sync
 * for data coming back). Coherent allocations (the vrings) are kernel pages
 * given IOVAs above the bounce area. Userspace sees both through one file,
 * whose offset is the IOVA, obtained with VDUSE_IOTLB_GET_FD.
 */
#include <linux/anon_inodes.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vduse_core.h"

#define VDUSE_NO_ORIG	((phys_addr_t)-1)

/* One page of the bounce area. */
struct vduse_bounce_page {
	struct page *kpage;	/* kernel page, allocated on first use */
	struct page *upage;	/* registered user page, replaces kpage */
	phys_addr_t orig;	/* page of the mapped buffer, or VDUSE_NO_ORIG */
};

/* A coherent allocation and its IOVA [iova, iova + size - 1]. */
struct vduse_coherent {
	struct list_head list;	/* sorted by iova */
	u64 iova;
	size_t size;
	void *va;
};

struct vduse_domain {
	struct file *file;
	u64 bounce_size;
	unsigned long npages;
	spinlock_t lock;	/* bitmap, coherent list */
	unsigned long *bitmap;	/* bounce pages in use */
	unsigned long hint;	/* where the next search starts */
	struct vduse_bounce_page *pages;
	struct list_head coherent;
	rwlock_t bounce_lock;	/* copies against the kernel/user switch */
	struct page **umem;	/* registered user pages, or NULL */
	struct mm_struct *umem_mm;
};

u64 vduse_domain_bounce_size(struct vduse_domain *domain)
{
	return domain->bounce_size;
}

struct file *vduse_domain_file(struct vduse_domain *domain)
{
	return domain->file;
}

/* The DMA device is the bus device of an attached VDUSE device. */
static struct vduse_domain *vduse_dev_domain(struct device *d)
{
	return container_of(d, struct vduse_vdpa, dev)->vduse->domain;
}

static struct page *vduse_bounce_page(struct vduse_bounce_page *bp)
{
	return bp->upage ? bp->upage : bp->kpage;
}

/* Pages allocated for all domains and not yet freed (class attribute). */
atomic_long_t vduse_domain_pages = ATOMIC_LONG_INIT(0);

static int vduse_bounce_page_alloc(struct vduse_bounce_page *bp, gfp_t gfp)
{
	struct page *page;

	if (READ_ONCE(bp->kpage))
		return 0;
	page = alloc_page(gfp | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	if (cmpxchg(&bp->kpage, NULL, page))
		__free_page(page);
	else
		atomic_long_inc(&vduse_domain_pages);
	return 0;
}

/* Copy [iova, iova + size) between the bounce area and the mapped buffer. */
static void vduse_bounce_copy(struct vduse_domain *domain, u64 iova,
			      size_t size, bool to_bounce)
{
	read_lock(&domain->bounce_lock);
	while (size) {
		struct vduse_bounce_page *bp = &domain->pages[iova >> PAGE_SHIFT];
		unsigned int off = offset_in_page(iova);
		size_t len = min_t(size_t, PAGE_SIZE - off, size);
		struct page *page = vduse_bounce_page(bp);
		void *bounce, *orig;

		if (WARN_ON_ONCE(!page || bp->orig == VDUSE_NO_ORIG))
			break;
		bounce = kmap_local_page(page);
		orig = kmap_local_page(pfn_to_page(PHYS_PFN(bp->orig)));
		if (to_bounce)
			memcpy(bounce + off, orig + off, len);
		else
			memcpy(orig + off, bounce + off, len);
		kunmap_local(orig);
		kunmap_local(bounce);
		iova += len;
		size -= len;
	}
	read_unlock(&domain->bounce_lock);
}

static bool vduse_dir_to_dev(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool vduse_dir_from_dev(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static dma_addr_t vduse_map_page(struct device *d, struct page *page,
				 unsigned long offset, size_t size,
				 enum dma_data_direction dir,
				 unsigned long attrs)
{
	struct vduse_domain *domain = vduse_dev_domain(d);
	phys_addr_t phys = page_to_phys(page) + offset;
	unsigned long start, npages, i, flags;
	u64 iova;

	if (!domain || !size || size > domain->bounce_size)
		return DMA_MAPPING_ERROR;

	npages = PFN_UP(offset_in_page(phys) + size);
	spin_lock_irqsave(&domain->lock, flags);
	start = bitmap_find_next_zero_area(domain->bitmap, domain->npages,
					   domain->hint, npages, 0);
	if (start >= domain->npages)
		start = bitmap_find_next_zero_area(domain->bitmap,
						   domain->npages, 0, npages, 0);
	if (start >= domain->npages) {
		spin_unlock_irqrestore(&domain->lock, flags);
		return DMA_MAPPING_ERROR;
	}
	bitmap_set(domain->bitmap, start, npages);
	domain->hint = start + npages;
	spin_unlock_irqrestore(&domain->lock, flags);

	for (i = 0; i < npages; i++) {
		struct vduse_bounce_page *bp = &domain->pages[start + i];

		if (vduse_bounce_page_alloc(bp, GFP_ATOMIC)) {
			spin_lock_irqsave(&domain->lock, flags);
			bitmap_clear(domain->bitmap, start, npages);
			spin_unlock_irqrestore(&domain->lock, flags);
			return DMA_MAPPING_ERROR;
		}
		bp->orig = (phys & PAGE_MASK) + i * PAGE_SIZE;
	}

	iova = ((u64)start << PAGE_SHIFT) + offset_in_page(phys);
	if (vduse_dir_to_dev(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vduse_bounce_copy(domain, iova, size, true);
	return iova;
}

static void vduse_unmap_page(struct device *d, dma_addr_t iova, size_t size,
			     enum dma_data_direction dir, unsigned long attrs)
{
	struct vduse_domain *domain = vduse_dev_domain(d);
	unsigned long start, npages, i, flags;

	if (!domain || WARN_ON_ONCE(iova >= domain->bounce_size ||
				    size > domain->bounce_size - iova))
		return;

	if (vduse_dir_from_dev(dir) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		vduse_bounce_copy(domain, iova, size, false);

	start = iova >> PAGE_SHIFT;
	npages = PFN_UP(offset_in_page(iova) + size);
	for (i = 0; i < npages; i++)
		domain->pages[start + i].orig = VDUSE_NO_ORIG;
	spin_lock_irqsave(&domain->lock, flags);
	bitmap_clear(domain->bitmap, start, npages);
	spin_unlock_irqrestore(&domain->lock, flags);
}

static void vduse_sync_for_cpu(struct device *d, dma_addr_t iova, size_t size,
			       enum dma_data_direction dir)
{
	struct vduse_domain *domain = vduse_dev_domain(d);

	if (domain && iova < domain->bounce_size &&
	    size <= domain->bounce_size - iova && vduse_dir_from_dev(dir))
		vduse_bounce_copy(domain, iova, size, false);
}

static void vduse_sync_for_device(struct device *d, dma_addr_t iova,
				  size_t size, enum dma_data_direction dir)
{
	struct vduse_domain *domain = vduse_dev_domain(d);

	if (domain && iova < domain->bounce_size &&
	    size <= domain->bounce_size - iova && vduse_dir_to_dev(dir))
		vduse_bounce_copy(domain, iova, size, true);
}

static int vduse_map_sg(struct device *d, struct scatterlist *sgl, int nents,
			enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		sg->dma_address = vduse_map_page(d, sg_page(sg), sg->offset,
						 sg->length, dir, attrs);
		if (sg->dma_address == DMA_MAPPING_ERROR)
			goto err;
		sg_dma_len(sg) = sg->length;
	}
	return nents;
err:
	for_each_sg(sgl, sg, i, nents)
		vduse_unmap_page(d, sg->dma_address, sg_dma_len(sg), dir,
				 attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return -ENOMEM;
}

static void vduse_unmap_sg(struct device *d, struct scatterlist *sgl,
			   int nents, enum dma_data_direction dir,
			   unsigned long attrs)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vduse_unmap_page(d, sg->dma_address, sg_dma_len(sg), dir,
				 attrs);
}

static void vduse_sync_sg_for_cpu(struct device *d, struct scatterlist *sgl,
				  int nents, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vduse_sync_for_cpu(d, sg->dma_address, sg_dma_len(sg), dir);
}

static void vduse_sync_sg_for_device(struct device *d,
				     struct scatterlist *sgl, int nents,
				     enum dma_data_direction dir)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		vduse_sync_for_device(d, sg->dma_address, sg_dma_len(sg), dir);
}

static void vduse_coherent_free(struct vduse_coherent *c)
{
	free_pages_exact(c->va, c->size);
	atomic_long_sub(c->size >> PAGE_SHIFT, &vduse_domain_pages);
	kfree(c);
}

static void *vduse_alloc_coherent(struct device *d, size_t size,
				  dma_addr_t *dma_handle, gfp_t gfp,
				  unsigned long attrs)
{
	struct vduse_domain *domain = vduse_dev_domain(d);
	struct vduse_coherent *c, *pos;
	struct list_head *before;
	unsigned long flags;
	u64 next;

	*dma_handle = DMA_MAPPING_ERROR;
	if (!domain || !size)
		return NULL;
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM);
	size = PAGE_ALIGN(size);

	c = kzalloc(sizeof(*c), gfp);
	if (!c)
		return NULL;
	c->size = size;
	c->va = alloc_pages_exact(size, gfp | __GFP_ZERO);
	if (!c->va) {
		kfree(c);
		return NULL;
	}
	atomic_long_add(size >> PAGE_SHIFT, &vduse_domain_pages);

	/* first fit above the bounce area */
	spin_lock_irqsave(&domain->lock, flags);
	next = domain->bounce_size;
	before = &domain->coherent;
	list_for_each_entry(pos, &domain->coherent, list) {
		if (pos->iova - next >= size) {
			before = &pos->list;
			break;
		}
		next = pos->iova + pos->size;
	}
	if (next + size > VDUSE_IOVA_SIZE) {
		spin_unlock_irqrestore(&domain->lock, flags);
		vduse_coherent_free(c);
		return NULL;
	}
	c->iova = next;
	list_add_tail(&c->list, before);
	spin_unlock_irqrestore(&domain->lock, flags);

	*dma_handle = c->iova;
	return c->va;
}

static void vduse_free_coherent(struct device *d, size_t size, void *va,
				dma_addr_t dma_handle, unsigned long attrs)
{
	struct vduse_domain *domain = vduse_dev_domain(d);
	struct vduse_coherent *c, *found = NULL;
	unsigned long flags;

	if (!domain)
		return;
	spin_lock_irqsave(&domain->lock, flags);
	list_for_each_entry(c, &domain->coherent, list) {
		if (c->iova == dma_handle && c->va == va) {
			list_del(&c->list);
			found = c;
			break;
		}
	}
	spin_unlock_irqrestore(&domain->lock, flags);
	if (WARN_ON_ONCE(!found))
		return;
	/* pages userspace still maps stay alive until it unmaps them */
	vduse_coherent_free(found);
}

static int vduse_dma_supported(struct device *d, u64 mask)
{
	return mask >= DMA_BIT_MASK(32);
}

static size_t vduse_max_mapping_size(struct device *d)
{
	struct vduse_domain *domain = vduse_dev_domain(d);

	return domain ? domain->bounce_size : PAGE_SIZE;
}

const struct dma_map_ops vduse_dma_ops = {
	.alloc			= vduse_alloc_coherent,
	.free			= vduse_free_coherent,
	.map_page		= vduse_map_page,
	.unmap_page		= vduse_unmap_page,
	.map_sg			= vduse_map_sg,
	.unmap_sg		= vduse_unmap_sg,
	.sync_single_for_cpu	= vduse_sync_for_cpu,
	.sync_single_for_device	= vduse_sync_for_device,
	.sync_sg_for_cpu	= vduse_sync_sg_for_cpu,
	.sync_sg_for_device	= vduse_sync_sg_for_device,
	.dma_supported		= vduse_dma_supported,
	.max_mapping_size	= vduse_max_mapping_size,
};

int vduse_domain_find(struct vduse_domain *domain, u64 start, u64 last,
		      u64 *found_start, u64 *found_last, u64 *offset,
		      bool *is_bounce)
{
	struct vduse_coherent *c;
	unsigned long flags;
	int ret = -EINVAL;

	if (start < domain->bounce_size) {
		*found_start = 0;
		*found_last = domain->bounce_size - 1;
		*offset = 0;
		*is_bounce = true;
		return 0;
	}

	spin_lock_irqsave(&domain->lock, flags);
	list_for_each_entry(c, &domain->coherent, list) {
		u64 c_last = c->iova + c->size - 1;

		if (c_last < start)
			continue;
		if (c->iova > last)
			break;
		*found_start = c->iova;
		*found_last = c_last;
		*offset = c->iova;
		*is_bounce = false;
		ret = 0;
		break;
	}
	spin_unlock_irqrestore(&domain->lock, flags);
	return ret;
}

/* Userspace maps the file; a page of it is the page at that IOVA. */
static vm_fault_t vduse_domain_fault(struct vm_fault *vmf)
{
	struct vduse_domain *domain = vmf->vma->vm_file->private_data;
	u64 iova = (u64)vmf->pgoff << PAGE_SHIFT;
	struct page *page = NULL;
	struct vduse_coherent *c;
	unsigned long flags;

	if (iova < domain->bounce_size) {
		struct vduse_bounce_page *bp = &domain->pages[vmf->pgoff];

		if (vduse_bounce_page_alloc(bp, GFP_KERNEL))
			return VM_FAULT_OOM;
		/*
		 * Registered user memory belongs to the server's own
		 * mappings (anonymous memory, maybe huge pages): mapped
		 * again through this file, such a page would be counted
		 * and unmapped as a file page (bad RSS counters, a broken
		 * huge page zap). The server reaches it at the address it
		 * registered; refuse, as upstream does.
		 */
		read_lock(&domain->bounce_lock);
		if (!bp->upage) {
			page = bp->kpage;
			get_page(page);
		}
		read_unlock(&domain->bounce_lock);
		if (!page)
			return VM_FAULT_SIGBUS;
	} else {
		spin_lock_irqsave(&domain->lock, flags);
		list_for_each_entry(c, &domain->coherent, list) {
			if (iova >= c->iova && iova - c->iova < c->size) {
				page = virt_to_page(c->va + (iova - c->iova));
				get_page(page);
				break;
			}
		}
		spin_unlock_irqrestore(&domain->lock, flags);
		if (!page)
			return VM_FAULT_SIGBUS;
	}
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vduse_domain_vm_ops = {
	.fault = vduse_domain_fault,
};

static int vduse_domain_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_flags |= VM_DONTDUMP | VM_DONTEXPAND;
	vma->vm_ops = &vduse_domain_vm_ops;
	return 0;
}

static void vduse_domain_free(struct vduse_domain *domain)
{
	struct vduse_coherent *c, *tmp;
	unsigned long i;

	for (i = 0; i < domain->npages; i++)
		if (domain->pages[i].kpage) {
			__free_page(domain->pages[i].kpage);
			atomic_long_dec(&vduse_domain_pages);
		}
	list_for_each_entry_safe(c, tmp, &domain->coherent, list) {
		vduse_coherent_free(c);
	}
	kvfree(domain->pages);
	bitmap_free(domain->bitmap);
	kfree(domain);
}

static int vduse_domain_release(struct inode *inode, struct file *file)
{
	vduse_domain_free(file->private_data);
	return 0;
}

static const struct file_operations vduse_domain_fops = {
	.owner		= THIS_MODULE,
	.mmap		= vduse_domain_mmap,
	.release	= vduse_domain_release,
};

struct vduse_domain *vduse_domain_create(u64 bounce_size)
{
	struct vduse_domain *domain;
	struct file *file;
	unsigned long i;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return NULL;
	domain->bounce_size = bounce_size;
	domain->npages = bounce_size >> PAGE_SHIFT;
	spin_lock_init(&domain->lock);
	rwlock_init(&domain->bounce_lock);
	INIT_LIST_HEAD(&domain->coherent);
	domain->bitmap = bitmap_zalloc(domain->npages, GFP_KERNEL);
	domain->pages = kvcalloc(domain->npages, sizeof(*domain->pages),
				 GFP_KERNEL);
	if (!domain->bitmap || !domain->pages)
		goto err;
	for (i = 0; i < domain->npages; i++)
		domain->pages[i].orig = VDUSE_NO_ORIG;

	file = anon_inode_getfile("[vduse-domain]", &vduse_domain_fops,
				  domain, O_RDWR);
	if (IS_ERR(file))
		goto err;
	domain->file = file;
	return domain;
err:
	kvfree(domain->pages);
	bitmap_free(domain->bitmap);
	kfree(domain);
	return NULL;
}

/* The domain lives on while userspace holds its file. */
void vduse_domain_destroy(struct vduse_domain *domain)
{
	fput(domain->file);
}

int vduse_domain_reg_umem(struct vduse_domain *domain, u64 iova, u64 uaddr,
			  u64 size)
{
	unsigned long npages = domain->npages, i, limit;
	struct page **pages;
	long pinned;
	int ret;

	if (iova != 0 || size != domain->bounce_size ||
	    (uaddr & ~PAGE_MASK))
		return -EINVAL;
	if (domain->umem)
		return -EEXIST;

	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	mmap_read_lock(current->mm);
	limit = PFN_DOWN(rlimit(RLIMIT_MEMLOCK));
	ret = -ENOMEM;
	if (npages + atomic64_read(&current->mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK))
		goto out_unlock;
	pinned = pin_user_pages(uaddr, npages, FOLL_LONGTERM | FOLL_WRITE,
				pages, NULL);
	if (pinned != npages) {
		if (pinned > 0)
			unpin_user_pages(pages, pinned);
		ret = pinned < 0 ? pinned : -ENOMEM;
		goto out_unlock;
	}
	atomic64_add(npages, &current->mm->pinned_vm);
	mmap_read_unlock(current->mm);

	/* live mappings keep their data across the switch */
	write_lock_irq(&domain->bounce_lock);
	for (i = 0; i < npages; i++) {
		struct vduse_bounce_page *bp = &domain->pages[i];

		if (bp->kpage && bp->orig != VDUSE_NO_ORIG)
			copy_highpage(pages[i], bp->kpage);
		bp->upage = pages[i];
	}
	write_unlock_irq(&domain->bounce_lock);

	domain->umem = pages;
	domain->umem_mm = current->mm;
	mmgrab(current->mm);
	return 0;

out_unlock:
	mmap_read_unlock(current->mm);
	kvfree(pages);
	return ret;
}

int vduse_domain_dereg_umem(struct vduse_domain *domain, u64 iova, u64 size)
{
	unsigned long i;

	if (!domain->umem)
		return -ENOENT;
	if (iova != 0 || size != domain->bounce_size)
		return -EINVAL;

	/* a mapped page always has its kernel page: see vduse_map_page() */
	write_lock_irq(&domain->bounce_lock);
	for (i = 0; i < domain->npages; i++) {
		struct vduse_bounce_page *bp = &domain->pages[i];

		if (bp->orig != VDUSE_NO_ORIG && bp->kpage)
			copy_highpage(bp->kpage, bp->upage);
		bp->upage = NULL;
	}
	write_unlock_irq(&domain->bounce_lock);

	unpin_user_pages_dirty_lock(domain->umem, domain->npages, true);
	atomic64_sub(domain->npages, &domain->umem_mm->pinned_vm);
	mmdrop(domain->umem_mm);
	kvfree(domain->umem);
	domain->umem = NULL;
	domain->umem_mm = NULL;
	return 0;
}
