/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the IOVA region table (lib/virtio/vq_mem.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vq_mem.h"

static uint8_t mem_a[4096], mem_b[4096];

static void test_add_keeps_order_and_rejects_overlap(void **state)
{
	struct vq_mem_table t;

	(void)state;
	vq_mem_table_init(&t);
	assert_int_equal(vq_mem_table_add(&t, 0x2000, 0x2fff, mem_b, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_add(&t, 0x1000, 0x1fff, mem_a, VQ_MEM_READ | VQ_MEM_WRITE),
			 0);
	assert_int_equal(t.nregions, 2);
	assert_int_equal(t.regions[0].iova_start, 0x1000);
	assert_int_equal(t.regions[1].iova_start, 0x2000);
	/* Closed ranges: sharing one byte is an overlap. */
	assert_int_equal(vq_mem_table_add(&t, 0x2fff, 0x3fff, mem_a, VQ_MEM_READ), -EEXIST);
	assert_int_equal(vq_mem_table_add(&t, 0x0, 0x1000, mem_a, VQ_MEM_READ), -EEXIST);
	assert_int_equal(vq_mem_table_add(&t, 0x3000, 0x2fff, mem_a, VQ_MEM_READ), -EINVAL);
	assert_int_equal(vq_mem_table_add(&t, 0x3000, 0x3fff, mem_a, 0), -EINVAL);
	assert_int_equal(vq_mem_table_add(&t, 0x3000, 0x3fff, NULL, VQ_MEM_READ), -EINVAL);
	assert_int_equal(t.nregions, 2);
}

static void test_table_full(void **state)
{
	struct vq_mem_table t;
	uint64_t i;

	(void)state;
	vq_mem_table_init(&t);
	for (i = 0; i < VQ_MEM_MAX_REGIONS; i++)
		assert_int_equal(
			vq_mem_table_add(&t, i * 0x1000, i * 0x1000 + 0xfff, mem_a, VQ_MEM_READ),
			0);
	assert_int_equal(vq_mem_table_add(&t, 0x100000, 0x100fff, mem_a, VQ_MEM_READ), -ENOSPC);
}

static void test_lookup_boundaries(void **state)
{
	struct vq_mem_table t;

	(void)state;
	vq_mem_table_init(&t);
	assert_int_equal(vq_mem_table_add(&t, 0x1000, 0x1fff, mem_a, VQ_MEM_READ), 0);
	assert_null(vq_mem_lookup(&t, 0xfff));
	assert_ptr_equal(vq_mem_lookup(&t, 0x1000), &t.regions[0]);
	assert_ptr_equal(vq_mem_lookup(&t, 0x1fff), &t.regions[0]);
	assert_null(vq_mem_lookup(&t, 0x2000));
}

static void test_translate_checks_length_and_permission(void **state)
{
	struct vq_mem_table t;

	(void)state;
	vq_mem_table_init(&t);
	assert_int_equal(vq_mem_table_add(&t, 0x1000, 0x1fff, mem_a, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_add(&t, UINT64_MAX - 0xfff, UINT64_MAX, mem_b,
					  VQ_MEM_READ | VQ_MEM_WRITE),
			 0);
	assert_ptr_equal(vq_mem_translate(&t, 0x1010, 16, VQ_MEM_READ), mem_a + 0x10);
	assert_ptr_equal(vq_mem_translate(&t, 0x1000, 0x1000, VQ_MEM_READ), mem_a);
	assert_null(vq_mem_translate(&t, 0x1000, 0x1001, VQ_MEM_READ));
	assert_null(vq_mem_translate(&t, 0x1ff0, 17, VQ_MEM_READ));
	assert_null(vq_mem_translate(&t, 0x1010, 16, VQ_MEM_WRITE));
	assert_null(vq_mem_translate(&t, 0x3000, 1, VQ_MEM_READ));
	/* The top of the address space: no wrap to zero. */
	assert_ptr_equal(vq_mem_translate(&t, UINT64_MAX, 1, VQ_MEM_WRITE), mem_b + 0xfff);
	assert_null(vq_mem_translate(&t, UINT64_MAX, 2, VQ_MEM_WRITE));
	assert_null(vq_mem_translate(&t, UINT64_MAX - 0xfff, UINT64_MAX, VQ_MEM_READ));
}

static void test_remove_overlapping(void **state)
{
	struct vq_mem_table t;

	(void)state;
	vq_mem_table_init(&t);
	assert_int_equal(vq_mem_table_add(&t, 0x1000, 0x1fff, mem_a, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_add(&t, 0x2000, 0x2fff, mem_a, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_add(&t, 0x4000, 0x4fff, mem_a, VQ_MEM_READ), 0);
	assert_int_equal(vq_mem_table_remove(&t, 0x3000, 0x3fff), 0);
	assert_int_equal(vq_mem_table_remove(&t, 0x1fff, 0x2000), 2);
	assert_int_equal(t.nregions, 1);
	assert_int_equal(t.regions[0].iova_start, 0x4000);
	assert_null(vq_mem_lookup(&t, 0x1800));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_keeps_order_and_rejects_overlap),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_lookup_boundaries),
		cmocka_unit_test(test_translate_checks_length_and_permission),
		cmocka_unit_test(test_remove_overlapping),
	};

	return cmocka_run_group_tests_name("vq_mem", tests, NULL, NULL);
}
