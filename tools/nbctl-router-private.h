/* Private to kiln-nbctl's router family, which is two files: nbctl-router.c
 * (routers, router ports, gateway chassis, HA chassis groups, policies and
 * the command table) and nbctl-route.c (static routes and NAT, and the
 * address parsers both use). */
#ifndef TOOLS_NBCTL_ROUTER_PRIVATE_H
#define TOOLS_NBCTL_ROUTER_PRIVATE_H 1

#include <stdbool.h>

#include "lib/netaddr.h"
#include "tools/dbctl.h"

/* Static route and NAT commands (nbctl-route.c), run functions of
 * nbctl_router_commands[]. */
int nbctl__route_add(struct dbctl_context *, int argc, char **argv);
int nbctl__route_del(struct dbctl_context *, int argc, char **argv);
int nbctl__route_list(struct dbctl_context *, int argc, char **argv);
int nbctl__nat_add(struct dbctl_context *, int argc, char **argv);
int nbctl__nat_del(struct dbctl_context *, int argc, char **argv);
int nbctl__nat_list(struct dbctl_context *, int argc, char **argv);

/* Parses 's' the lenient way ovn-nbctl reads prefixes and router port
 * networks: "ADDR", "ADDR/PLEN" or "ADDR/MASK", where an IPv4 address's
 * parts and the prefix length are read like scanf()'s "%hhu" and "%u"
 * (leading blanks and a sign allowed, values wrap), and nothing may
 * follow.  Host bits are kept.  Returns false if 's' is none of these. */
bool nbctl__parse_prefix(const char *s, struct ip_prefix *);

/* Reads an integer the way scanf()'s "%d" does (leading blanks, sign,
 * digits, anything after ignored).  Returns false if there are no
 * digits. */
bool nbctl__scan_int(const char *s, int *value);

/* Parses a MAC address as ovn-nbctl does: six hexadecimal fields read like
 * scanf()'s "%hhx", separated by colons, nothing after. */
bool nbctl__parse_mac(const char *s, struct eth_addr *);

#endif /* tools/nbctl-router-private.h */
