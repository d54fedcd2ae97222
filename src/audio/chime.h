/* chime.h: the sound before a page in the crew's headset (kiosk run
 * --crew-audio): a falling two-tone "ding-dong", CHIME_HI_HZ then
 * CHIME_LO_HZ, each CHIME_TONE_MS long.  Every tone fades in and out over
 * CHIME_FADE_MS (a raised cosine), so the chime starts and ends at silence
 * and the tones meet at silence: no click in the ear.  `times` chimes in a
 * row, CHIME_GAP_MS apart (2: the manager's call).  Made in code at the
 * headset's own rate, never resampled; pure: no device, no allocation. */
#ifndef KIOSK_CHIME_H
#define KIOSK_CHIME_H

#include <stddef.h>

#define CHIME_HI_HZ 880.0
#define CHIME_LO_HZ 660.0
#define CHIME_TONE_MS 150
#define CHIME_FADE_MS 12
#define CHIME_GAP_MS 120
#define CHIME_PEAK 0.5f        /* of full scale: clear in a headset, room left for the words */
#define CHIME_TIMES_MAX 4

/* Samples of `times` chimes (1..CHIME_TIMES_MAX) at rate Hz (8000..192000);
 * 0 for anything else. */
size_t chime_samples(int rate, int times);
/* Writes them to out (room for chime_samples(rate, times)); returns how many. */
size_t chime_make(float *out, int rate, int times);

#endif
