/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An eBPF port filter for "bpf-load rx|tx PORT QUEUE J FILE": drops IPv4
 * UDP datagrams to port 5001, passes every other frame. Its argument is the
 * frame's first byte (an Ethernet header); it returns 0 to drop, anything
 * else to pass. Built with clang -O2 -target bpf -c (config/bpf/meson.build);
 * the program must be the only function of .text. No libc header: the
 * BPF target has none.
 */
#define ETH_HLEN       14
#define ETHERTYPE_IPV4 0x0800
#define IPPROTO_UDP_   17
#define DROP_PORT      5001

unsigned long long drop_udp_5001(const unsigned char *frame)
{
	const unsigned char *ip = frame + ETH_HLEN, *udp;
	unsigned int ihl;

	if ((frame[12] << 8 | frame[13]) != ETHERTYPE_IPV4 || ip[9] != IPPROTO_UDP_)
		return 1;
	/* Not the first fragment: no UDP header here. */
	if (((ip[6] & 0x1f) << 8 | ip[7]) != 0)
		return 1;
	ihl = (ip[0] & 0x0fu) * 4;
	udp = ip + ihl;
	return (udp[2] << 8 | udp[3]) != DROP_PORT;
}
