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
    io->store_car = -1;
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
    char err[512];
    long id = car && car == io->store_car_no ? io->store_car : 0;
    if (io->store && store_event(io->store, id, t, type, line, err, sizeof err) < 0)
        fprintf(stderr, "%s: %s\n", io->who, err);
    if (io->events) out_line(io, line);
    if (io->mqtt) mqtt_publish(io->mqtt, io->lane->cfg->name, line);
}

/* Words for the loudspeaker; the say event with how long they took. */
static void say(lane_io_t *io, const lane_fx_t *e)
{
    size_t n = 0;
    if (io->voice && io->dev) {
        int16_t *pcm = NULL;
        char err[256];
        if (voice_say(io->voice, e->text, &pcm, &n, err, sizeof err) < 0 ||
            device_play(io->dev, pcm, n, err, sizeof err) < 0)
            fprintf(stderr, "%s: %s\n", io->who, err);
        free(pcm);
    } else if (!io->narrate) {
        return;   /* a silent kiosk says nothing, and no event claims it did */
    }
    strbuf_t b = {0};
    lane_say_event(&b, e->t, e->car, e->text, (long)(n * 1000 / 16000));
    event(io, strbuf_cstr(&b), "say", e->car, e->t);
    strbuf_free(&b);
}

/* A row for the store: 0, or -1 (logged). */
static int store(lane_io_t *io, const lane_fx_t *e)
{
    char err[512];
    int rc = 0;
    switch (e->kind) {
    case LANE_FX_CAR_BEGIN:
        io->store_car_no = e->car;
        io->store_car = store_car_begin(io->store, e->text, e->t, err, sizeof err);
        rc = io->store_car < 0 ? -1 : 0;
        break;
    case LANE_FX_TURN:
        rc = store_turn(io->store, io->store_car, e->turn, e->t, e->file, e->heard, e->free_text, e->confidence,
                        e->said, e->name, err, sizeof err);
        break;
    case LANE_FX_PAGE:
        rc = store_page(io->store, io->store_car, e->turn, e->t, e->name, e->heard, e->free_text, err, sizeof err);
        break;
    case LANE_FX_CAR_END:
        rc = store_car_end(io->store, io->store_car, e->t, e->name, e->cents, e->text, err, sizeof err);
        break;
    default:
        break;
    }
    if (rc < 0) fprintf(stderr, "%s: %s\n", io->who, err);
    return rc;
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

int lane_io_flush(lane_io_t *io)
{
    lane_t *l = io->lane;
    int rc = 0;
    /* an effect may not add effects, so the list stays put while it is read */
    for (int i = 0; i < l->fx.n; i++) {
        const lane_fx_t *e = &l->fx.v[i];
        switch (e->kind) {
        case LANE_FX_EVENT: event(io, e->text, e->name, e->car, e->t); break;
        case LANE_FX_SAY: say(io, e); break;
        case LANE_FX_HUSH: if (io->dev) device_hush(io->dev); break;
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
        case LANE_FX_CAR_BEGIN:
        case LANE_FX_TURN:
        case LANE_FX_PAGE:
        case LANE_FX_CAR_END:
            if (io->store && store(io, e) < 0) rc = -1;
            break;
        }
    }
    lane_fx_clear(&l->fx);
    if (l->board_dirty) lane_io_board(io);
    return rc;
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
