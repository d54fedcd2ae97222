/* date.h: the dates a manager types on the command line (`kiosk export
 * --since 2026-12-07 --until 2026-12-07T14:30`), in local time. */
#ifndef KIOSK_DATE_H
#define KIOSK_DATE_H

/* The forms accepted, for messages: "YYYY-MM-DD or YYYY-MM-DDTHH:MM". */
#define DATE_FORMS "YYYY-MM-DD or YYYY-MM-DDTHH:MM"

/* "YYYY-MM-DD" (midnight) or "YYYY-MM-DDTHH:MM", local time (the TZ
 * environment variable, as date(1)), into seconds since the epoch.  With
 * end_of_day, a date alone means the end of that day (the next midnight), so
 * that "until 2026-12-07" includes the 7th; a time is taken as it is.
 * Returns 0, or -1 for anything else: another form, a month 13, a 30 February,
 * a 24:00.  A time that the clocks skip (a summer-time gap) is taken as
 * mktime(3) normalises it (02:30 -> 03:30). */
int date_parse_local(const char *s, int end_of_day, double *t);

#endif
