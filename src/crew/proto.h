/* proto.h: the crew station's messages to the kiosk, one JSON object per
 * line, checked at the edge (text from a socket is untrusted).
 *
 *   {"auth": "TOKEN", "role": "crew"}      first message of a connection; role
 *                                          "crew" (default) or "manager"
 *   {"action": "ack"}                      acknowledge the open page
 *   {"action": "take_over"}                the crew takes the car: the kiosk stops
 *                                          speaking and acting on speech
 *   {"action": "hand_back"}                the kiosk takes the car again
 *   {"action": "edit", "say": "two large cokes"}   change the order the way a
 *                                          customer would say it ("remove the fries",
 *                                          "make the coke a sprite")
 *   {"action": "remove", "line": 2}        remove order line 2 (1-based)
 *   {"action": "confirm"}                  confirm and send the order
 *   {"action": "cancel"}                   cancel the order
 *   {"action": "talk", "down": true}       the headset's talk button pressed
 *                                          (false: released)
 *   {"action": "gone"}                     the car drove off: it leaves, its order
 *                                          kept as it stands (a silent car the crew
 *                                          owns never leaves by itself)
 *   {"action": "apply"}                    the customer's last turn applied as the
 *                                          kiosk heard it (the crew agrees with it)
 *
 * The kiosk answers each with {"ok": ACTION, ...} or {"error": "why"}, and
 * sends every event of `kiosk run --events` to authenticated stations.  After
 * {"ok": "auth"} it sends the station a "state" line (the lane, the car at
 * the post, its order, an open page) so a station started mid-car is current. */
#ifndef KIOSK_CREW_PROTO_H
#define KIOSK_CREW_PROTO_H

#include <stddef.h>

#define CREW_MAX_LINE 1024     /* longest message, newline excluded; longer is refused */
#define CREW_TOKEN_LEN 32      /* hex characters of a token */

typedef enum {
    CREW_AUTH,
    CREW_ACK,
    CREW_TAKE_OVER,
    CREW_HAND_BACK,
    CREW_EDIT,
    CREW_REMOVE,
    CREW_CONFIRM,
    CREW_CANCEL,
    CREW_TALK,
    CREW_GONE,
    CREW_APPLY,
    CREW_KINDS              /* how many kinds there are (not a kind) */
} crew_kind_t;
extern const char *const crew_kind_names[];   /* "auth", "ack", "take_over", ... */

typedef struct {
    crew_kind_t kind;
    char token[CREW_TOKEN_LEN + 1];   /* AUTH */
    int manager;                      /* AUTH: role "manager" */
    char say[CREW_MAX_LINE + 1];      /* EDIT: the words, lower case, plain */
    int line;                         /* REMOVE: 1-based */
    int down;                         /* TALK */
} crew_msg_t;

/* Parses one message of len bytes (no newline; not NUL-terminated; may hold
 * any bytes).  0, or -1 with a one-line reason in err: "not a JSON object",
 * "unknown action \"x\"", "\"line\" must be a whole number from 1 to 999",
 * "message longer than 1024 bytes", ... */
int crew_parse(const char *buf, size_t len, crew_msg_t *out, char *err, size_t errlen);

/* 1 when the two tokens are equal, in time independent of where they differ. */
int crew_token_equal(const char *a, const char *b);

#endif
