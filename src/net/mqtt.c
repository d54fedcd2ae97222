/* mqtt.c: see mqtt.h.
 *
 * Two queues.  Ours (head..tail) holds the events libmosquitto has not been
 * given yet; libmosquitto holds at most MQTT_WINDOW more, given only while
 * connected, until the broker's PUBACK (the publish callback) takes each
 * away and the next is given.  Why not give it everything at once, as it
 * would take: it has no bound and no count of what it holds, a message given
 * to it while a connection is being made can reach the socket before the
 * CONNECT (the broker then closes the connection: "protocol error", seen
 * under load), and after a reconnection it sends what it held again after
 * the connect callback, where newer messages given in that callback would
 * overtake them.  So: nothing is given while disconnected; at the CONNACK
 * (the connect callback) the queue starts moving only if libmosquitto holds
 * nothing, else its PUBACKs move it; order is kept.
 *
 * Locks: our mutex is held while calling mosquitto_publish (from the lane's
 * thread, and from the callbacks on libmosquitto's).  libmosquitto calls the
 * callbacks holding its callback mutex and no lock mosquitto_publish takes,
 * and mosquitto_publish takes no lock a callback holds, so the order is
 * always callback mutex -> ours -> libmosquitto's others: no deadlock.
 *
 * Connecting: libmosquitto's thread reconnects by itself once a connection
 * has been started, but when mosquitto_connect_async fails at once (refused
 * on the same machine, an unknown host) its thread waits for a connection
 * that is never started.  So a small starter thread calls it, with back-off,
 * until it is under way, and ends. */
#include "mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

#define KEEPALIVE_S 30
#define DROP_LOG_S 60.0
#define MQTT_WINDOW 20          /* given to libmosquitto at once: its default in flight */

/* An event waiting in our queue: its topic and line in one allocation. */
typedef struct msg_s {
    struct msg_s *next;
    size_t len;               /* of the line */
    char *topic;              /* in data, after the line */
    char data[];
} msg_t;

struct mqtt_s {
    struct mosquitto *mosq;
    char host[256];
    int port;
    char *who;
    char *prefix;             /* "kiosk/STORE/" */
    char *lane, *topic;       /* the lane's name last published for, and its topic (the lane's thread) */
    pthread_t starter;
    int starter_started;

    pthread_mutex_t mu;       /* everything below */
    pthread_cond_t cond;      /* the queue emptied, or stopping */
    int stopping;
    int connected, ever_connected;
    int told_down;            /* the broker's absence has been said */
    int told_refused;
    double down_since;        /* when it was lost (or the start) */
    msg_t *head, *tail;       /* ours, oldest first */
    struct { int mid; size_t len; } given[MQTT_WINDOW];   /* libmosquitto's, not yet acknowledged */
    int ngiven;
    unsigned long pending, pending_bytes;   /* both queues */
    unsigned long dropped, dropped_told, failed;
    double drop_told_at;      /* 0: never */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int mqtt_parse_addr(const char *addr, char *host, size_t hostlen, int *port, char *err, size_t errlen)
{
    const char *h = addr, *p = NULL;
    size_t hn;
    if (strstr(addr, "://")) {
        snprintf(err, errlen, "give HOST[:PORT], not a URL: e.g. 127.0.0.1:1883");
        return -1;
    }
    if (addr[0] == '[') {                        /* [IPv6] or [IPv6]:PORT */
        const char *close = strchr(addr, ']');
        if (!close || (close[1] && close[1] != ':')) {
            snprintf(err, errlen, "give HOST[:PORT], an IPv6 address as [::1]:1883");
            return -1;
        }
        h = addr + 1;
        hn = (size_t)(close - h);
        if (close[1] == ':') p = close + 2;
    } else {
        const char *colon = strchr(addr, ':');
        if (colon && strchr(colon + 1, ':')) colon = NULL;   /* a bare IPv6 address: no port */
        hn = colon ? (size_t)(colon - addr) : strlen(addr);
        if (colon) p = colon + 1;
    }
    if (hn == 0 || hn >= hostlen) {
        snprintf(err, errlen, hn ? "the host name is too long" : "give HOST[:PORT], e.g. 127.0.0.1:1883");
        return -1;
    }
    for (size_t i = 0; i < hn; i++) {
        if ((unsigned char)h[i] <= ' ' || h[i] == '/' || h[i] == '[' || h[i] == ']') {
            snprintf(err, errlen, "give HOST[:PORT], e.g. 127.0.0.1:1883");
            return -1;
        }
    }
    int pv = MQTT_DEFAULT_PORT;
    if (p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (!*p || *end || *p == '-' || *p == '+' || v < 1 || v > 65535) {
            snprintf(err, errlen, "the port must be a number from 1 to 65535 (MQTT's is 1883)");
            return -1;
        }
        pv = (int)v;
    }
    memcpy(host, h, hn);
    host[hn] = '\0';
    *port = pv;
    return 0;
}

size_t mqtt_slug(const char *name, char *out, size_t outlen)
{
    size_t n = 0, max = outlen - 1 < 64 ? outlen - 1 : 64;
    int dash = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n < max; p++) {
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n) {
                if (n + 2 > max) break;   /* no room for the dash and a character after it */
                out[n++] = '-';
            }
            dash = 0;
            out[n++] = (char)c;
        } else {
            dash = 1;
        }
    }
    out[n] = '\0';
    return n;
}

