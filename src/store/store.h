/* store.h: what the kiosk did, kept in SQLite: cars and their orders (the
 * order's lines too), turns, pages and their acknowledgement, the crew's
 * actions, and every event line.
 *
 * An adapter: the core never sees SQLite.  The lane lists what to keep as
 * effects; src/kiosk/lane_io.c turns them into store_op_t and hands them to
 * the writer (writer.h), whose thread applies them one by one, so a slow or
 * locked database never holds up the lane.
 *
 * Safety: WAL, foreign keys, one transaction per operation; a confirmation
 * is committed with synchronous=FULL (on the disk, not only in the OS's
 * cache) before anyone is told "confirmed".  A car left open by a kiosk that
 * died (SIGKILL, power) is closed as "interrupted", its order kept, when the
 * store is next opened.  The schema's version is PRAGMA user_version; older
 * databases are migrated on open. */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include "../util/util.h"

#define STORE_VERSION 2

typedef struct store_s store_t;

/* Opens (creating the file with mode 0600, its folder and the tables if
 * needed; migrating an older schema), then closes the cars a previous
 * kiosk left open (*interrupted: how many; may be NULL).  NULL on failure
 * with a one-line message naming the file in err. */
store_t *store_open(const char *path, int *interrupted, char *err, unsigned errlen);
void store_close(store_t *s);
/* Before store_open, for a database a group may read (`kiosk run --db-group`,
 * so a manager's account can run `kiosk report`): creates path empty with
 * mode 0640 and that group when it does not exist yet; an existing file is
 * left as its owner made it.  0, or -1 with a one-line message. */
int store_create_for_group(const char *path, const char *group, char *err, unsigned errlen);
const char *store_path(const store_t *s);
/* The connection itself, for the store's own parts (menus.c) and tests. */
struct sqlite3;
struct sqlite3 *store_db(store_t *s);

typedef enum {
    STORE_CAR_BEGIN,    /* a car arrived; text: the menu's title, name: the lane */
    STORE_TURN,         /* turn `turn`: file, heard, free_text, said, confidence, decode_ms,
                           audio_ms; name: its page reason or NULL */
    STORE_PAGE,         /* a page at turn `turn` (0: none yet); name: its reason */
    STORE_ORDER,        /* the order changed: text its JSON, status and cents its status and total */
    STORE_CONFIRM,      /* the order is confirmed: as STORE_ORDER, committed to the disk */
    STORE_ACK,          /* the open page acknowledged: after_s, name: by what ("ack", "take_over") */
    STORE_CREW,         /* a crew action: name its kind, text its detail (words, a line) or NULL,
                           ok, error (NULL when ok) */
    STORE_CAR_END,      /* the car left: name why ("confirmed", "gone", ...), text the order's JSON,
                           status and cents its status and total */
    STORE_EVENT,        /* an event line: name its type, text the line */
    STORE_MENU,         /* a menu that loaded well: file its path, text its text (menus.h) */
} store_op_kind_t;
extern const char *const store_op_names[];

typedef struct {
    store_op_kind_t kind;
    int car;                  /* the lane's car number (since the kiosk started); 0 none */
    double t;                 /* wall clock, seconds since the epoch */
    int turn;
    const char *name, *status;
    char *text, *file, *heard, *free_text, *said, *error;
    double confidence, decode_ms, after_s;
    long audio_ms, cents;
    int ok;
} store_op_t;

/* Applies one operation in its own transaction: 0, or -1 with a one-line
 * message naming the file in err ("database or disk is full", "locked by
 * another program").  The lane's car numbers are mapped to the store's ids
 * here: a car's rows after its STORE_CAR_BEGIN go to the same row. */
int store_apply(store_t *s, const store_op_t *op, char *err, unsigned errlen);

/* Where car id's turns came from, in order ("mic" when its audio was not
 * kept), read from the database at path without writing to it: 0, or -1
 * with a one-line message (no such database, no such car). */
int store_car_files(const char *path, long id, strlist_t *files, char *err, unsigned errlen);

/* A copy whose strings are the copy's; store_op_free frees them. */
void store_op_copy(store_op_t *dst, const store_op_t *src);
void store_op_free(store_op_t *op);

#endif
