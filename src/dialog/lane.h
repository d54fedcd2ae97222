/* lane.h: one drive-through lane's decisions, pure like the dialog: a car
 * arriving and leaving, the greeting and the thanks, each recognised turn
 * through the car's session, the crew's actions (take-over, talk, edits),
 * the page escalation, the customer's silences, what the board shows, and
 * every event line (one place makes them).
 *
 * Inputs are calls (lane_car_arrives, lane_turn, lane_crew, lane_tick, ...)
 * at the time the caller gives (lane_set_time); outputs are effects appended
 * to l->fx in order (an event line, words for the loudspeaker, a reply to a
 * crew station, a row for the store, ...).  Nothing here speaks, draws,
 * writes or reads a clock: src/kiosk/lane_io.c carries the effects out on
 * `kiosk run`'s devices, a script's standard output, or the store, and
 * tests/unit/test_lane.c checks them as tables. */
#ifndef KIOSK_LANE_H
#define KIOSK_LANE_H

#include "../crew/escalate.h"
#include "../crew/proto.h"
#include "session.h"

typedef struct {
    const char *name;         /* "Lane 1", for the crew stations */
    double threshold;         /* dialog_config_t's */
    double nudge, no_response, car_gone;   /* the customer's silences, seconds (kiosk run's options) */
    int board;                /* 1: the last car's board lingers after it leaves */
    int one_car;              /* 1: a confirmed car stays until lane_car_leaves (a recording's
                                 turns all belong to one car: kiosk replay) */
} lane_config_t;

typedef enum {
    LANE_FX_EVENT,      /* text: an event line, JSON without the newline; name: its type */
    LANE_FX_SAY,        /* text: words for the loudspeaker (the say event is the carrier's:
                           only it knows how long they took: lane_say_event) */
    LANE_FX_HUSH,       /* the loudspeaker stops at once (the crew took over or talks) */
    LANE_FX_CREW_PAGE,  /* text: the page in words for the crew's headset ("Lane 1: asked for a
                           person."); name: the reason; status: "page", "remind" or "manager"
                           (esc_level_names' but "page" for the first call).  With every page and
                           escalate event; the LANE_FX_ACK that closes the page stops it */
    LANE_FX_LOG,        /* text: a line for the person watching a kiosk without --events */
    LANE_FX_REPLY,      /* client, text: the answer to a crew station */
    LANE_FX_CREW_OK,    /* client, name: a crew action done: the board redrawn, then
                           {"ok": name, "board_ms": ...} to the station */
    /* for the store (store.h's operations of the same names) */
    LANE_FX_CAR_BEGIN,  /* a new car; text: the menu's title, name: the lane's */
    LANE_FX_TURN,       /* turn `turn` (file, heard, free_text, said, confidence, decode_ms,
                           audio_ms; name: its page reason or NULL) */
    LANE_FX_PAGE,       /* a page at turn `turn`; name: its reason (heard, free_text) */
    LANE_FX_ORDER,      /* the order changed: text its JSON, status, cents its total */
    LANE_FX_CONFIRM,    /* the order is confirmed (as LANE_FX_ORDER): nothing after this
                           effect may be carried out before the store has it on its disk */
    LANE_FX_ACK,        /* the open page acknowledged after after_s; name: by what */
    LANE_FX_CREW,       /* a crew action: name its kind, text its detail or NULL, ok, error */
    LANE_FX_CAR_END,    /* the car left: name why, text the order's JSON, status, cents */
} lane_fx_kind_t;
extern const char *const lane_fx_names[];   /* "event", "say", ... (tests, logs) */

typedef struct {
    lane_fx_kind_t kind;
    int car;                  /* the lane's car number (the events' "car"), 0 outside a car */
    double t;                 /* wall clock, seconds since the epoch */
    const char *name, *status;   /* static names, or NULL */
    char *text;
    int client;
    int turn;
    char *file, *heard, *free_text, *said, *error;
    double confidence, decode_ms, after_s;
    long audio_ms, cents;
    int ok;
} lane_fx_t;

