/* pcap_streams.c — a minimal pcap reader and per-direction TCP reassembly for wire tests. */
#include "pcap_streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get32(const uint8_t *p, int swap)
{
    return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int bytes_contain(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
    size_t i;
    if (m == 0 || m > n)
        return m == 0;
    for (i = 0; i + m <= n; i++)
        if (hay[i] == *(const uint8_t *)needle && memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static tcp_stream *stream_for(pcap_capture *cap, uint16_t client_port, int to_server)
{
    size_t i;
    for (i = 0; i < cap->n; i++)
        if (cap->streams[i].client_port == client_port && cap->streams[i].to_server == to_server)
            return &cap->streams[i];
    if (cap->n == cap->cap) {
        size_t ncap = cap->cap ? cap->cap * 2 : 8;
        tcp_stream *s = realloc(cap->streams, ncap * sizeof *s);
        if (!s)
            return NULL;
        cap->streams = s;
        cap->cap = ncap;
    }
    memset(&cap->streams[cap->n], 0, sizeof cap->streams[0]);
    cap->streams[cap->n].client_port = client_port;
    cap->streams[cap->n].to_server = to_server;
    buf_init(&cap->streams[cap->n].data);
    return &cap->streams[cap->n++];
}

/* One captured frame at the link layer: finds IP and TCP, appends new payload bytes. */
static void take_packet(pcap_capture *cap, uint32_t link, const uint8_t *p, size_t n,
                        uint16_t port)
{
    size_t off, ip_len, tcp_off;
    unsigned proto, ethertype = 0;
    uint16_t sport, dport;
    uint32_t seq;
    const uint8_t *ip, *tcp, *payload;
    size_t payload_len;
    tcp_stream *s;
    int v6;

    switch (link) {
    case 1: /* Ethernet */
        if (n < 14)
            return;
        ethertype = (unsigned)p[12] << 8 | p[13];
        off = 14;
        break;
    case 113: /* Linux cooked v1 */
        if (n < 16)
            return;
        ethertype = (unsigned)p[14] << 8 | p[15];
        off = 16;
        break;
    case 276: /* Linux cooked v2 */
        if (n < 20)
            return;
        ethertype = (unsigned)p[0] << 8 | p[1];
        off = 20;
        break;
    case 0: /* BSD loopback: 4-byte address family in host order */
        if (n < 4)
            return;
        ethertype = (p[0] == 2 || p[3] == 2) ? 0x0800 : 0x86DD;
        off = 4;
        break;
    default:
        return;
    }
    if (ethertype != 0x0800 && ethertype != 0x86DD)
        return;
    ip = p + off;
    n -= off;
    v6 = ethertype == 0x86DD;
    if (!v6) {
        if (n < 20)
            return;
        ip_len = (size_t)(ip[0] & 0x0F) * 4;
        proto = ip[9];
        n = n < ((size_t)ip[2] << 8 | ip[3]) ? n : ((size_t)ip[2] << 8 | ip[3]);
    } else {
        if (n < 40)
            return;
        ip_len = 40;
        proto = ip[6];
        n = n < 40 + ((size_t)ip[4] << 8 | ip[5]) ? n : 40 + ((size_t)ip[4] << 8 | ip[5]);
    }
    if (proto != 6 || n < ip_len + 20)
        return;
    tcp = ip + ip_len;
    sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
    dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
    seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
    tcp_off = (size_t)(tcp[12] >> 4) * 4;
    if (sport != port && dport != port)
        return;
    cap->packets++;
    if (n < ip_len + tcp_off)
        return;
    payload = tcp + tcp_off;
    payload_len = n - ip_len - tcp_off;
    s = stream_for(cap, sport == port ? dport : sport, dport == port);
    if (!s)
        return;
    if (tcp[13] & 0x02) { /* SYN: the data starts after it */
        s->next_seq = seq + 1;
        s->have_seq = 1;
        return;
    }
    if (payload_len == 0)
        return;
    if (!s->have_seq) {
        s->next_seq = seq;
        s->have_seq = 1;
    }
    /* Loopback delivers in order; skip what a retransmission repeats. */
    if ((int32_t)(seq - s->next_seq) < 0) {
        uint32_t dup = s->next_seq - seq;
        if (dup >= payload_len)
            return;
        payload += dup;
        payload_len -= dup;
        seq += dup;
    }
    buf_append(&s->data, payload, payload_len);
    buf_append(&cap->all, payload, payload_len);
    s->next_seq = seq + (uint32_t)payload_len;
}

int pcap_read_streams(const char *path, uint16_t server_port, pcap_capture *cap, char *err,
                      size_t err_size)
{
    FILE *f = fopen(path, "rb");
    uint8_t hdr[24], rec[16];
    uint8_t *pkt = NULL;
    uint32_t magic, link;
    int swap;

    memset(cap, 0, sizeof *cap);
    buf_init(&cap->all);
    if (!f) {
        snprintf(err, err_size, "cannot open %s", path);
        return -1;
    }
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr) {
        snprintf(err, err_size, "%s: no pcap header (empty capture?)", path);
        fclose(f);
        return -1;
    }
    magic = get32(hdr, 0);
    if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du)
        swap = 0;
    else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u)
        swap = 1;
    else {
        snprintf(err, err_size, "%s: not a pcap file (pcapng? magic %08lx)", path,
                 (unsigned long)magic);
        fclose(f);
        return -1;
    }
    link = get32(hdr + 20, swap) & 0x0FFFFFFFu;
    pkt = malloc(262144);
    if (!pkt) {
        fclose(f);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t incl = get32(rec + 8, swap);
        if (incl > 262144 || fread(pkt, 1, incl, f) != incl)
            break; /* a capture stopped mid-record ends here */
        take_packet(cap, link, pkt, incl, server_port);
    }
    free(pkt);
    fclose(f);
    return 0;
}

void pcap_capture_free(pcap_capture *cap)
{
    size_t i;
    for (i = 0; i < cap->n; i++)
        buf_free(&cap->streams[i].data);
    free(cap->streams);
    buf_free(&cap->all);
    memset(cap, 0, sizeof *cap);
}
