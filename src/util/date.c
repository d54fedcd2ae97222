/* date.c: see date.h. */
#include "date.h"

#include <string.h>
#include <time.h>

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

int date_parse_local(const char *s, int end_of_day, double *t)
{
    size_t n = strlen(s);
    if (n != 10 && n != 16) return -1;
    if (s[4] != '-' || s[7] != '-') return -1;
    int year = digits(s, 4), month = digits(s + 5, 2), day = digits(s + 8, 2), hour = 0, minute = 0;
    if (n == 16) {
        if (s[10] != 'T' || s[13] != ':') return -1;
        hour = digits(s + 11, 2);
        minute = digits(s + 14, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return -1;
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day + (n == 10 && end_of_day);   /* mktime carries the 32nd into the next month */
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;                              /* whether summer time applies: the zone's rules */
    time_t v = mktime(&tm);
    if (v == (time_t)-1) return -1;                /* out of time_t's range (minutes never give -1) */
    *t = (double)v;
    return 0;
}