typedef struct {
    lane_fx_t *v;
    int n, cap;
} lane_fxlist_t;
void lane_fx_clear(lane_fxlist_t *fx);

/* Speech the kiosk could not take as a turn (lane_missed), by why. */
typedef enum {
    LANE_MISS_OWN_VOICE,      /* what was heard is what the kiosk was saying: its own voice */
    LANE_MISS_DEVICE,         /* the microphone stopped during the turn */
    LANE_MISS_BUSY,           /* the recogniser could not take it (a newer turn replaced it) */
    LANE_MISS_OVERRUN,        /* samples were lost during the turn (it was decoded anyway) */
    LANE_MISS_N
} lane_miss_t;
extern const char *const lane_miss_names[];   /* "own_voice", ... (the missed event's reason) */
#define LANE_SAID_KEEP 3
/* Speech shorter than this that was lost is not worth asking again for. */
#define LANE_MISS_ASK_MS 300

typedef struct {
    const lane_config_t *cfg;
    const menu_t *menu;       /* the car's at the post, else the next car's */
    const menu_t *next_menu;  /* a newer menu waiting for the next car (lane_menu), or NULL */
    strlist_t menu_errors;    /* the menu file's errors while it fails to load (lane_menu_failed) */
    lane_fxlist_t fx;         /* effects not yet carried out, oldest first */
    double now, wall;         /* the input's time (lane_set_time): a monotonic clock, the wall clock */

    session_t *car;           /* NULL: no car at the post */
    session_t *last_car;      /* the car that left last, until the next arrives */
    int cars;                 /* cars so far (the events' "car") */
    int greet;                /* the next answer opens with the greeting */
    double last_activity;     /* the customer's speech or the kiosk's voice ended */
    int paged_no_response;
    int nudged;               /* "Take your time" said since the customer last spoke */
    int applied_turn;         /* the turn the crew's "apply" took, 0 none */
    page_reason_t page_reason;   /* of the open page */
    int board_dirty;          /* the view changed: draw before the next frame */
    double linger_until;      /* the last car's board stays up until then */
    escalation_t esc;
    int taken_over;           /* the crew took the car: the kiosk does not speak */
    int talking;              /* the crew's headset talk button is held */
    int store_failing;        /* the store is not saving (paged once) */
    char *said[LANE_SAID_KEEP];   /* the kiosk's last words for the loudspeaker, newest first */
    unsigned long missed[LANE_MISS_N];   /* speech not taken, by reason (lane_missed) */
    int barge_ins;            /* prompts the customer spoke over */
    /* the speaker post (lane_post_*): */
    int post;                 /* its link: 1 up, -1 down, 0 never heard (no post, or not yet) */
    int post_loop;            /* a vehicle on the loop, as the post last said */
    int post_crew;            /* the headset base's "crew present" line */
    int post_check;           /* the link just came up: the next inputs may hold a waiting car */
    int mic_fault;            /* the microphone stopped (lane_mic_ok) */
    int page_car;             /* the car (number) at the post when the open page was raised, 0 none */
    order_t empty;            /* what the board shows with no car */
} lane_t;

/* Ready, no car, at time 0. */
void lane_init(lane_t *l, const lane_config_t *cfg, const menu_t *menu);
void lane_free(lane_t *l);
/* The time of the inputs that follow: now on a monotonic clock (the loop's),
 * wall the wall clock's seconds since the epoch. */
void lane_set_time(lane_t *l, double now, double wall);

/* ---- inputs ---- */
void lane_car_arrives(lane_t *l);
void lane_car_leaves(lane_t *l, const char *why);
/* A recognised turn of the car at the post (a car arrives first if none is
 * there): r as the recogniser gave it, file where it came from ("mic"),
 * audio_ms its length, turn_end when its endpoint was reached.  While the
 * crew's talk is held the turn is kept for the transcript and not acted on
 * (session_overhear; its event has "overheard": true). */
