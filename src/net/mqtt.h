/* mqtt.h: the lane's events to an MQTT broker, for a chain's central
 * systems: `kiosk run --mqtt HOST[:PORT] [--store NAME]` (libmosquitto).
 *
 * An adapter, like the store: lane_io.c hands it every event line, the very
 * line --events prints, and it publishes it as it is on
 *     kiosk/STORE/LANE/events
 * (STORE the --store name, by default the machine's; LANE the lane's name;
 * both slugged: "Lane 1" -> "lane-1"), QoS 1, not retained.
 *
 * Publishing never waits for the network: the connection is libmosquitto's
 * own thread (mosquitto_loop_start), and mqtt_publish only queues the
 * message in memory (mqtt.c says how the queue feeds libmosquitto's, in
 * order).  While the broker is away the messages wait there, at most
 * MQTT_QUEUE_MAX_BYTES and MQTT_QUEUE_MAX_MSGS (beyond, new events are
 * dropped, counted, and said on stderr at most once a minute: the store
 * still has them, for `kiosk export --since`); the connection is retried
 * with back-off (1 s, growing to MQTT_RETRY_MAX_S), and when the broker is
 * back they go, in order.  QoS 1 is "at least once": a message the broker
 * took just as the connection broke, before it could acknowledge it, comes
 * again after the reconnection.  stderr gets a line (prefixed with `who`)
 * when the broker cannot be reached at start (the kiosk runs on), when it is
 * lost, and when it is back.
 *
 * Threads: mqtt_open, mqtt_publish and mqtt_close on the lane's thread; the
 * callbacks on libmosquitto's. */
#ifndef KIOSK_MQTT_H
#define KIOSK_MQTT_H

#include <stddef.h>

#define MQTT_DEFAULT_PORT 1883
#define MQTT_QUEUE_MAX_BYTES (4 << 20)   /* about 12 000 events, most of a busy lane's day */
#define MQTT_QUEUE_MAX_MSGS 16384        /* and at most so many (small events) */
#define MQTT_RETRY_MAX_S 10
#define MQTT_DRAIN_S 2.0                 /* at the end, how long the queue may take to go */

typedef struct mqtt_s mqtt_t;

/* "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT" (a bare IPv6 address has
 * no port).  0, with the host in host (hostlen bytes) and the port (default
 * MQTT_DEFAULT_PORT); or -1 with why in err. */
int mqtt_parse_addr(const char *addr, char *host, size_t hostlen, int *port, char *err, size_t errlen);
/* name as a topic level: ASCII letters in lower case and digits, any run of
 * anything else one '-', none at the ends, at most outlen - 1 (and 64)
 * bytes.  Returns its length: 0 when nothing is left ("!!!"). */
size_t mqtt_slug(const char *name, char *out, size_t outlen);

/* --mqtt ADDR and --store NAME as a command got them (either may be NULL),
 * checked before anything starts: 0, or -1 with a line naming the option in
 * err (a bad address, a name with no letter or digit, --store without --mqtt). */
int mqtt_check(const char *addr, const char *store, char *err, size_t errlen);
/* Starts connecting to addr (mqtt_parse_addr's) in the background; store:
 * the store's name, or NULL for the hostname.  An unreachable broker is no
 * failure (said on stderr; retried).  NULL only for a bad address or a name
 * without a letter or digit, with why in err. */
mqtt_t *mqtt_open(const char *addr, const char *store, const char *who, char *err, size_t errlen);
/* Queues one event line (without its newline) for lane's topic; returns at
 * once.  NULL m: nothing. */
void mqtt_publish(mqtt_t *m, const char *lane, const char *line);
/* Gives what is queued up to drain_s seconds to reach the broker, then
 * disconnects and frees; says on stderr what was not delivered.  Returns the
 * events not delivered, dropped ones included.  NULL m: 0. */
unsigned long mqtt_close(mqtt_t *m, double drain_s);

#endif
