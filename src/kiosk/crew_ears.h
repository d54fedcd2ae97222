/* crew_ears.h: pages in the crew's ears (kiosk run --crew-audio DEV): the
 * lane's LANE_FX_CREW_PAGE carried out on a second output, the headset
 * base's audio input: a chime (src/audio/chime.h; two for the manager's
 * call), then the page's words in the kiosk's voice.  An acknowledgement
 * stops what is still playing.
 *
 * The lane's loudspeaker and the event loop never wait for it: the chime is
 * queued at once (no synthesis), the words are synthesised on the loop's
 * next turn, after the effects of the same input (the loudspeaker's answer
 * first), and both play from the output's own ring.  A headset output that
 * stops is said once on stderr; the pages still go to the crew stations. */
#ifndef KIOSK_CREW_EARS_H
#define KIOSK_CREW_EARS_H

#include "../audio/device.h"
#include "../util/loop.h"
#include "../voice/voice.h"

typedef struct crew_ears_s crew_ears_t;

/* Opens dev (as --output takes it) on loop; who prefixes the messages
 * ("kiosk run").  NULL with a one-line message naming the device. */
crew_ears_t *crew_ears_open(const char *dev, loop_t *loop, const char *who, char *err, size_t errlen);
void crew_ears_close(crew_ears_t *c);
const char *crew_ears_describe(const crew_ears_t *c);
/* The voice that says the pages (the kiosk's own; NULL: the chime alone).
 * The caller keeps it alive while c is open. */
void crew_ears_voice(crew_ears_t *c, voice_t *v);
/* A page: level "page", "remind" or "manager" (two chimes), words to say
 * after the chime. */
void crew_ears_page(crew_ears_t *c, const char *level, const char *words);
/* The page was acknowledged: what is still to play of it stops. */
void crew_ears_ack(crew_ears_t *c);

#endif
