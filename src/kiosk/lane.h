/* lane.h: one drive-through lane's behaviour, shared by `kiosk run` (live,
 * on the real clock) and `kiosk replay --script` (on the virtual clock): a car
 * arriving and leaving, the greeting and the thanks, each recognised turn
 * through the session, the crew's actions, the page escalation, the
 * customer's silences, and every event line (one place makes them).
 *
 * What it drives is passed in and may be absent: the loudspeaker (dev,
 * voice), the order board (board, win), the crew stations (crew), the store.
 * Time is the loop's clock; nothing here sleeps or polls.  Where the audio
 * comes from (a microphone, WAV files, words in a script) is the caller's. */
#ifndef KIOSK_LANE_H
#define KIOSK_LANE_H

#include "../audio/device.h"
#include "../board/board.h"
#include "../crew/escalate.h"
#include "../crew/server.h"
#include "../ui/window.h"
#include "../util/loop.h"
#include "../util/outq.h"
#include "../voice/voice.h"
#include "session.h"

typedef struct {
    const char *name;         /* "Lane 1", for the crew stations */
    double threshold;         /* dialog_config_t's */
    double nudge, no_response, car_gone;   /* the customer's silences, seconds (kiosk run's options) */
    int events;               /* 1: event lines on standard output; 0: lines for a person */
    int narrate;              /* 1: a say event for every answer even with no loudspeaker (scripts) */
    const char *board_png;    /* save the board here whenever it changes, or NULL */
} lane_config_t;

typedef struct lane_s lane_t;
/* Where the answer to a crew station's action goes (crew_server_reply, or
 * standard output in a script). */
typedef void (*lane_reply_fn)(lane_t *l, int client, const char *json);

struct lane_s {
    const lane_config_t *cfg;
    const menu_t *menu;
    asr_t *asr;               /* for the sessions (NULL in a script of words only) */
    store_t *store;
    loop_t *loop;             /* its clock is the lane's */
    device_t *dev;            /* the loudspeaker, or NULL */
    voice_t *voice;
    board_t *board;
    window_t *win;
    crew_server_t *crew;
    lane_reply_fn reply;
    outq_t *out;              /* standard output's writer, or NULL: written directly */

    session_t *car;           /* NULL: no car at the post */
    int cars;                 /* cars so far (the events' "car") */
    int greet;                /* the next answer opens with the greeting */
    double last_activity;     /* the customer's speech or the kiosk's voice ended */
    int paged_no_response;
    int nudged;               /* "Take your time" said since the customer last spoke */
    int applied_turn;         /* the turn the crew's "apply" took, 0 none */
    page_reason_t page_reason;   /* of the open page */
    double mute_until;        /* not listening before this (the voice's tail) */
    int board_dirty;          /* the view changed: draw before the next frame */
    order_t no_order;         /* what the board shows between cars: the last car's order
                                 while linger_until, then nothing */
    double linger_until;      /* the last car's board stays up until then */
    escalation_t esc;
    int taken_over;           /* the crew took the car: the kiosk does not speak */
    int talking;              /* the crew's headset talk button is held */
    double ev_t;              /* the event being made: its time and type (ev_begin) */
    const char *ev_type;
};

/* Ready, no car; the caller then sets the adapters it has. */
void lane_init(lane_t *l, const lane_config_t *cfg, const menu_t *menu, loop_t *loop);
void lane_free(lane_t *l);
double lane_now(const lane_t *l);    /* the loop's clock */
double lane_wall(const lane_t *l);   /* seconds since the epoch (a fixed day on the virtual clock) */

int lane_car_arrives(lane_t *l);     /* 0, or -1 when the store failed (logged) */
int lane_car_leaves(lane_t *l, const char *why);
/* A recognised turn of the car at the post: r as the recogniser gave it,
 * audio_ms its length, turn_end when its endpoint was reached (lane_now). */
int lane_turn(lane_t *l, const asr_result_t *r, long audio_ms, double turn_end);
/* A page from a timer or a device, with or without a car. */
void lane_outside_page(lane_t *l, page_reason_t why);
/* A crew station's action (a crew_msg_fn: ctx is the lane). */
void lane_crew(void *ctx, int client, int manager, const crew_msg_t *m);
/* The timers' decisions at lane_now: a page nobody acknowledged escalates,
 * the customer's silence (nudge, no_response, an empty car gone), the
 * board's linger.  listening: the caller is not in a turn, not waiting for
 * a result and not speaking.  Returns the seconds until something may be
 * due, or -1 when the store failed as a car left. */
double lane_tick(lane_t *l, int listening);
void lane_board_update(lane_t *l);
/* A line for the person watching a headless kiosk without --events. */
void lane_log(lane_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