int mqtt_check(const char *addr, const char *store, char *err, size_t errlen)
{
    char host[256], why_addr[128], slug[65];
    int port;
    if (!addr && store) {
        snprintf(err, errlen, "--store %s: it names the store in --mqtt's topics; give --mqtt HOST[:PORT] too", store);
        return -1;
    }
    if (addr && mqtt_parse_addr(addr, host, sizeof host, &port, why_addr, sizeof why_addr) < 0) {
        snprintf(err, errlen, "--mqtt %s: %s", addr, why_addr);
        return -1;
    }
    if (store && !mqtt_slug(store, slug, sizeof slug)) {
        snprintf(err, errlen, "--store \"%s\": give a name with a letter or a digit", store);
        return -1;
    }
    return 0;
}

static void say(mqtt_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(mqtt_t *m, const char *fmt, ...)
{
    strbuf_t b = {0};
    strbuf_printf(&b, "%s: mqtt: ", m->who);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    strbuf_append(&b, "\n");
    fputs(strbuf_cstr(&b), stderr);   /* one write: the lane's thread and libmosquitto's both say things */
    strbuf_free(&b);
}

/* Why a connection failed, in words (rc a libmosquitto error; errno for MOSQ_ERR_ERRNO). */
static const char *why(int rc)
{
    if (rc == MOSQ_ERR_ERRNO) return strerror(errno);
    if (rc == MOSQ_ERR_EAI) return "no such host";
    if (rc == MOSQ_ERR_CONN_LOST) return "connection lost";
    return mosquitto_strerror(rc);
}

/* The events dropped since last said, if DROP_LOG_S has passed (or now is
 * the first time); force: whatever the time.  mu held. */
static void tell_dropped(mqtt_t *m, int force)
{
    if (m->dropped == m->dropped_told) return;
    double now = mono();
    if (!force && m->drop_told_at > 0 && now - m->drop_told_at < DROP_LOG_S) return;
    unsigned long n = m->dropped - m->dropped_told;
    say(m, "%lu event%s dropped: %lu (%.1f MB) already wait for the broker at %s:%d, the most kept in "
           "memory; %lu dropped in all (the store has them: kiosk export)",
        n, n == 1 ? "" : "s", m->pending, m->pending_bytes / 1048576.0, m->host, m->port, m->dropped);
    m->dropped_told = m->dropped;
    m->drop_told_at = now;
}

/* Gives libmosquitto the oldest of our queue while connected, up to
 * MQTT_WINDOW unacknowledged.  mu held. */
static void feed(mqtt_t *m)
{
    while (m->connected && m->ngiven < MQTT_WINDOW && m->head) {
        msg_t *q = m->head;
        if (!(m->head = q->next)) m->tail = NULL;
        int mid = 0;
        int rc = mosquitto_publish(m->mosq, &mid, q->topic, (int)q->len, q->data, 1, false);
        /* An id is given just before the message joins libmosquitto's
         * queue (after every check of its arguments); once it is there an
         * error only says it could not be written yet (the connection just
         * broke): it is sent again after the reconnection. */
        if (mid && rc != MOSQ_ERR_NOMEM) {
            m->given[m->ngiven].mid = mid;
            m->given[m->ngiven++].len = q->len;
        } else {
            m->pending--;
            m->pending_bytes -= q->len;
            if (!m->failed++)
                say(m, "cannot publish on %s: %s; such events are dropped", q->topic, mosquitto_strerror(rc));
            m->dropped++;
            m->dropped_told++;   /* said just now */
        }
        free(q);
    }
}

/* ---- libmosquitto's thread ---------------------------------------------------- */

static void on_connect(struct mosquitto *mosq, void *ctx, int rc)
{
    (void)mosq;
    mqtt_t *m = ctx;
    pthread_mutex_lock(&m->mu);
    if (rc) {
        if (!m->told_refused)
            say(m, "the broker at %s:%d refused the connection: %s; retrying", m->host, m->port,
                mosquitto_connack_string(rc));
        m->told_refused = 1;
    } else {
        double away = mono() - m->down_since;
        if (!m->ever_connected && !m->told_down)
            say(m, "connected to the broker at %s:%d: events go to %s<lane>/events", m->host, m->port, m->prefix);
        else if (m->pending)
            say(m, "%s the broker at %s:%d after %.0f s: sending the %lu event%s kept meanwhile",
                m->ever_connected ? "back to" : "reached", m->host, m->port, away, m->pending,
                m->pending == 1 ? "" : "s");
        else
            say(m, "%s the broker at %s:%d after %.0f s: no event was waiting", m->ever_connected ? "back to" : "reached",
                m->host, m->port, away);
        tell_dropped(m, 1);
        m->connected = m->ever_connected = 1;
        m->told_down = m->told_refused = 0;
        if (!m->ngiven) feed(m);   /* else libmosquitto sends what it holds first, and its PUBACKs feed */
    }
    pthread_mutex_unlock(&m->mu);
}

static void on_disconnect(struct mosquitto *mosq, void *ctx, int rc)
{
    (void)mosq;
    mqtt_t *m = ctx;
    pthread_mutex_lock(&m->mu);
    if (rc && !m->stopping) {
        if (m->connected) {
            m->down_since = mono();
            say(m, "lost the broker at %s:%d (%s): events are kept in memory until it is back (at most %d MB) "
                   "and the connection retried", m->host, m->port, why(rc), MQTT_QUEUE_MAX_BYTES >> 20);
            m->told_down = 1;
        } else if (!m->told_down) {
            say(m, "cannot reach the broker at %s:%d (%s); the kiosk runs on, events are kept in memory until "
                   "it can (at most %d MB) and the connection retried", m->host, m->port, why(rc),
                MQTT_QUEUE_MAX_BYTES >> 20);
            m->told_down = 1;
        }
    }
    m->connected = 0;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
}

/* A message's PUBACK: it has left our memory; the next may go. */
static void on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
    (void)mosq;
    mqtt_t *m = ctx;
    pthread_mutex_lock(&m->mu);
    for (int i = 0; i < m->ngiven; i++) {
        if (m->given[i].mid != mid) continue;
        m->pending--;
        m->pending_bytes -= m->given[i].len;
        m->given[i] = m->given[--m->ngiven];
        break;
    }
    feed(m);
    if (!m->pending) pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
}

