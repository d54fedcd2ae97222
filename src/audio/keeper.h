/* keeper.h: the customers' turns kept as WAV files for a while, so a manager
 * can replay a car a customer complained about (`kiosk replay --car ID`),
 * then deleted: they are people's voices.
 *
 * Files go in one folder, named by the time and the lane's car and turn
 * (20261207-123015-car3-turn2.wav), written by a thread of their own (a slow
 * card never holds up the lane); files older than the retention are deleted
 * at start and every hour.  A file that cannot be written is logged and
 * counted; the turn goes on without it. */
#ifndef KIOSK_AUDIO_KEEPER_H
#define KIOSK_AUDIO_KEEPER_H

#include <stddef.h>
#include <stdint.h>

typedef struct keeper_s keeper_t;

/* Keeps turns in dir (made if missing) for days days (> 0).  NULL with err. */
keeper_t *keeper_start(const char *dir, double days, char *err, size_t errlen);
/* Queues a copy of the turn's audio; returns the path it will have (the
 * caller frees it).  wall: the turn's time; car, turn: the lane's numbers. */
char *keeper_put(keeper_t *k, const int16_t *pcm, size_t n, double wall, int car, int turn);
/* Files written and failed so far. */
void keeper_counts(keeper_t *k, unsigned long *written, unsigned long *failed);
/* Writes what is queued, stops the thread. */
void keeper_stop(keeper_t *k);

/* Deletes the kept turns (*.wav named as above) in dir older than days, as
 * of now (seconds since the epoch); returns how many.  The thread's, and
 * tests'. */
int keeper_sweep(const char *dir, double days, double now);

#endif
