/* IP fragment reassembly ahead of connection tracking: IPv4 fragments and
 * IPv6 fragments (Fragment header right after the fixed header) are held
 * until their datagram is whole, then replaced by one reassembled packet.
 * Memory is bounded (held bytes, fragments per datagram) and incomplete
 * datagrams time out.  Overlapping fragments drop the whole datagram
 * (RFC 5722), as do fragments past 65535 bytes.
 *
 * Thread-safety: one mutex; only fragments take it. */
#ifndef DATAPATH_IPF_H
#define DATAPATH_IPF_H 1

#include <stddef.h>
#include <stdint.h>

#include "datapath/packet.h"

struct ipf;

#define IPF_DEFAULT_MAX_BYTES (4u << 20)  /* Held fragment bytes. */
#define IPF_DEFAULT_TIMEOUT_MS 15000      /* An incomplete datagram. */
#define IPF_MAX_FRAGS 64                  /* Fragments per datagram. */

/* A reassembler; the caller owns it (ipf_destroy()). */
struct ipf *ipf_create(void);
/* Frees 'ipf' and every held fragment (NULL is fine). */
void ipf_destroy(struct ipf *ipf);

/* Takes 'p' (flow_extract() set its l3 offset).  Not a fragment: returns
 * 'p'.  A fragment: keeps it (or destroys it if it is bad or over the
 * limits) and returns NULL, or, if it completes its datagram, returns a
 * new packet holding the whole datagram (headers of the first fragment,
 * metadata of 'p', offsets set) and destroys the fragments.  'zone'
 * keeps datagrams of different zones apart. */
struct packet *ipf_process(struct ipf *ipf, struct packet *p, uint16_t zone,
                           long long now_ms);

/* Drops datagrams incomplete for longer than the timeout. */
void ipf_sweep(struct ipf *ipf, long long now_ms);

/* Bytes of fragments held now. */
size_t ipf_bytes(struct ipf *ipf);

/* Sets the limits (0 keeps a value). */
void ipf_set_limits(struct ipf *ipf, size_t max_bytes,
                    unsigned int timeout_ms);

#endif /* datapath/ipf.h */
