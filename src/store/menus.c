/* menus.c: see menus.h. */
#include "menus.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"

/* ---- SHA-256 (FIPS 180-4), small and plain: a menu is at most a few hundred kB ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

void store_sha256_hex(const void *data, size_t n, char hex[65])
{
    uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    const unsigned char *p = data;
    size_t left = n;
    for (; left >= 64; left -= 64, p += 64) block(h, p);
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t len = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++) tail[len - 1 - i] = (unsigned char)(bits >> (8 * i));
    block(h, tail);
    if (len == 128) block(h, tail + 64);
    for (int i = 0; i < 8; i++) snprintf(hex + 8 * i, 9, "%08x", (unsigned)h[i]);
}

/* ---- the table ---- */

static int ensure(sqlite3 *db)
{
    return sqlite3_exec(db,
                        "CREATE TABLE IF NOT EXISTS menus("
                        "  id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, text TEXT NOT NULL,"
                        "  kept REAL NOT NULL);"
                        "CREATE INDEX IF NOT EXISTS menus_path ON menus(path, kept);",
                        NULL, NULL, NULL);
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int store_menu_keep(store_t *s, const char *path, const char *text, char *err, unsigned errlen)
{
    sqlite3 *db = store_db(s);
    char hex[65];
    store_sha256_hex(text, strlen(text), hex);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (ensure(db) != SQLITE_OK) goto out;
    /* the same text kept before: its time renewed, so that it is the last again */
    if (sqlite3_prepare_v2(db, "UPDATE menus SET kept = ? WHERE path = ? AND sha256 = ? AND text = ?", -1, &st,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_double(st, 1, wall_now());
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) goto out;
    if (sqlite3_changes(db) == 0) {
        sqlite3_finalize(st);
        st = NULL;
        if (sqlite3_prepare_v2(db, "INSERT INTO menus(path, sha256, text, kept) VALUES(?, ?, ?, ?)", -1, &st, NULL) !=
            SQLITE_OK)
            goto out;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, wall_now());
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
    }
    rc = 0;
out:
    if (rc < 0) {
        int code = sqlite3_errcode(db);
        const char *file = sqlite3_db_filename(db, "main");
        snprintf(err, errlen, "%s: %s: %s", file && *file ? file : "the store",
                 code == SQLITE_BUSY || code == SQLITE_LOCKED ? "cannot keep the menu: the database is locked by "
                                                                "another program" : "cannot keep the menu",
                 sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* The last text kept for path in db, or NULL. */
static char *last(sqlite3 *db, const char *path, double *kept)
{
    sqlite3_stmt *st = NULL;
    char *text = NULL;
    if (sqlite3_prepare_v2(db, "SELECT text, kept FROM menus WHERE path = ? ORDER BY kept DESC, id DESC LIMIT 1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            text = xstrdup((const char *)sqlite3_column_text(st, 0));
            if (kept) *kept = sqlite3_column_double(st, 1);
        }
    }
    sqlite3_finalize(st);
    return text;
}

char *store_menu_last_at(store_t *s, const char *path, double *kept)
{
    sqlite3 *db = store_db(s);
    return ensure(db) == SQLITE_OK ? last(db, path, kept) : NULL;
}

char *store_menu_last_in(const char *dbpath, const char *path, double *kept)
{
    sqlite3 *db = NULL;
    char *text = NULL;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        text = last(db, path, kept);   /* no menus table yet: none */
    }
    sqlite3_close(db);
    return text;
}

char *store_menu_last(store_t *s, const char *path)
{
    return store_menu_last_at(s, path, NULL);
}
