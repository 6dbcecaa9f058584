/* SPDX-License-Identifier: BSD-3-Clause */
/* The vdpa bus and VDUSE devices as sysfs shows them: drivers, netdevs, sizes. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vdu_priv.h"

#define VDPA_BUS "/sys/bus/vdpa"

static int write_attr(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int copy_name(char *buf, size_t len, const char *name)
{
	if (snprintf(buf, len, "%s", name) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static int vdu_sysfs_driver(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), VDPA_BUS "/devices/%s/driver", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -ENODEV;
	target[n] = '\0';
	return copy_name(buf, len, basename(target));
}

bool vdu_sysfs_vdpa_bus(void)
{
	return access(VDPA_BUS, F_OK) == 0;
}

bool vdu_sysfs_driver_loaded(const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), VDPA_BUS "/drivers/%s", driver);
	return access(path, F_OK) == 0;
}

/*
 * The bus binds a new device to whichever vdpa driver probes first; move it
 * to the one asked for through driver_override.
 */
int vdu_sysfs_bind(const char *name, const char *driver)
{
	char path[PATH_MAX], cur[64];
	int ret;

	if (vdu_sysfs_driver(name, cur, sizeof(cur)) == 0 && strcmp(cur, driver) == 0)
		return 0;
	snprintf(path, sizeof(path), VDPA_BUS "/devices/%s/driver_override", name);
	ret = write_attr(path, driver);
	if (ret < 0)
		return ret;
	if (vdu_sysfs_driver(name, cur, sizeof(cur)) == 0) {
		snprintf(path, sizeof(path), VDPA_BUS "/devices/%s/driver/unbind", name);
		ret = write_attr(path, name);
		if (ret < 0)
			return ret;
	}
	snprintf(path, sizeof(path), VDPA_BUS "/drivers/%s/bind", driver);
	ret = write_attr(path, name);
	if (ret < 0)
		return ret;
	if (vdu_sysfs_driver(name, cur, sizeof(cur)) < 0 || strcmp(cur, driver) != 0)
		return -ENXIO;
	return 0;
}

int vdu_sysfs_netdev(const char *name, char *buf, size_t len)
{
	char pattern[PATH_MAX];
	glob_t g;
	int ret = -ENODEV;

	snprintf(pattern, sizeof(pattern), VDPA_BUS "/devices/%s/virtio*/net/*", name);
	if (glob(pattern, 0, NULL, &g) == 0) {
		if (g.gl_pathc > 0)
			ret = copy_name(buf, len, basename(g.gl_pathv[0]));
		globfree(&g);
	}
	return ret;
}

int vdu_sysfs_bounce_size(const char *name, uint64_t *size)
{
	char path[PATH_MAX];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/class/vduse/%s/bounce_size", name);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	ret = fscanf(f, "%" SCNu64, size) == 1 ? 0 : -EINVAL;
	fclose(f);
	return ret;
}