void lane_turn(lane_t *l, const char *file, const asr_result_t *r, long audio_ms, double turn_end);
/* The words lane_turn would say for r if the turn ended now, without
 * changing anything (the car's dialog is tried on a copy): for an answer
 * spoken ahead while the customer may still go on.  Of a confirmation, only
 * its first sentence when more follows ("Thank you!": the rest says the
 * order is placed, and waits for the store's disk).  A page's words are
 * said ahead too: the page itself goes out when the turn ends.  NULL when
 * there are none: no car, the crew talking or holding the order.  Freed by
 * the caller. */
char *lane_preview(const lane_t *l, const asr_result_t *r);
/* The customer started speaking over the kiosk's voice: the loudspeaker
 * stops (LANE_FX_HUSH), a "barge_in" event; the turn goes on as any. */
void lane_barge_in(lane_t *l);
/* The prompt stopped for a customer who, after all, did not go on to say
 * anything (a cough, a bang): a "barge_in" event with "false": true and the
 * prompt again, whole. */
void lane_barge_false(lane_t *l);
/* Speech that did not become a turn (audio_ms long): a "missed" event with
 * the reason, a log line, and, when it may have been the car's order (not
 * the kiosk's own voice, not overrun, at least LANE_MISS_ASK_MS, a car the
 * kiosk holds), "Sorry, I missed that, could you say it again?". */
void lane_missed(lane_t *l, lane_miss_t why, long audio_ms);
/* 1 when the words heard (the free pass's text, else the grammar's) are
 * the kiosk's own last words: a turn heard while its voice was in the air
 * that repeats what it said (its read-back through the microphone), or no
 * word at all (once it has said something). */
int lane_own_voice(const lane_t *l, const char *heard, const char *free_text);
/* 1 when neither search heard a word. */
int lane_heard_nothing(const char *heard, const char *free_text);
/* A page from a timer or a device, with or without a car. */
void lane_outside_page(lane_t *l, page_reason_t why);
/* A crew station's action; client is passed back in the reply's effect. */
void lane_crew(lane_t *l, int client, const crew_msg_t *m);
/* The store stopped saving (what: its message, "... disk is full"): the
 * crew is paged once (device_fault), the lane goes on; a "store" event
 * says so and how many rows are held.  lane_store_saving: it works again. */
void lane_store_fault(lane_t *l, const char *what, unsigned long held);
void lane_store_saving(lane_t *l, unsigned long written, unsigned long dropped);
/* A newer menu, checked (src/kiosk/menu_watch.c reloads the file): the
 * menu of the cars that arrive from now on, at once when no car is at the
 * post.  The car at the post keeps its own menu, never changed mid-order,
 * but for availability: its dialog takes m's sold-out items (and items back
 * on sale) at once (dialog_stock).  An event "menu" (ok, the file, the
 * title, how many items, those sold out, any warnings, the car it applies
 * from) and a log line.  The caller keeps m alive while lane_menu_in_use. */
void lane_menu(lane_t *l, const menu_t *m);
/* The menu file failed to load (errs: "FILE:LINE:COL: what to do" lines):
 * the lane keeps its menu.  An event "menu" with ok false, the title of the
 * menu kept (the next car's) and the errors (the first LANE_MENU_ERRORS,
 * then "... and N more"), a log line; a
 * station that connects while the file is broken gets them in its state
 * line, until a good menu comes. */
#define LANE_MENU_ERRORS 10
void lane_menu_failed(lane_t *l, const char *file, const strlist_t *errs);
/* 1 while m is the lane's (l->menu, l->next_menu) or a car's that may still
 * be read (at the post, or the last one, whose board lingers). */
int lane_menu_in_use(const lane_t *l, const menu_t *m);
/* The customer's silence counts from t (they spoke, or the kiosk's voice
 * is still in the air until t). */
void lane_quiet_since(lane_t *l, double t);
/* The timers' decisions at the set time: a page nobody acknowledged
 * escalates, the customer's silence (nudge, no_response, an empty car gone),
 * the board's linger.  listening: the caller is not in a turn, not waiting
 * for a result and not speaking.  Returns the seconds until something may
 * be due. */
