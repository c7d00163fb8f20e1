/* Fuzz target for IP fragment reassembly (datapath/ipf.h).  The input is a
 * sequence of 6-byte records, each one fragment fed to one reassembler:
 *
 *   byte 0: bit 0 IPv6, bit 1 more-fragments, bit 2 zone 1 (else 0),
 *           bit 3 advance the clock 20 s and sweep first, bits 4-5 extra
 *           IPv4 header words (options);
 *   bytes 1-2: fragment offset in 8-byte units (big endian, 13 bits);
 *   bytes 3-4: payload length (big endian, modulo 2000);
 *   byte 5: datagram id (modulo 4, so that datagrams collide).
 *
 * Every payload byte is a function of its offset in the datagram and the
 * id, so a reassembled datagram can be checked byte for byte.  Checks that
 * nothing reads or writes out of bounds (ASan), that a reassembled packet's
 * length fields agree with its size and its payload is exactly the
 * datagram's, and that held bytes drop to 0 after a final sweep. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/flow-extract.h"
#include "datapath/ipf.h"
#include "datapath/packet.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The payload byte at datagram offset 'ofs' of datagram 'id'. */
static uint8_t
pattern(uint32_t ofs, uint8_t id)
{
    return (uint8_t) (ofs * 31 + ofs / 251 + id);
}

/* Builds one fragment from a 6-byte record. */
static struct packet *
make_frag(const uint8_t *r)
{
    static uint8_t buf[14 + 60 + 8 + 2000];
    bool v6 = r[0] & 1, more = r[0] & 2;
    uint32_t ofs = (uint32_t) ((r[1] << 8 | r[2]) & 0x1fff) * 8;
    size_t len = (size_t) (r[3] << 8 | r[4]) % 2000;
    uint8_t id = r[5] & 3;
    size_t l3_size;

    memset(buf, 0, sizeof buf);
    buf[5] = 2;
    buf[11] = 1;
    buf[12] = v6 ? 0x86 : 0x08;
    buf[13] = v6 ? 0xdd : 0x00;
    uint8_t *l3 = buf + 14;
    if (v6) {
        uint16_t plen = (uint16_t) (8 + len);
        uint16_t offlg = (uint16_t) (ofs | (more ? 1 : 0));

        l3_size = 48;
        l3[0] = 0x60;
        l3[4] = (uint8_t) (plen >> 8);
        l3[5] = (uint8_t) plen;
        l3[6] = 44;
        l3[7] = 64;
        l3[8] = 0xfe;
        l3[23] = 1;
        l3[24] = 0xfe;
        l3[39] = 2;
        l3[40] = 17;
        l3[42] = (uint8_t) (offlg >> 8);
        l3[43] = (uint8_t) offlg;
        l3[47] = id;
    } else {
        size_t ihl = 20 + 4 * ((r[0] >> 4) & 3);
        uint16_t tot = (uint16_t) (ihl + len);
        uint16_t off = (uint16_t) ((more ? 0x2000 : 0) | (ofs / 8));

        l3_size = ihl;
        l3[0] = (uint8_t) (0x40 | ihl / 4);
        l3[2] = (uint8_t) (tot >> 8);
        l3[3] = (uint8_t) tot;
        l3[5] = id;
        l3[6] = (uint8_t) (off >> 8);
        l3[7] = (uint8_t) off;
        l3[8] = 64;
        l3[9] = 17;
        l3[12] = 10;
        l3[15] = 1;
        l3[16] = 10;
        l3[19] = 2;
        for (size_t i = 20; i < ihl; i++) {
            l3[i] = 1;          /* NOP options. */
        }
    }
    for (size_t i = 0; i < len; i++) {
        l3[l3_size + i] = pattern(ofs + (uint32_t) i, id);
    }

    struct packet *p = packet_clone_data(buf, 14 + l3_size + len);
    struct flow flow;
    (void) flow_extract(p, &flow, NULL);
    return p;
}

/* Checks reassembled packet 'p' and destroys it. */
static void
check_whole(struct packet *p)
{
    const uint8_t *l3 = packet_l3(p);
    size_t l3_room = packet_size(p) - p->l3_ofs;
    const uint8_t *payload;
    size_t total;
    uint8_t id;

    ASSERT(l3 && p->l3_ofs <= packet_size(p));
    if ((l3[0] >> 4) == 4) {
        size_t ihl = (l3[0] & 15) * 4u;
        size_t tot = (size_t) (l3[2] << 8 | l3[3]);

        ASSERT(ihl >= 20 && tot == l3_room && tot >= ihl);
        ASSERT(!(l3[6] & 0x3f) && !l3[7]);
        payload = l3 + ihl;
        total = tot - ihl;
        id = l3[5];
    } else {
        ASSERT((l3[0] >> 4) == 6);
        size_t plen = (size_t) (l3[4] << 8 | l3[5]);

        ASSERT(l3_room == 40 + plen && l3[6] == 17);
        payload = l3 + 40;
        total = plen;
        id = (uint8_t) (payload[0] - pattern(0, 0));
    }
    for (size_t i = 0; i < total; i++) {
        ASSERT(payload[i] == pattern((uint32_t) i, id));
    }
    packet_destroy(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ipf *ipf = ipf_create();
    long long now = 1000;

    for (size_t i = 0; i + 6 <= size && i < 6 * 256; i += 6) {
        const uint8_t *r = data + i;

        if (r[0] & 8) {
            now += 20000;
            ipf_sweep(ipf, now);
        }
        struct packet *p = make_frag(r);
        bool frag = (r[1] << 8 | r[2]) & 0x1fff || r[0] & 2;
        struct packet *out = ipf_process(ipf, p, (r[0] & 4) ? 1 : 0, now);
        if (!frag) {
            ASSERT(out == p);   /* Not a fragment: passed through. */
            packet_destroy(out);
        } else if (out) {
            check_whole(out);
        }
    }
    ipf_sweep(ipf, now + 100000);
    ASSERT(ipf_bytes(ipf) == 0);
    ipf_destroy(ipf);
    return 0;
}