/* ---- the starter ----------------------------------------------------------------- */

static void *starter(void *ctx)
{
    mqtt_t *m = ctx;
    double delay = 1;
    for (;;) {
        int rc = mosquitto_connect_async(m->mosq, m->host, m->port, KEEPALIVE_S);
        const char *reason = rc ? why(rc) : NULL;
        pthread_mutex_lock(&m->mu);
        if (!rc || m->stopping) {
            pthread_mutex_unlock(&m->mu);
            break;   /* under way: libmosquitto's thread has it from here */
        }
        if (!m->told_down)
            say(m, "cannot reach the broker at %s:%d (%s); the kiosk runs on, events are kept in memory until "
                   "it can (at most %d MB) and the connection retried", m->host, m->port, reason,
                MQTT_QUEUE_MAX_BYTES >> 20);
        m->told_down = 1;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)delay;
        while (!m->stopping && pthread_cond_timedwait(&m->cond, &m->mu, &until) != ETIMEDOUT) {
        }
        int stop = m->stopping;
        pthread_mutex_unlock(&m->mu);
        if (stop) break;
        delay = delay * 2 < MQTT_RETRY_MAX_S ? delay * 2 : MQTT_RETRY_MAX_S;
    }
    return NULL;
}

/* ---- the lane's thread --------------------------------------------------------- */

