/* post.h: the speaker post on its serial line, the kiosk's side of
 * firmware/proto/link.h (the same link.c and frame.c as the firmware's,
 * compiled into the kiosk).  The line is opened raw at 38400 8N1, non-blocking;
 * the post's frames become lane inputs through lane_io (loop arrival and
 * departure, the help button, the headset's talk button and crew-present
 * line, its heartbeat's inputs and error counters); the kiosk sends a
 * heartbeat each second with the lamp it wants, and FT_LAMP (acknowledged)
 * whenever that changes (lane_io's lamp hook).  A line that goes away (EIO,
 * a hang-up: a USB adapter pulled) is closed and reopened every
 * POST_REOPEN_MS, logged on stderr, never fatal; the link's own silence
 * detection then says the post is down.
 *
 * Time is a parameter (milliseconds, 16 bits, as link.h's), so the tests
 * drive a post_line_t with a virtual clock; post_attach does it from a loop. */
#ifndef KIOSK_POST_H
#define KIOSK_POST_H

#include <stddef.h>
#include <stdint.h>

#include "../kiosk/lane_io.h"
#include "../util/loop.h"

#define POST_REOPEN_MS 2000
/* the post's counters in its heartbeat (frame.h's ST_CRC..ST_GAVE_UP) */
#define POST_PEER_ERRORS 7

typedef struct post_s post_line_t;

/* Opens the line at path for io's lane (its lamp hook set); now: the clock.
 * NULL with err ("PATH: No such file or directory", "PATH: not a serial
 * line (a tty)...", errno ENOTTY for the latter). */
post_line_t *post_open(const char *path, lane_io_t *io, uint16_t now, char *err, size_t errlen);
/* Watches the line on loop and runs post_poll every few milliseconds, the
 * clock being loop's. */
void post_attach(post_line_t *p, loop_t *loop);
void post_close(post_line_t *p);

/* The bytes waiting on the line, through the link (frames delivered as lane
 * inputs).  A line that went away is closed here (reopened by post_poll). */
void post_read(post_line_t *p, uint16_t now);
/* The link's timers (retransmission, truncated frames, link loss), the
 * heartbeat, the error counters' event (checked each heartbeat), a post
 * never heard from for LINK_LOSS_MS, reopening a line that went away. */
void post_poll(post_line_t *p, uint16_t now);

int post_fd(const post_line_t *p);   /* the line's descriptor, -1 while it is away */
int post_up(const post_line_t *p);   /* the link is up */
/* The kiosk's link counters (link_err_names' order, LE_N of them) and the
 * post's last reported (frame.h's ST_CRC.. order, POST_PEER_ERRORS). */
void post_errors(const post_line_t *p, unsigned long mine[], unsigned long theirs[]);
extern const char *const post_peer_error_names[POST_PEER_ERRORS];
/* For the stop line: "speaker post /dev/ttyUSB0: link up; frame errors at
 * the kiosk: crc 2; at the post: none". */
void post_stats(const post_line_t *p, strbuf_t *b);

#endif
