/* Packet buffers; see packet.h. */
#include "datapath/packet.h"

#include <stdlib.h>
#include <string.h>

struct packet *
packet_create(size_t size, size_t headroom)
{
    struct packet *p = xzalloc(sizeof *p);

    p->allocated = size + headroom;
    p->base = xmalloc(p->allocated ? p->allocated : 1);
    p->data_ofs = headroom;
    p->l2_ofs = p->l3_ofs = p->l4_ofs = PACKET_OFS_NONE;
    return p;
}

struct packet *
packet_clone_data(const void *data, size_t size)
{
    struct packet *p = packet_create(size, PACKET_HEADROOM);

    memcpy(packet_put_uninit(p, size), data, size);
    return p;
}

struct packet *
packet_clone(const struct packet *src)
{
    struct packet *p = packet_create(src->size, PACKET_HEADROOM);
    uint8_t *base = p->base;
    uint32_t allocated = p->allocated;

    *p = *src;
    p->base = base;
    p->pool = NULL;
    p->allocated = allocated;
    p->data_ofs = PACKET_HEADROOM;
    memcpy(packet_data(p), packet_data(src), src->size);
    return p;
}

void
packet_destroy(struct packet *p)
{
    if (p && p->pool) {
        struct packet_pool *pool = p->pool;

        pool->free_packet(pool, p);
    } else if (p) {
        free(p->base);
        free(p);
    }
}

/* Replaces the buffer of 'p' by a private one with at least 'headroom' and
 * 'tailroom' bytes around the data. */
static void
packet_realloc(struct packet *p, size_t headroom, size_t tailroom)
{
    size_t allocated = headroom + p->size + tailroom;
    uint8_t *base = xmalloc(allocated);

    memcpy(base + headroom, packet_data(p), p->size);
    if (p->pool) {
        struct packet_pool *pool = p->pool;

        pool->release_buffer(pool, p);
    } else {
        free(p->base);
    }
    p->base = base;
    p->allocated = allocated;
    p->data_ofs = headroom;
}

static uint16_t
shift_ofs(uint16_t ofs, long delta)
{
    return ofs == PACKET_OFS_NONE ? ofs : (uint16_t) (ofs + delta);
}

void *
packet_push_uninit(struct packet *p, size_t size)
{
    if (size > p->data_ofs) {
        packet_realloc(p, size + PACKET_HEADROOM, packet_tailroom(p));
    }
    p->data_ofs -= size;
    p->size += size;
    p->l2_ofs = shift_ofs(p->l2_ofs, size);
    p->l3_ofs = shift_ofs(p->l3_ofs, size);
    p->l4_ofs = shift_ofs(p->l4_ofs, size);
    if (p->csum == PACKET_CSUM_PARTIAL) {
        p->csum_start += size;
    }
    return packet_data(p);
}

void *
packet_pull(struct packet *p, size_t size)
{
    void *head = packet_data(p);

    ASSERT(size <= p->size);
    p->data_ofs += size;
    p->size -= size;
    p->l2_ofs = p->l2_ofs < size ? PACKET_OFS_NONE
                                 : shift_ofs(p->l2_ofs, -(long) size);
    p->l3_ofs = p->l3_ofs < size ? PACKET_OFS_NONE
                                 : shift_ofs(p->l3_ofs, -(long) size);
    p->l4_ofs = p->l4_ofs < size ? PACKET_OFS_NONE
                                 : shift_ofs(p->l4_ofs, -(long) size);
    if (p->csum == PACKET_CSUM_PARTIAL) {
        p->csum_start -= size;
    }
    return head;
}

void *
packet_put_uninit(struct packet *p, size_t size)
{
    if (size > packet_tailroom(p)) {
        packet_realloc(p, p->data_ofs, size + 64);
    }
    void *tail = packet_data(p) + p->size;
    p->size += size;
    return tail;
}

void
packet_set_size(struct packet *p, size_t size)
{
    ASSERT(size <= p->allocated - p->data_ofs);
    p->size = size;
}

void
packet_batch_destroy_all(struct packet_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        packet_destroy(b->packets[i]);
    }
    b->count = 0;
}
