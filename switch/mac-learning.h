/* A bridge's MAC learning table for the NORMAL action: which port each
 * (VLAN, Ethernet address) pair was last seen on, as a learning switch
 * keeps it (ovs-vswitchd.conf.db(5) Bridge other_config "mac-aging-time"
 * and "mac-table-size").  Entries age out after an idle time (300 s by
 * default) and, when the table is full, the least recently seen entry
 * makes room for a new one.
 *
 * Packet threads look up and learn concurrently: lookups and refreshes of
 * an entry that did not move take only the read lock (the "seen" time is
 * an atomic); adding or moving an entry takes the write lock and bumps a
 * generation number, which the translator turns into a megaflow
 * revalidation, since a flooded or forwarded megaflow may be wrong now.
 * Expiry (mac_learning_run()) and the fdb/show text are for the main
 * thread. */
#ifndef SWITCH_MAC_LEARNING_H
#define SWITCH_MAC_LEARNING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/netaddr.h"

struct ds;
struct mac_learning;

#define MAC_LEARNING_DEFAULT_IDLE_TIME 300  /* Seconds. */
#define MAC_LEARNING_DEFAULT_MAX 8192       /* Entries. */

/* What mac_learning_learn() did. */
enum mac_learning_result {
    MAC_LEARNING_SAME,          /* Known on that port: refreshed. */
    MAC_LEARNING_NEW,           /* A new entry. */
    MAC_LEARNING_MOVED,         /* Known on another port: moved. */
};

struct mac_learning *mac_learning_create(unsigned int idle_time_s,
                                         size_t max_entries);
void mac_learning_destroy(struct mac_learning *);
void mac_learning_set_clock(struct mac_learning *, long long (*clock)(void));
void mac_learning_set_idle_time(struct mac_learning *,
                                unsigned int idle_time_s);
void mac_learning_set_max_entries(struct mac_learning *, size_t max);

enum mac_learning_result mac_learning_learn(struct mac_learning *,
                                            uint16_t vlan,
                                            const struct eth_addr *mac,
                                            uint32_t port);
bool mac_learning_lookup(struct mac_learning *, uint16_t vlan,
                         const struct eth_addr *mac, uint32_t *port);
size_t mac_learning_run(struct mac_learning *);
void mac_learning_flush(struct mac_learning *);
size_t mac_learning_flush_port(struct mac_learning *, uint32_t port);
size_t mac_learning_count(struct mac_learning *);
uint64_t mac_learning_generation(const struct mac_learning *);

/* Formats the table as `ovs-appctl fdb/show` does; 'port_name' (may be
 * NULL: numbers) names a port for the "port" column. */
typedef const char *mac_learning_port_name_func(uint32_t port, void *aux,
                                                char buf[16]);
void mac_learning_format(struct mac_learning *, struct ds *,
                         mac_learning_port_name_func *, void *aux);

#endif /* switch/mac-learning.h */