double lane_tick(lane_t *l, int listening);

/* ---- the speaker post (src/post/post.c) ----
 * While the post's link is up a car starts at loop arrival, greeted at once
 * ("Welcome to T! What can I get you?": the first answer does not welcome
 * again), and ends at departure ("gone", its order kept if it is the
 * crew's); speech with no car at the post is ignored (a log line: the
 * customer of a car that has confirmed and is pulling forward, a passer-by).
 * With no post, or its link down, speech starts cars as before. */
/* The link came up (1) or went down (0): a "post" event with "link", a log
 * line; down pages device_fault (with a "detail") and speech starts cars
 * again; up: the next lane_post_inputs starts a car already on the loop, or
 * ends the car at the lane if the loop is empty (it left meanwhile). */
void lane_post_link(lane_t *l, int up);
/* The loop's vehicle arrived (1) or left (0). */
void lane_post_loop(lane_t *l, int on);
/* The customer's help button: human_request, "by": "button" (once while
 * such a page is open). */
void lane_post_help(lane_t *l);
/* The headset base's talk button: the crew's talk override, as a station's
 * "talk" ("by": "button" on its override event). */
void lane_post_talk(lane_t *l, int down);
/* The headset base's "crew present" line: a "post" event with
 * "crew_present" when it changes, kept for the stations' state line. */
void lane_post_crew(lane_t *l, int present);
/* The post's heartbeat's inputs (loop, crew present). */
void lane_post_inputs(lane_t *l, int loop, int crew);
/* Frame errors, when they changed: counts by name, the kiosk's receiver's
 * and sender's (mine) and the post's (theirs).  A "post" event with
 * "errors" and "post_errors" objects, a log line. */
typedef struct {
    int n;
    const char *const *names;
    const unsigned long *v;
} lane_counts_t;
void lane_post_errors(lane_t *l, const lane_counts_t *mine, const lane_counts_t *theirs);
/* 1 when speech with no car should start one: no post, or its link down. */
int lane_speech_starts_car(const lane_t *l);
/* The microphone stopped (0) or works again (1): the lamp shows it (the
 * page is the caller's, lane_outside_page). */
void lane_mic_ok(lane_t *l, int ok);

/* The post's lamp, from the lane's state: the crew talking; a page open, the
 * car taken over or handed to the crew: crew coming; the microphone, the
 * store or the post's link failing: fault; else listening. */
typedef enum { LANE_LAMP_LISTENING, LANE_LAMP_CREW_COMING, LANE_LAMP_CREW_TALKING, LANE_LAMP_FAULT } lane_lamp_t;
extern const char *const lane_lamp_names[];   /* "listening", ... */
lane_lamp_t lane_lamp(const lane_t *l);

/* ---- what the board shows ---- */
typedef struct {
    const order_t *order;     /* never NULL */
    int car;                  /* a car is at the post */
    dialog_state_t state;     /* its dialog's (car) */
    int thanks;               /* no car: the last one confirmed and its board lingers */
    int talking;              /* the crew is talking to the car */
    const char *heard;        /* the words just heard, or NULL */
} lane_view_t;
void lane_view(const lane_t *l, lane_view_t *v);

/* The say event for words the loudspeaker gave (a LANE_FX_SAY's car and t)
 * in ms: appended to b without a newline.  ahead_ms > 0: they began that
 * long before t, said ahead of the turn's end (lane_preview); its field is
 * left out otherwise.  The carrier of the effects makes it, then sends it
 * out as any event line. */
void lane_say_event(strbuf_t *b, double t, int car, const char *text, long ms, long ahead_ms);

/* The "taken_back" event into b: an answer said ahead of the turn's end was
 * stopped after ms in the air (the customer went on, or the turn's answer
 * was another), so the customer heard only its start. */
void lane_taken_back_event(strbuf_t *b, double t, int car, const char *text, long ms);

#endif
