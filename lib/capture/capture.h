/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CAPTURE_H
#define CAPTURE_H

/**
 * @file
 * Packet capture of a switch's ports to a pcapng file, with a libpcap filter.
 *
 * A session captures the frames of some ports (plain ids, each with the name
 * the file gives its interface), in one direction or both, to one file. The
 * frames are the ones a worker hands to capture_burst(): the library does no
 * I/O on ports and knows none.
 *
 * Threads. One control thread creates, starts, stops, reads and frees a
 * session. Any number of worker lcores call capture_burst() at once: it never
 * blocks, takes a lock, allocates from the heap or makes a system call. It
 * runs the filter on the frames, copies the ones that pass into mbufs of the
 * session's own pool and posts them to a ring; a writer thread, which
 * capture_start() starts, takes them off the ring and writes them. When the
 * ring is full or the pool empty the copy is dropped and counted: a worker
 * never waits for the disk.
 *
 * Lifetime. capture_burst() may be called from capture_create() on (copies
 * wait in the ring for the writer) until the caller stops calling it. Before
 * capture_stop(), the caller makes sure no worker is inside capture_burst()
 * any more nor will enter it (e.g. unpublish the session, then wait for a
 * grace period of the workers' RCU QSBR variable): stop then writes every
 * copy still in the ring, so the file holds every frame counted as captured.
 *
 * The file: pcapng, one Interface Description Block per port in the order
 * given, named with the port's name; one Enhanced Packet Block per frame,
 * with nanosecond timestamps, the direction (inbound for rx, outbound for tx)
 * and the queue. See doc/capture.md for the design.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

/** Longest capture_params::name, in characters (it names DPDK objects). */
#define CAPTURE_NAME_MAX 16

/** Longest capture_iface::name, in bytes. */
#define CAPTURE_IFNAME_MAX 64

/** Port ids are 0..CAPTURE_MAX_PORTS-1. */
#define CAPTURE_MAX_PORTS 1024

/** Largest snaplen, in bytes (libpcap's own limit). */
#define CAPTURE_SNAPLEN_MAX 262144

/** capture_params::snaplen given by capture_params_init(): whole frames. */
#define CAPTURE_DEFAULT_SNAPLEN CAPTURE_SNAPLEN_MAX

/** capture_params::ring_size given by capture_params_init(): copies waiting for the writer. */
#define CAPTURE_DEFAULT_RING_SIZE 8192

/** Largest capture_params::ring_size. */
#define CAPTURE_MAX_RING_SIZE (1u << 20)

/** Size of an error message buffer that holds any message of capture_create(). */
#define CAPTURE_ERRMSG_SIZE 256

/** Which frames of a port: those it received, those it sent, or both. */
enum capture_dir {
	CAPTURE_RX = 1, /**< received by the port */
	CAPTURE_TX = 2, /**< sent by the port */
	CAPTURE_BOTH =
		CAPTURE_RX | CAPTURE_TX, /**< both; as a capture_burst() direction: invalid */
};

/** A port to capture: its id on the data path and its name in the file. */
struct capture_iface {
	/** The id capture_burst() is called with, 0..CAPTURE_MAX_PORTS-1. */
	uint16_t port_id;
	/**
	 * The interface name in the file (pcapng if_name), e.g. "p0" or
	 * "net_af_packet0": 1..CAPTURE_IFNAME_MAX bytes of UTF-8; copied.
	 */
	const char *name;
};

struct capture;

/**
 * How a session is made. Fill with capture_params_init(), then set name,
 * path and ifaces, and change what else you need.
 */
struct capture_params {
	/** Session name, 1..CAPTURE_NAME_MAX characters, unique in the process; used in logs. */
	const char *name;
	/** File to write; created, or truncated if it exists. No default. */
	const char *path;
	/** The ports, each once: 1..CAPTURE_MAX_PORTS entries; copied. */
	const struct capture_iface *ifaces;
	unsigned int n_ifaces; /**< entries in ifaces */
	/** Direction captured on every port. Default CAPTURE_BOTH. */
	enum capture_dir dir;
	/**
	 * Bytes kept of each frame, 1..CAPTURE_SNAPLEN_MAX; the file keeps
	 * every frame's original length. Default CAPTURE_DEFAULT_SNAPLEN.
	 */
	uint32_t snaplen;
	/**
	 * Filter in libpcap's syntax (pcap-filter(7)) for Ethernet frames,
	 * e.g. "udp port 5000"; NULL or "" keeps every frame; copied.
	 */
	const char *filter;
	/**
	 * Copies that can wait for the writer, 1..CAPTURE_MAX_RING_SIZE; more
	 * are dropped and counted (capture_stats::dropped_ring). The pool
	 * holds as many mbufs (of 2 KiB: a longer copy takes several) and a
	 * writer's burst more. Default CAPTURE_DEFAULT_RING_SIZE.
	 */
	uint32_t ring_size;
	/** NUMA socket of the ring and the pool (SOCKET_ID_ANY allowed). Default SOCKET_ID_ANY. */
	int socket_id;
	/**
	 * Run the filter in DPDK's BPF interpreter even where a JIT exists
	 * (to compare the two; slower). Default false.
	 */
	bool no_jit;
};

