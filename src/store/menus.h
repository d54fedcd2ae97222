/* menus.h: the menus a kiosk ran on, kept in the store, so that a kiosk
 * restarted with a broken menu file starts on the last good menu rather
 * than leaving the lane down (issue 18, item 5).
 *
 * Only text that loaded and passed the check is kept (the caller's
 * promise), under the menu file's path; the same text twice is one row,
 * its time renewed.  The table is menus(id, path, hash, text, kept): hash
 * the SHA-256 of the text in hex, as `sha256sum` prints it; kept the wall
 * clock's seconds since the epoch. */
#ifndef KIOSK_STORE_MENUS_H
#define KIOSK_STORE_MENUS_H

#include <stddef.h>

#include "store.h"

/* Keeps text as the latest good menu of path (the table made if it is not
 * there yet).  0, or -1 with a one-line message in err. */
int store_menu_keep(store_t *s, const char *path, const char *text, char *err, unsigned errlen);
/* The text of the latest good menu kept for path, which the caller frees;
 * NULL when there is none (or the store cannot be read). */
char *store_menu_last(store_t *s, const char *path);
/* The same, and when it was kept (seconds since the epoch) in *kept. */
char *store_menu_last_at(store_t *s, const char *path, double *kept);
/* The same from the database file db, opened read-only for this alone:
 * nothing in it changes (a kiosk starting reads it before its store opens),
 * and a database that is not there is not made.  NULL: none kept, or no
 * such database. */
char *store_menu_last_in(const char *db, const char *path, double *kept);

/* The SHA-256 of n bytes at p, as 64 hex digits and a NUL in hex. */
void store_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
