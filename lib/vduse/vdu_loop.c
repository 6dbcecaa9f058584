/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device's control thread: waits on the device fd for the kernel's
 * requests, on a stop eventfd, and (only while a hugepage bounce buffer is
 * waiting for the driver's first mapping) on the queues' kick eventfds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "vdu_priv.h"

/* epoll data of the two fds that are not kick fds (queue indexes are below). */
#define EV_DEV	0xfffe
#define EV_STOP 0xffff

static void *loop_main(void *arg)
{
	struct vdu_dev *dev = arg;
	struct epoll_event ev[4];
	char tname[16];
	int n, i;

	/* Thread names hold 15 characters: keep the start of the device name. */
	memcpy(tname, "vdu-", 4);
	strncpy(tname + 4, dev->name, sizeof(tname) - 5);
	tname[sizeof(tname) - 1] = '\0';
	pthread_setname_np(pthread_self(), tname);
	for (;;) {
		n = epoll_wait(dev->epoll_fd, ev, 4, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			VDU_ERR(dev, "control thread: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.u32 == EV_STOP)
				return NULL;
			if (ev[i].data.u32 != EV_DEV) {
				vdu_bounce_upgrade(dev);
				continue;
			}
			if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
				/* The kernel gave up on us: a reply came too late. */
				VDU_ERR(dev, "the kernel marked the device broken (a request was "
					     "not answered in time); destroy and recreate it");
				return NULL;
			}
			while (vdu_request_handle(dev) > 0)
				;
		}
	}
}

static int epoll_add(int epfd, int fd, uint32_t events, uint32_t data)
{
	struct epoll_event ev = {.events = events, .data.u32 = data};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int vdu_loop_watch_kicks(struct vdu_dev *dev, bool on)
{
	unsigned int i;
	int ret = 0;

	if (dev->upgrade_armed == on)
		return 0;
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		/* One shot: workers may leave the counter set while they poll. */
		if (on)
			ret = epoll_add(dev->epoll_fd, dev->vqs[i].kick_fd, EPOLLIN | EPOLLONESHOT,
					i);
		else
			epoll_ctl(dev->epoll_fd, EPOLL_CTL_DEL, dev->vqs[i].kick_fd, NULL);
		if (ret < 0)
			return ret;
	}
	dev->upgrade_armed = on;
	return 0;
}

int vdu_loop_start(struct vdu_dev *dev)
{
	int ret;

	dev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	dev->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (dev->epoll_fd < 0 || dev->stop_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = epoll_add(dev->epoll_fd, dev->dev_fd, EPOLLIN, EV_DEV);
	if (ret == 0)
		ret = epoll_add(dev->epoll_fd, dev->stop_fd, EPOLLIN, EV_STOP);
	if (ret < 0)
		goto fail;
	ret = -pthread_create(&dev->thread, NULL, loop_main, dev);
	if (ret < 0)
		goto fail;
	dev->thread_running = true;
	return 0;
fail:
	VDU_ERR(dev, "cannot start the control thread: %s", strerror(-ret));
	vdu_loop_stop(dev);
	return ret;
}

void vdu_loop_stop(struct vdu_dev *dev)
{
	uint64_t one = 1;

	if (dev->thread_running) {
		if (write(dev->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(dev->thread, NULL);
		dev->thread_running = false;
	}
	if (dev->stop_fd >= 0)
		close(dev->stop_fd);
	if (dev->epoll_fd >= 0)
		close(dev->epoll_fd);
	dev->stop_fd = dev->epoll_fd = -1;
	dev->upgrade_armed = false;
}