mqtt_t *mqtt_open(const char *addr, const char *store, const char *who, char *err, size_t errlen)
{
    mqtt_t *m = xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cond, NULL);
    m->who = xstrdup(who);
    m->down_since = mono();
    char why_addr[128];
    if (mqtt_check(addr, store, err, errlen) < 0 ||
        mqtt_parse_addr(addr, m->host, sizeof m->host, &m->port, why_addr, sizeof why_addr) < 0)
        goto err;
    char name[256] = "", slug[65];
    if (store) snprintf(name, sizeof name, "%s", store);
    else if (gethostname(name, sizeof name - 1) < 0) name[0] = '\0';
    if (!mqtt_slug(name, slug, sizeof slug)) strcpy(slug, "kiosk");   /* a hostname of no letter or digit */
    m->prefix = xasprintf("kiosk/%s/", slug);

    mosquitto_lib_init();   /* (counted by libmosquitto: mosquitto_lib_cleanup in mqtt_close) */
    /* a clean session and a client id of libmosquitto's making: the queue
     * of what is not yet acknowledged is ours, in memory, and two kiosks
     * (or a replay beside a lane) never take each other's id */
    if (!(m->mosq = mosquitto_new(NULL, true, m))) {
        snprintf(err, errlen, "cannot start an MQTT client: %s", strerror(errno));
        mosquitto_lib_cleanup();
        goto err;
    }
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_publish_callback_set(m->mosq, on_publish);
    mosquitto_reconnect_delay_set(m->mosq, 1, MQTT_RETRY_MAX_S, true);
    mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);   /* an event goes now, not with the next */
    if (mosquitto_loop_start(m->mosq) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot start the MQTT client's thread");
        goto err;
    }
    if (pthread_create(&m->starter, NULL, starter, m) != 0) {
        snprintf(err, errlen, "cannot start the MQTT client's thread");
        mosquitto_loop_stop(m->mosq, true);
        goto err;
    }
    m->starter_started = 1;
    return m;
err:
    if (m->mosq) {
        mosquitto_destroy(m->mosq);
        mosquitto_lib_cleanup();
    }
    free(m->prefix);
    free(m->who);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    free(m);
    return NULL;
}

void mqtt_publish(mqtt_t *m, const char *lane, const char *line)
{
    if (!m) return;
    if (!m->lane || strcmp(m->lane, lane)) {
        char slug[65];
        if (!mqtt_slug(lane, slug, sizeof slug)) strcpy(slug, "lane");
        free(m->lane);
        free(m->topic);
        m->lane = xstrdup(lane);
        m->topic = xasprintf("%s%s/events", m->prefix, slug);
    }
    size_t n = strlen(line), nt = strlen(m->topic);
    pthread_mutex_lock(&m->mu);
    if (m->pending >= MQTT_QUEUE_MAX_MSGS || m->pending_bytes + n > MQTT_QUEUE_MAX_BYTES) {
        m->dropped++;
        tell_dropped(m, 0);
        pthread_mutex_unlock(&m->mu);
        return;
    }
    msg_t *q = xmalloc(sizeof *q + n + 1 + nt + 1);
    q->next = NULL;
    q->len = n;
    memcpy(q->data, line, n + 1);
    q->topic = q->data + n + 1;
    memcpy(q->topic, m->topic, nt + 1);
    if (m->tail) m->tail->next = q;
    else m->head = q;
    m->tail = q;
    m->pending++;
    m->pending_bytes += n;
    feed(m);
    pthread_mutex_unlock(&m->mu);
}

unsigned long mqtt_close(mqtt_t *m, double drain_s)
{
    if (!m) return 0;
    pthread_mutex_lock(&m->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long ns = until.tv_nsec + (long)((drain_s - (long)drain_s) * 1e9);
    until.tv_sec += (time_t)drain_s + ns / 1000000000;
    until.tv_nsec = ns % 1000000000;
    while (m->pending && pthread_cond_timedwait(&m->cond, &m->mu, &until) != ETIMEDOUT) {
    }
    m->stopping = 1;
    pthread_cond_broadcast(&m->cond);
    unsigned long undelivered = m->pending, dropped = m->dropped;
    int connected = m->connected;
    pthread_mutex_unlock(&m->mu);
    if (m->starter_started) pthread_join(m->starter, NULL);
    mosquitto_disconnect(m->mosq);
    /* connected: the DISCONNECT goes out and the thread ends; else it may be
     * asleep between attempts (up to MQTT_RETRY_MAX_S) or in one: cancelled */
    mosquitto_loop_stop(m->mosq, !connected);
    if (undelivered || dropped)
        say(m, "%lu event%s not delivered (the broker at %s:%d %s), %lu dropped", undelivered,
            undelivered == 1 ? "" : "s", m->host, m->port, connected ? "was slow to take them" : "is away",
            dropped);
    mosquitto_destroy(m->mosq);
    mosquitto_lib_cleanup();
    for (msg_t *q = m->head, *next; q; q = next) {
        next = q->next;
        free(q);
    }
    free(m->lane);
    free(m->topic);
    free(m->prefix);
    free(m->who);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    free(m);
    return undelivered + dropped;
}
