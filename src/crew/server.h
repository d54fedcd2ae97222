/* server.h: the kiosk's end of the crew station link.  A Unix socket (and,
 * when asked, TCP bound to 127.0.0.1 only); a connection must first prove
 * itself with the token from a file the kiosk creates with mode 0600.
 * Unauthenticated, malformed or oversized messages are refused, answered
 * with {"error": ...} and logged; never a crash.  16 stations at once; a
 * connection that has not authenticated waits in a pool of 4 of its own for
 * 3 s at most, the oldest dropped when a fifth comes (server.c, "Slots").  Non-blocking: the event
 * loop calls crew_server_poll() each time round. */
#ifndef KIOSK_CREW_SERVER_H
#define KIOSK_CREW_SERVER_H

#include <stdio.h>

#include "proto.h"

typedef struct crew_server_s crew_server_t;

/* Listens on sock_path (a stale socket file is replaced) and, when tcp_port
 * is not 0, on 127.0.0.1:tcp_port; writes a fresh random token to
 * token_path with mode 0600.  NULL with a one-line message naming the path
 * or port and what to do. */
crew_server_t *crew_server_open(const char *sock_path, int tcp_port, const char *token_path,
                                char *err, size_t errlen);
void crew_server_close(crew_server_t *s);   /* removes the socket file */

/* Called for each authenticated message, and once with CREW_AUTH when a
 * station has just authenticated (after its {"ok": "auth"}); client
 * identifies the connection for crew_server_reply(); manager is 1 for a
 * station that authenticated as "manager". */
typedef void (*crew_msg_fn)(void *ctx, int client, int manager, const crew_msg_t *m);

/* Accepts, reads and answers without blocking; calls fn for each good
 * message of an authenticated connection.  Refusals are logged to log (one
 * line each, naming the connection and why) when log is not NULL.  Returns
 * the number of messages handed to fn. */
int crew_server_poll(crew_server_t *s, crew_msg_fn fn, void *ctx, FILE *log);

/* Sends one line (a JSON object, newline added) to every authenticated
 * station, or only to managers. A station that cannot keep up is dropped. */
void crew_server_broadcast(crew_server_t *s, const char *json, int managers_only);
void crew_server_reply(crew_server_t *s, int client, const char *json);
int crew_server_clients(const crew_server_t *s);   /* authenticated stations connected */
/* The descriptors an event loop should watch for the server (the listening
 * sockets and every connection; want_write set where output waits), at most
 * max; then crew_server_poll() when one is ready.  The set changes with
 * every poll.  crew_server_poll() also wants calling now and then (every
 * 0.5 s at most) for its time-outs (a connection that never authenticates,
 * a drain) and to listen again once a waiting connection may be dropped. */
#define CREW_SERVER_MAX_FDS 23   /* 2 listening, 16 stations, 4 not yet authenticated, 1 being read */
int crew_server_fds(const crew_server_t *s, int *fds, int *want_write, int max);

#endif
