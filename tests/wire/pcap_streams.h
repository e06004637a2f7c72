/* pcap_streams.h — reads a tcpdump capture file (pcap) and puts the TCP payload of each
 * connection to one server port back together, one byte stream per direction. For tests that
 * check what actually crossed the wire. */
#ifndef PARLEY_PCAP_STREAMS_H
#define PARLEY_PCAP_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct tcp_stream {
    uint16_t client_port;
    int to_server;     /* 1: client to server, 0: server to client */
    uint32_t next_seq; /* reassembly: the next expected sequence number */
    int have_seq;
    buf data;
} tcp_stream;

typedef struct pcap_capture {
    tcp_stream *streams;
    size_t n, cap;
    uint64_t packets;  /* TCP packets to or from the port */
    buf all;           /* every payload byte of every stream, in capture order */
} pcap_capture;

/* Reads path (Ethernet, Linux cooked v1/v2 or BSD loopback link types; IPv4 or IPv6) keeping
 * the connections to or from server_port. 0, or -1 with a reason in err. */
int pcap_read_streams(const char *path, uint16_t server_port, pcap_capture *cap, char *err,
                      size_t err_size);
void pcap_capture_free(pcap_capture *cap);
/* 1 if needle occurs anywhere in hay. */
int bytes_contain(const uint8_t *hay, size_t n, const void *needle, size_t m);

#endif
