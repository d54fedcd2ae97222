/* store.h: what the kiosk did, kept in SQLite: cars, turns, pages, orders.
 *
 * An adapter: the core never sees SQLite.  The session writes one row per
 * turn and per page as they happen, and the order when the car is done, so a
 * crash loses at most the turn being decoded.  `kiosk report` reads it back. */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

typedef struct store_s store_t;

/* Opens (creating the file, its folder and the tables if needed).  NULL on
 * failure with a one-line message naming the file in err. */
store_t *store_open(const char *path, char *err, unsigned errlen);
void store_close(store_t *s);
/* The SQLite handle, for the store's other files (menus.c); owned by s. */
struct sqlite3;
struct sqlite3 *store_db(store_t *s);

/* A new car at the given wall-clock time (seconds since the epoch); returns
 * its id, or -1 (err filled). */
long store_car_begin(store_t *s, const char *menu, double t, char *err, unsigned errlen);
int store_turn(store_t *s, long car, int turn, double t, const char *file, const char *heard,
               const char *free_text, double confidence, const char *said, const char *page,
               char *err, unsigned errlen);
int store_page(store_t *s, long car, int turn, double t, const char *reason, const char *heard,
               const char *free_text, char *err, unsigned errlen);
/* Records the order as it ended (JSON of the spec's "order" object). */
int store_car_end(store_t *s, long car, double t, const char *status, long total_cents,
                  const char *order_json, char *err, unsigned errlen);
/* One line of `kiosk run --events`, exactly as the stations and standard
 * output got it; car 0 for an event outside a car (a device fault). */
int store_event(store_t *s, long car, double t, const char *event, const char *json, char *err,
                unsigned errlen);

#endif
