/* lane_io.h: the lane's hands.  The lane (src/dialog/lane.h) decides and
 * lists effects; this carries them out on whatever the command has: the
 * loudspeaker (device, voice), the order board and its window, the crew
 * stations, the store, and standard output (--events, or lines for a
 * person).  Any of them may be absent: a script has only standard output.
 *
 * Each input goes through a wrapper here: the lane's time set from the
 * loop's clock, the lane's input, then its effects carried out in order. */
#ifndef KIOSK_LANE_IO_H
#define KIOSK_LANE_IO_H

#include "../audio/device.h"
#include "../board/board.h"
#include "../crew/server.h"
#include "../dialog/lane.h"
#include "../net/mqtt.h"
#include "../store/writer.h"
#include "../ui/window.h"
#include "../util/loop.h"
#include "../util/outq.h"
#include "../voice/voice.h"
#include "crew_ears.h"

typedef struct lane_io_s lane_io_t;
/* Where the answer to a crew station's action goes (crew_server_reply, or
 * standard output in a script). */
typedef void (*lane_reply_fn)(lane_io_t *io, int client, const char *json);

struct lane_io_s {
    lane_t *lane;
    loop_t *loop;             /* its clock is the lane's */
    const char *who;          /* "kiosk run": the messages' prefix */
    int events;               /* 1: event lines on standard output */
    int log;                  /* 1: lines for a person on standard output (without events) */
    int narrate;              /* 1: a say event for every answer even with no loudspeaker (scripts) */
    const char *board_png;    /* save the board here whenever it changes, or NULL */
    double wall_epoch;        /* on the virtual clock: the wall clock at its 0 */
    device_t *dev;            /* the loudspeaker, or NULL */
    voice_t *voice;
    crew_ears_t *ears;        /* --crew-audio: pages in the crew's headset, or NULL */
    board_t *board;
    window_t *win;
    crew_server_t *crew;
    store_writer_t *writer;   /* the store's (lane_io_set_writer), or NULL */
    outq_t *out;              /* standard output's writer, or NULL: written directly */
    mqtt_t *mqtt;             /* --mqtt: the events to a broker too, or NULL */
    lane_reply_fn reply;
    double crew_t0;           /* when the crew action being carried out came in */
    lane_fxlist_t held;       /* effects not carried out yet, oldest first */
    unsigned long barrier;    /* the confirmation the held effects wait for (the writer's number), 0 none */
    int in_news;
    unsigned long fault_written;   /* the writer's last written number when saving stopped */
    /* told when the lamp the lane wants (lane_lamp) changes, after its
       effects are carried out: the speaker post's (src/post/post.c), or NULL */
    void (*lamp)(void *ctx, lane_lamp_t lamp);
    void *lamp_ctx;
    int lamp_told;            /* the lamp last told, -1 none yet */
    char *ahead;              /* an answer said ahead of its turn's end (lane_io_say_ahead), or NULL */
    size_t ahead_n;           /* ... its samples */
    double ahead_t;           /* ... when it began (the loop's clock) */
    int taken_back;           /* answers said ahead and stopped (lane_io_take_back), all told */
};

void lane_io_init(lane_io_t *io, lane_t *lane, loop_t *loop, const char *who);
double lane_io_wall(const lane_io_t *io);   /* the wall clock (a fixed day's on the virtual clock) */

/* The lane's inputs at the loop's time, their effects carried out.  Those
 * returning int give 0, or -1 when the store failed (logged). */
int lane_io_arrive(lane_io_t *io);
int lane_io_leave(lane_io_t *io, const char *why);
int lane_io_turn(lane_io_t *io, const char *file, const asr_result_t *r, long audio_ms, double turn_end);
int lane_io_page(lane_io_t *io, page_reason_t why);
int lane_io_barge_in(lane_io_t *io);
int lane_io_barge_false(lane_io_t *io);
/* Words on the loudspeaker outside the lane (no event: the start's sentence,
 * --echo-check's prompts); returns the 16 kHz samples queued (0 without a
 * voice or a device). */
size_t lane_io_play(lane_io_t *io, const char *text);
/* An answer said before its turn is final (lane_preview's): the lane's say
 * of the same words when the turn ends is not said again, only its event
 * goes out (a say that begins with them adds the rest); any other say, or
 * lane_io_take_back, stops it first. */
void lane_io_say_ahead(lane_io_t *io, const char *text);
/* The answer said ahead is not the answer after all (the customer went on,
 * or the turn said something else): the loudspeaker stops.  1 when there
 * was one. */
int lane_io_take_back(lane_io_t *io);
/* Synthesises texts (NULL-terminated; sentences, as they are said) ahead,
 * so that they play at once when first said. */
void lane_io_warm(lane_io_t *io, const char *const *texts);
int lane_io_missed(lane_io_t *io, lane_miss_t why, long audio_ms);
/* The speaker post's inputs (lane.h's lane_post_*), and the microphone's
 * state for the lamp (lane_mic_ok). */
int lane_io_post_link(lane_io_t *io, int up);
int lane_io_post_loop(lane_io_t *io, int on);
int lane_io_post_help(lane_io_t *io);
int lane_io_post_talk(lane_io_t *io, int down);
int lane_io_post_crew(lane_io_t *io, int present);
int lane_io_post_inputs(lane_io_t *io, int loop, int crew);
int lane_io_post_errors(lane_io_t *io, const lane_counts_t *mine, const lane_counts_t *theirs);
int lane_io_mic_ok(lane_io_t *io, int ok);
/* An event line of the adapter's own (not the lane's: `kiosk run
 * --echo-check`'s), to everyone who follows events. */
void lane_io_event(lane_io_t *io, const char *line, const char *type);
/* A crew station's action (a crew_msg_fn: ctx is the lane_io_t). */
void lane_io_crew(void *ctx, int client, int manager, const crew_msg_t *m);
/* lane_tick's: seconds until the next decision, or -1 when the store failed. */
double lane_io_tick(lane_io_t *io, int listening);
/* Carries out what the lane has listed, in order, up to a confirmation the
 * store has not got on its disk yet: what follows it waits (live: for the
 * writer's news on the loop; on the virtual clock it is waited for here).
 * Returns 0 (the store's failures are news: lane_store_fault). */
int lane_io_flush(lane_io_t *io);
/* The store goes through w from now on (its news watched on the loop). */
void lane_io_set_writer(lane_io_t *io, store_writer_t *w);
/* Before the end: waits (at most timeout seconds) for the held effects'
 * confirmation and carries them out. */
void lane_io_drain(lane_io_t *io, double timeout);
void lane_io_free(lane_io_t *io);

/* The store at path and its writer's thread, for lane_io_set_writer; cars
 * a stopped kiosk left open are closed (and said so on stderr, who: the
 * messages' prefix).  NULL with err. */
store_writer_t *lane_io_store_open(const char *who, const char *path, char *err, size_t errlen);
/* Writes what is left (trying for at most timeout seconds), says on stderr
 * what could not be written, and closes the store. */
void lane_io_store_close(const char *who, store_writer_t *w, double timeout);
/* Redraws the board (and its window and PNG) from the lane's view. */
void lane_io_board(lane_io_t *io);
/* A line for the person watching a kiosk without --events. */
void lane_io_log(lane_io_t *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
