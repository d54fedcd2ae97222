/* lane_io.c: see lane_io.h. */
#include "lane_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The virtual clock's day (2027-01-15 12:00 UTC): a script's events have
 * the same "t" on every run. */
#define VIRTUAL_EPOCH 1800014400.0

void lane_io_init(lane_io_t *io, lane_t *lane, loop_t *loop, const char *who)
{
    memset(io, 0, sizeof *io);
    io->lane = lane;
    io->loop = loop;
    io->who = who;
    io->wall_epoch = VIRTUAL_EPOCH;
    io->lamp_told = -1;
    lane_set_time(lane, loop_now(loop), lane_io_wall(io));
}

double lane_io_wall(const lane_io_t *io)
{
    if (loop_clock_is_virtual(io->loop)) return io->wall_epoch + loop_now(io->loop);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void now(lane_io_t *io)
{
    lane_set_time(io->lane, loop_now(io->loop), lane_io_wall(io));
}

/* Standard output (the --events reader, or a person) never holds up the
 * lane: lines go through a writer thread, and a reader that stops reading
 * loses lines, counted, rather than the lane its audio. */
static void out_line(lane_io_t *io, const char *text)
{
    strbuf_t b = {0};
    strbuf_append(&b, text);
    strbuf_append(&b, "\n");   /* one put: a dropped line goes whole */
    if (io->out) {
        outq_put(io->out, strbuf_cstr(&b), b.len);
    } else {
        fwrite(strbuf_cstr(&b), 1, b.len, stdout);   /* no writer thread: the lane waits rather than loses */
        fflush(stdout);
    }
    strbuf_free(&b);
}

void lane_io_log(lane_io_t *io, const char *fmt, ...)
{
    if (!io->log) return;
    strbuf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    out_line(io, strbuf_cstr(&b));
    strbuf_free(&b);
}

/* One event line to everyone who keeps or watches them. */
static void event(lane_io_t *io, const char *line, const char *type, int car, double t)
{
    if (io->crew) crew_server_broadcast(io->crew, line, 0);
    if (io->writer) {
        store_op_t op = { .kind = STORE_EVENT, .car = car, .t = t, .name = type, .text = (char *)line };
        store_writer_put(io->writer, &op);
    }
    if (io->events) out_line(io, line);
    if (io->mqtt) mqtt_publish(io->mqtt, io->lane->cfg->name, line);
}

/* The length of text's first sentence (through its ". ", "! " or "? "), or
 * of all of it. */
static size_t sentence_len(const char *text)
{
    for (const char *p = text; *p; p++)
        if ((*p == '.' || *p == '!' || *p == '?') && p[1] == ' ') return (size_t)(p - text) + 1;
    return strlen(text);
}

/* Words for the loudspeaker, a sentence at a time: the first is playing
 * while the next is synthesised (and each is the voice's to keep: "Anything
 * else?" is made once).  The samples given to the device, in *n. */
static void speak_parts(lane_io_t *io, const char *text, size_t *n)
{
    *n = 0;
    while (*text) {
        while (*text == ' ') text++;
        size_t l = sentence_len(text);
        if (!l) break;
        char *part = xstrndup(text, l);
        int16_t *pcm = NULL;
        size_t k = 0;
        char err[256];
        if (voice_say(io->voice, part, &pcm, &k, err, sizeof err) < 0 ||
            device_play(io->dev, pcm, k, err, sizeof err) < 0)
            fprintf(stderr, "%s: %s\n", io->who, err);
        *n += k;
        free(pcm);
        free(part);
        text += l;
    }
}

size_t lane_io_play(lane_io_t *io, const char *text)
{
    size_t n = 0;
    if (io->voice && io->dev) speak_parts(io, text, &n);
    return n;
}

void lane_io_warm(lane_io_t *io, const char *const *texts)
{
    if (!io->voice) return;
    for (int i = 0; texts[i]; i++) {
        int16_t *pcm = NULL;
        size_t n;
        char err[256];
        if (voice_say(io->voice, texts[i], &pcm, &n, err, sizeof err) < 0)
            fprintf(stderr, "%s: %s\n", io->who, err);
        free(pcm);
    }
}

void lane_io_say_ahead(lane_io_t *io, const char *text)
{
    lane_io_take_back(io);
    if (!io->voice || !io->dev) return;
    io->ahead_t = loop_now(io->loop);
    speak_parts(io, text, &io->ahead_n);
    io->ahead = xstrdup(text);
}

int lane_io_take_back(lane_io_t *io)
{
    if (!io->ahead) return 0;
    if (io->dev) device_hush(io->dev);
    io->taken_back++;
    /* the customer heard its start: the crew can read what (at most all of it) */
    long ms = (long)((loop_now(io->loop) - io->ahead_t) * 1000.0), all = (long)(io->ahead_n * 1000 / 16000);
    strbuf_t b = {0};
    int car = io->lane->car ? io->lane->cars : 0;
    double wall = lane_io_wall(io);
    lane_taken_back_event(&b, wall, car, io->ahead, ms < all ? ms : all);
    event(io, strbuf_cstr(&b), "taken_back", car, wall);
    strbuf_free(&b);
    free(io->ahead);
    io->ahead = NULL;
    io->ahead_n = 0;
    return 1;
}

/* Words for the loudspeaker; the say event with how long they took. */
static void say(lane_io_t *io, const lane_fx_t *e)
{
    size_t n = 0, al = io->ahead ? strlen(io->ahead) : 0;
    long ahead_ms = 0;
    if (io->ahead && !strncmp(io->ahead, e->text, al) && (!e->text[al] || e->text[al] == ' ')) {
        /* in the air already, or its first sentences: the rest follows them */
        n = io->ahead_n;
        ahead_ms = (long)((loop_now(io->loop) - io->ahead_t) * 1000.0);
        free(io->ahead);
        io->ahead = NULL;
        size_t k = 0;
        if (e->text[al] && io->voice && io->dev) speak_parts(io, e->text + al, &k);
        n += k;
    } else if (io->voice && io->dev) {
        lane_io_take_back(io);
        speak_parts(io, e->text, &n);
    } else if (!io->narrate) {
        return;   /* a silent kiosk says nothing, and no event claims it did */
    }
    strbuf_t b = {0};
    lane_say_event(&b, e->t, e->car, e->text, (long)(n * 1000 / 16000), ahead_ms);
    event(io, strbuf_cstr(&b), "say", e->car, e->t);
    strbuf_free(&b);
}

/* A row for the store, to its writer; returns the writer's number for it. */
static unsigned long store(lane_io_t *io, const lane_fx_t *e)
{
    static const store_op_kind_t kinds[] = {
        [LANE_FX_CAR_BEGIN] = STORE_CAR_BEGIN, [LANE_FX_TURN] = STORE_TURN, [LANE_FX_PAGE] = STORE_PAGE,
        [LANE_FX_ORDER] = STORE_ORDER, [LANE_FX_CONFIRM] = STORE_CONFIRM, [LANE_FX_ACK] = STORE_ACK,
        [LANE_FX_CREW] = STORE_CREW, [LANE_FX_CAR_END] = STORE_CAR_END,
    };
    store_op_t op = {
        .kind = kinds[e->kind], .car = e->car, .t = e->t, .turn = e->turn, .name = e->name, .status = e->status,
        .text = e->text, .file = e->file, .heard = e->heard, .free_text = e->free_text, .said = e->said,
        .error = e->error, .confidence = e->confidence, .decode_ms = e->decode_ms, .after_s = e->after_s,
        .audio_ms = e->audio_ms, .cents = e->cents, .ok = e->ok,
    };
    return store_writer_put(io->writer, &op);
}

void lane_io_board(lane_io_t *io)
{
    lane_t *l = io->lane;
    l->board_dirty = 0;
    if (!io->board) return;
    lane_view_t lv;
    lane_view(l, &lv);
    board_view_t v = { l->menu->title, lv.order, BOARD_WELCOME, lv.heard };
    if (lv.car) v.banner = board_banner_for(lv.state, 1);
    else if (lv.thanks) v.banner = BOARD_THANKS;
    if (lv.talking) v.banner = BOARD_TEAM_SPEAKING;
    board_draw(io->board, &v);
    int w, h, pitch;
    const uint32_t *px = board_pixels(io->board, &w, &h, &pitch);
    window_show(io->win, px, w, h, pitch);
    char err[512];
    if (io->board_png && board_save_png(io->board, io->board_png, err, sizeof err) < 0)
        fprintf(stderr, "%s: --board %s\n", io->who, err);
}

/* One effect carried out; 1 when it is a confirmation the rest must wait for. */
static int carry_out(lane_io_t *io, const lane_fx_t *e)
{
    switch (e->kind) {
    case LANE_FX_EVENT: event(io, e->text, e->name, e->car, e->t); break;
    case LANE_FX_SAY: say(io, e); break;
    case LANE_FX_HUSH: if (!lane_io_take_back(io) && io->dev) device_hush(io->dev); break;
    case LANE_FX_CREW_PAGE: if (io->ears) crew_ears_page(io->ears, e->status, e->text); break;
    case LANE_FX_LOG: if (io->log) out_line(io, e->text); break;
    case LANE_FX_REPLY: if (io->reply) io->reply(io, e->client, e->text); break;
    case LANE_FX_CREW_OK: {
        /* the board first: the station is told how long it took */
        lane_io_board(io);
        strbuf_t r = {0};
        strbuf_append(&r, "{\"ok\": ");
        strbuf_json_str(&r, e->name);
        strbuf_printf(&r, ", \"board_ms\": %.2f}", (loop_now(io->loop) - io->crew_t0) * 1000.0);
        if (io->reply) io->reply(io, e->client, strbuf_cstr(&r));
        strbuf_free(&r);
        break;
    }
    case LANE_FX_CONFIRM:
        if (!io->writer) break;
        io->barrier = store(io, e);
        if (loop_clock_is_virtual(io->loop)) {   /* nothing else moves: wait here */
            store_writer_wait(io->writer, io->barrier, 30);
            io->barrier = 0;
            break;
        }
        return 1;
    case LANE_FX_ACK:
        if (io->ears) crew_ears_ack(io->ears);   /* the page was heard: the headset stops */
        if (io->writer) store(io, e);
        break;
    case LANE_FX_CAR_BEGIN:
    case LANE_FX_TURN:
    case LANE_FX_PAGE:
    case LANE_FX_ORDER:
    case LANE_FX_CREW:
    case LANE_FX_CAR_END:
        if (io->writer) store(io, e);
        break;
    }
    return 0;
}

/* The held effects, in order, until one must wait for the store. */
static void run_held(lane_io_t *io)
{
    lane_fxlist_t *h = &io->held;
    int done = 0;
    while (done < h->n && !io->barrier) {
        if (carry_out(io, &h->v[done++])) break;
    }
    /* drop what was carried out, keep the rest in order */
    lane_fxlist_t gone = { h->v, done, done };
    lane_fx_clear(&gone);
    if (done && h->n > done) memmove(h->v, h->v + done, (size_t)(h->n - done) * sizeof *h->v);
    h->n -= done;
    if (io->lane->board_dirty && !h->n) lane_io_board(io);
}

/* The store's news: saving stopped or came back (lane inputs), a
 * confirmation on the disk (the held effects go on). */
static void news(lane_io_t *io)
{
    if (!io->writer || io->in_news) return;
    io->in_news = 1;
    store_news_t n;
    store_writer_news(io->writer, &n);
    lane_t *l = io->lane;
    /* back: said once all it held is written (the writer wakes the loop then) */
    if (n.failing ? !l->store_failing : l->store_failing && !n.held) {
        lane_set_time(l, loop_now(io->loop), lane_io_wall(io));
        if (n.failing) {
            fprintf(stderr, "%s: orders are not being saved: %s; holding them in memory and trying again every "
                            "second\n", io->who, n.error);
            io->fault_written = n.written;
            lane_store_fault(l, n.error, n.held);
        } else {
            fprintf(stderr, "%s: the store is saving again: %lu held rows written\n", io->who,
                    n.written - io->fault_written);
            lane_store_saving(l, n.written - io->fault_written, n.dropped);
        }
        lane_io_flush(io);
    }
    if (io->barrier && n.tried >= io->barrier) {
        io->barrier = 0;
        run_held(io);
    }
    io->in_news = 0;
}

int lane_io_flush(lane_io_t *io)
{
    lane_t *l = io->lane;
    lane_fxlist_t *h = &io->held;
    /* the lane's effects join the held ones (their strings now the held list's) */
    if (h->n + l->fx.n > h->cap) {
        h->cap = h->n + l->fx.n + 16;
        h->v = xrealloc(h->v, (size_t)h->cap * sizeof *h->v);
    }
    if (l->fx.n) memcpy(h->v + h->n, l->fx.v, (size_t)l->fx.n * sizeof *h->v);   /* h->v may be NULL yet */
    h->n += l->fx.n;
    l->fx.n = 0;
    run_held(io);
    news(io);
    if (io->lamp) {
        lane_lamp_t want = lane_lamp(l);
        if ((int)want != io->lamp_told) {
            io->lamp_told = (int)want;
            io->lamp(io->lamp_ctx, want);
        }
    }
    return 0;
}

static void on_store(loop_t *loop, int fd, int mask, void *ctx)
{
    (void)loop;
    (void)fd;
    (void)mask;
    news(ctx);
}

void lane_io_set_writer(lane_io_t *io, store_writer_t *w)
{
    io->writer = w;
    if (w && !loop_clock_is_virtual(io->loop)) loop_add_file(io->loop, store_writer_fd(w), LOOP_READ, on_store, io);
}

void lane_io_drain(lane_io_t *io, double timeout)
{
    while (io->held.n || io->barrier) {
        if (io->barrier) {
            store_writer_wait(io->writer, io->barrier, timeout);
            io->barrier = 0;
        }
        run_held(io);
    }
}

void lane_io_free(lane_io_t *io)
{
    lane_fx_clear(&io->held);
    free(io->held.v);
    free(io->ahead);
    io->ahead = NULL;
    io->held.v = NULL;
    io->held.cap = 0;
}

int lane_io_arrive(lane_io_t *io)
{
    now(io);
    lane_car_arrives(io->lane);
    return lane_io_flush(io);
}

int lane_io_leave(lane_io_t *io, const char *why)
{
    now(io);
    lane_car_leaves(io->lane, why);
    return lane_io_flush(io);
}

int lane_io_turn(lane_io_t *io, const char *file, const asr_result_t *r, long audio_ms, double turn_end)
{
    now(io);
    lane_turn(io->lane, file, r, audio_ms, turn_end);
    return lane_io_flush(io);
}

int lane_io_barge_in(lane_io_t *io)
{
    now(io);
    lane_barge_in(io->lane);
    return lane_io_flush(io);
}

int lane_io_barge_false(lane_io_t *io)
{
    now(io);
    lane_barge_false(io->lane);
    return lane_io_flush(io);
}

int lane_io_missed(lane_io_t *io, lane_miss_t why, long audio_ms)
{
    now(io);
    lane_missed(io->lane, why, audio_ms);
    return lane_io_flush(io);
}

int lane_io_post_link(lane_io_t *io, int up)
{
    now(io);
    lane_post_link(io->lane, up);
    return lane_io_flush(io);
}

int lane_io_post_loop(lane_io_t *io, int on)
{
    now(io);
    lane_post_loop(io->lane, on);
    return lane_io_flush(io);
}

int lane_io_post_help(lane_io_t *io)
{
    now(io);
    lane_post_help(io->lane);
    return lane_io_flush(io);
}

int lane_io_post_talk(lane_io_t *io, int down)
{
    now(io);
    lane_post_talk(io->lane, down);
    return lane_io_flush(io);
}

int lane_io_post_crew(lane_io_t *io, int present)
{
    now(io);
    lane_post_crew(io->lane, present);
    return lane_io_flush(io);
}

int lane_io_post_inputs(lane_io_t *io, int loop, int crew)
{
    now(io);
    lane_post_inputs(io->lane, loop, crew);
    return lane_io_flush(io);
}

int lane_io_post_errors(lane_io_t *io, const lane_counts_t *mine, const lane_counts_t *theirs)
{
    now(io);
    lane_post_errors(io->lane, mine, theirs);
    return lane_io_flush(io);
}

int lane_io_mic_ok(lane_io_t *io, int ok)
{
    now(io);
    lane_mic_ok(io->lane, ok);
    return lane_io_flush(io);
}

void lane_io_event(lane_io_t *io, const char *line, const char *type)
{
    event(io, line, type, 0, lane_io_wall(io));
}

int lane_io_page(lane_io_t *io, page_reason_t why)
{
    now(io);
    lane_outside_page(io->lane, why);
    return lane_io_flush(io);
}

void lane_io_crew(void *ctx, int client, int manager, const crew_msg_t *m)
{
    (void)manager;
    lane_io_t *io = ctx;
    now(io);
    io->crew_t0 = loop_now(io->loop);
    lane_crew(io->lane, client, m);
    if (lane_io_flush(io) < 0) fprintf(stderr, "%s: the store failed during a crew action\n", io->who);
}

double lane_io_tick(lane_io_t *io, int listening)
{
    now(io);
    double next = lane_tick(io->lane, listening);
    return lane_io_flush(io) < 0 ? -1 : next;
}

store_writer_t *lane_io_store_open(const char *who, const char *path, char *err, size_t errlen)
{
    int interrupted = 0;
    store_t *s = store_open(path, &interrupted, err, (unsigned)errlen);
    if (!s) return NULL;
    if (interrupted)
        fprintf(stderr, "%s: %s: %d car%s left open by a kiosk that stopped: closed as interrupted, %s order%s kept\n",
                who, path, interrupted, interrupted == 1 ? "" : "s", interrupted == 1 ? "its" : "their",
                interrupted == 1 ? "" : "s");
    store_writer_t *w = store_writer_start(s, err, (unsigned)errlen);
    if (!w) store_close(s);
    return w;
}

void lane_io_store_close(const char *who, store_writer_t *w, double timeout)
{
    if (!w) return;
    store_t *s = store_writer_store(w);
    unsigned long left = store_writer_stop(w, timeout);
    if (left)
        fprintf(stderr, "%s: %s: %lu row%s could not be saved before the end (the disk or database still "
                        "failing after %.0f s)\n", who, store_path(s), left, left == 1 ? "" : "s", timeout);
    store_close(s);
}