/**
 * Counters of a session. All only grow. A frame offered on a captured port
 * and direction ends in exactly one of captured, filtered, dropped_ring and
 * dropped_nombuf.
 */
struct capture_stats {
	uint64_t captured;	 /**< frames copied and queued for the writer */
	uint64_t filtered;	 /**< frames the filter rejected */
	uint64_t dropped_ring;	 /**< copies lost: the ring was full */
	uint64_t dropped_nombuf; /**< frames not copied: the session's pool was empty */
	uint64_t written;	 /**< frames written to the file */
	uint64_t bytes_written;	 /**< bytes written to the file, headers included */
	/**
	 * 0, or the negative errno of the first failed write (e.g. -ENOSPC);
	 * from then on the writer frees copies without writing them.
	 */
	int write_error;
};

/**
 * Fill @p params with the defaults: CAPTURE_BOTH, CAPTURE_DEFAULT_SNAPLEN, no
 * filter, CAPTURE_DEFAULT_RING_SIZE, SOCKET_ID_ANY, the JIT when there is one;
 * name, path and ifaces unset (NULL, 0). Any thread.
 */
void capture_params_init(struct capture_params *params);

/**
 * Create a session: compile the filter, make the ring and the pool, create
 * the file and write its header (section and interfaces). Workers may call
 * capture_burst() as soon as it returns; the writer runs from
 * capture_start(). Control thread, after rte_eal_init().
 *
 * @param params      what to capture (see struct capture_params)
 * @param err         set (when not NULL) to a negative errno on failure:
 *                    -EINVAL for a parameter out of range or a filter that
 *                    does not compile, -ENOTSUP for a filter DPDK's BPF cannot
 *                    run, -EEXIST for a name in use, -ENOMEM, or the error of
 *                    creating or writing the file (e.g. -EACCES, -ENOENT)
 * @param errmsg      set (when not NULL) to a message that says what was wrong,
 *                    for the user: for a bad filter, libpcap's own (e.g.
 *                    "syntax error"); "" on success
 * @param errmsg_size bytes at @p errmsg; CAPTURE_ERRMSG_SIZE holds any message
 * @return the session, or NULL.
 */
struct capture *capture_create(const struct capture_params *params, int *err, char *errmsg,
			       size_t errmsg_size);

/**
 * Start the writer thread, which writes the copies from the ring to the
 * file until capture_stop(). Control thread; once per session.
 *
 * @return 0, -EALREADY when started before, or the negative errno of the
 *         thread's creation.
 */
int capture_start(struct capture *cap);

/**
 * Write every copy still in the ring, stop the writer and close the file,
 * which is then complete (a session that captured nothing leaves a valid file
 * of its header). Control thread, once no worker can be inside
 * capture_burst() (see the file's comment); a session never started has its
 * copies written by this call. Blocks until the file is closed.
 *
 * @return 0, -EALREADY when stopped before, or the negative errno of the
 *         first write or the close that failed (also in
 *         capture_stats::write_error).
 */
int capture_stop(struct capture *cap);

/**
 * Free a session (NULL is allowed), stopping it first if needed. Control
 * thread, once no worker can be inside capture_burst().
 */
void capture_free(struct capture *cap);

/**
 * Offer a burst of frames that port @p port_id received or sent. Any worker
 * lcore (or registered thread), any number at once; the frames stay the
 * caller's, unchanged.
 *
 * Returns at once when the port or the direction is not captured. Otherwise
 * runs the filter on each frame and copies those that pass (the first
 * snaplen bytes, and the original length) to the writer's ring, counting
 * each frame once in capture_stats. One timestamp (the TSC, read once)
 * serves the whole burst.
 *
 * @param port_id the port's id, as in capture_iface::port_id
 * @param queue   the port's queue the frames went through (pcapng epb_queue)
 * @param dir     CAPTURE_RX for frames received, CAPTURE_TX for frames sent
 * @param pkts    n frames (single or multi-segment mbufs)
 * @param n       number of frames, any
 * @return the number of frames copied to the ring.
 */
unsigned int capture_burst(struct capture *cap, uint16_t port_id, uint16_t queue,
			   enum capture_dir dir, struct rte_mbuf *const *pkts, unsigned int n);

/**
 * True when capture_burst() would look at frames of @p port_id in @p dir:
 * lets a worker skip work it does only for the capture. Any thread.
 */
bool capture_wants(const struct capture *cap, uint16_t port_id, enum capture_dir dir);

/**
 * Read the counters, e.g. for "capture status" and telemetry. Any thread
 * (the workers' counters are read atomically, so they may be a moment old).
 */
void capture_stats_get(const struct capture *cap, struct capture_stats *stats);

/** True when the filter runs as native code (DPDK's BPF JIT). Any thread. */
bool capture_filter_is_jit(const struct capture *cap);

#endif /* CAPTURE_H */
