/* order.c: the order model, its prices and how it is shown and said.
 *
 * A line stores options as said, normalised so that "no change from how the
 * item comes" is always -1: "normal" on a default option and "no" on an option
 * that is not a default are both stored as -1.  Everything shown (JSON, speech)
 * and every price then follows from amount[] alone.
 *
 * Prices (see order.h): the item at its size (a sized line still waiting for
 * its size costs nothing yet), plus for each option
 *   not a default, asked for (light/normal): its price once
 *   not a default, extra:                    its price twice
 *   a default, extra:                        its price once
 *   a default, light or taken off:           nothing (no refunds)
 * A combo's choices cost nothing extra: the drink is in the combo's price. */
#include "order.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../menu/lexicon.h"

const char *const order_status_names[] = { "open", "confirmed", "crew", "cancelled" };

static const menu_item_t *line_item(const order_t *o, int line)
{
    return &o->menu->items[o->lines[line].item];
}

static void line_free(order_line_t *l)
{
    free(l->amount);
    l->amount = NULL;
}

static void line_copy(const menu_t *m, order_line_t *dst, const order_line_t *src)
{
    *dst = *src;
    dst->amount = xmalloc((size_t)(m->noptions > 0 ? m->noptions : 1));
    if (m->noptions > 0) memcpy(dst->amount, src->amount, (size_t)m->noptions);
}

void order_init(order_t *o, const menu_t *m)
{
    memset(o, 0, sizeof *o);
    o->menu = m;
    o->status = ORDER_OPEN;
}

void order_free(order_t *o)
{
    order_clear(o);
    free(o->lines);
    o->lines = NULL;
    o->cap = 0;
}

void order_clear(order_t *o)
{
    for (int i = 0; i < o->nlines; i++) line_free(&o->lines[i]);
    o->nlines = 0;
}

static void reserve(order_t *o, int n)
{
    if (n <= o->cap) return;
    int cap = o->cap ? o->cap : 8;
    while (cap < n) cap *= 2;
    o->lines = xrealloc(o->lines, (size_t)cap * sizeof *o->lines);
    o->cap = cap;
}

void order_copy(order_t *dst, const order_t *src)
{
    if (dst == src) return;
    order_clear(dst);
    dst->menu = src->menu;
    dst->status = src->status;
    reserve(dst, src->nlines);
    for (int i = 0; i < src->nlines; i++) line_copy(src->menu, &dst->lines[i], &src->lines[i]);
    dst->nlines = src->nlines;
}

int order_add(order_t *o, int item, long qty, int turn)
{
    reserve(o, o->nlines + 1);
    order_line_t *l = &o->lines[o->nlines];
    memset(l, 0, sizeof *l);
    l->item = item;
    l->qty = qty;
    l->size = -1;
    int n = o->menu->noptions;
    l->amount = xmalloc((size_t)(n > 0 ? n : 1));
    memset(l->amount, -1, (size_t)(n > 0 ? n : 1));
    for (int k = 0; k < ORDER_MAX_CHOICES; k++) l->choice[k] = -1;
    l->turn = turn;
    return o->nlines++;
}

void order_remove(order_t *o, int line)
{
    if (line < 0 || line >= o->nlines) return;
    line_free(&o->lines[line]);
    memmove(&o->lines[line], &o->lines[line + 1],
            (size_t)(o->nlines - line - 1) * sizeof *o->lines);
    o->nlines--;
}

void order_set_option(order_t *o, int line, int option, amount_t amount)
{
    if (line < 0 || line >= o->nlines || option < 0 || option >= o->menu->noptions) return;
    if ((int)amount < 0 || amount >= AMOUNT_COUNT) return;
    int def = menu_item_option_default(o->menu, o->lines[line].item, option);
    signed char v = (signed char)amount;
    if (def && amount == AMOUNT_NORMAL) v = -1;       /* as it comes */
    if (!def && amount == AMOUNT_NO) v = -1;          /* it never was on */
    o->lines[line].amount[option] = v;
}

int order_line_needs_size(const order_t *o, int line)
{
    if (line < 0 || line >= o->nlines) return 0;
    return line_item(o, line)->size_cents != NULL && o->lines[line].size < 0;
}

int order_line_needs_choice(const order_t *o, int line)
{
    if (line < 0 || line >= o->nlines) return -1;
    const menu_item_t *it = line_item(o, line);
    for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++)
        if (o->lines[line].choice[k] < 0) return k;
    return -1;
}

/* ---- prices ---- */

long order_line_unit_cents(const order_t *o, int line)
{
    if (line < 0 || line >= o->nlines) return 0;
    const order_line_t *l = &o->lines[line];
    const menu_item_t *it = line_item(o, line);
    long c = 0;
    if (it->size_cents) {
        if (l->size >= 0 && l->size < o->menu->nsizes && it->size_cents[l->size] >= 0)
            c = it->size_cents[l->size];
    } else if (it->cents > 0) {
        c = it->cents;
    }
    for (int k = 0; k < o->menu->noptions; k++) {
        int a = l->amount[k];
        if (a < 0) continue;
        long p = o->menu->options[k].cents;
        int def = menu_item_option_default(o->menu, l->item, k);
        if (def) {
            if (a == AMOUNT_EXTRA) c += p;
        } else if (a != AMOUNT_NO) {
            c += p;
            if (a == AMOUNT_EXTRA) c += p;
        }
    }
    return c;
}

long order_line_cents(const order_t *o, int line)
{
    if (line < 0 || line >= o->nlines) return 0;
    return order_line_unit_cents(o, line) * o->lines[line].qty;
}

long order_subtotal_cents(const order_t *o)
{
    long s = 0;
    for (int i = 0; i < o->nlines; i++) s += order_line_cents(o, i);
    return s;
}

long order_tax_cents(const order_t *o)
{
    long s = order_subtotal_cents(o);
    long t = s * (long)o->menu->tax_bp;
    if (t >= 0) return (t + 5000) / 10000;
    return -((-t + 5000) / 10000);
}

long order_total_cents(const order_t *o)
{
    return order_subtotal_cents(o) + order_tax_cents(o);
}

/* ---- JSON ---- */

void order_json(const order_t *o, strbuf_t *b)
{
    const menu_t *m = o->menu;
    strbuf_append(b, "{\"status\": ");
    strbuf_json_str(b, order_status_names[o->status]);
    strbuf_append(b, ", \"lines\": [");
    for (int i = 0; i < o->nlines; i++) {
        const order_line_t *l = &o->lines[i];
        const menu_item_t *it = &m->items[l->item];
        if (i) strbuf_append(b, ", ");
        strbuf_append(b, "{\"item\": ");
        strbuf_json_str(b, it->name);
        strbuf_printf(b, ", \"qty\": %ld, \"size\": ", l->qty);
        strbuf_json_str(b, l->size >= 0 && l->size < m->nsizes ? m->sizes[l->size].name : NULL);
        strbuf_append(b, ", \"options\": [");
        int n = 0;
        for (int k = 0; k < m->noptions; k++) {
            if (l->amount[k] < 0) continue;
            if (n++) strbuf_append(b, ", ");
            strbuf_append(b, "{\"name\": ");
            strbuf_json_str(b, m->options[k].name);
            strbuf_append(b, ", \"amount\": ");
            strbuf_json_str(b, amount_names[l->amount[k]]);
            strbuf_append(b, "}");
        }
        strbuf_append(b, "], \"choices\": {");
        n = 0;
        for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++) {
            if (l->choice[k] < 0) continue;
            if (n++) strbuf_append(b, ", ");
            strbuf_json_str(b, it->choose[k].name);
            strbuf_append(b, ": ");
            strbuf_json_str(b, m->items[l->choice[k]].name);
        }
        strbuf_printf(b, "}, \"unit_cents\": %ld, \"cents\": %ld}", order_line_unit_cents(o, i),
                      order_line_cents(o, i));
    }
    strbuf_printf(b, "], \"subtotal_cents\": %ld, \"tax_cents\": %ld, \"total_cents\": %ld}",
                  order_subtotal_cents(o), order_tax_cents(o), order_total_cents(o));
}

/* ---- speech ---- */

/* "a" or "an" before word. */
static const char *article(const char *word)
{
    return word[0] && strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

static char *lower_dup(const char *s)
{
    char *p = xstrdup(s);
    for (char *q = p; *q; q++) *q = (char)tolower((unsigned char)*q);
    return p;
}

/* The line said: qty (a/an or number words), size, the item (as the menu
 * writes it for one, the lower-case plural for more), a combo's choices,
 * then the options that differ from how the item comes:
 * "a Cheeseburger with bacon, no onions", "two cheeseburgers, extra cheese",
 * "a Number One with a Sprite". */
void order_line_say(const order_t *o, int line, strbuf_t *b)
{
    if (line < 0 || line >= o->nlines) return;
    const menu_t *m = o->menu;
    const order_line_t *l = &o->lines[line];
    const menu_item_t *it = &m->items[l->item];
    const char *size = l->size >= 0 && l->size < m->nsizes ? m->sizes[l->size].name : NULL;
    char *name;
    if (l->qty == 1) {
        name = xstrdup(it->name);
        strbuf_append(b, article(size ? size : name));
    } else {
        char *low = lower_dup(it->name);
        name = menu_plural(low);
        free(low);
        char num[64];
        strbuf_append(b, lex_number_words(l->qty, num, sizeof num));
    }
    if (size) strbuf_printf(b, " %s", size);
    strbuf_printf(b, " %s", name);
    free(name);

    int with = 0;
    for (int k = 0; k < it->nchoose && k < ORDER_MAX_CHOICES; k++) {
        if (l->choice[k] < 0) continue;
        const char *cn = m->items[l->choice[k]].name;
        strbuf_printf(b, " %s %s %s", with++ ? "and" : "with", article(cn), cn);
    }
    /* Options added at the normal amount read as "with bacon and lettuce". */
    for (int k = 0; k < m->noptions; k++) {
        if (l->amount[k] != AMOUNT_NORMAL) continue;
        strbuf_printf(b, " %s %s", with++ ? "and" : "with", m->options[k].name);
    }
    for (int k = 0; k < m->noptions; k++) {
        int a = l->amount[k];
        if (a < 0 || a == AMOUNT_NORMAL) continue;
        strbuf_printf(b, ", %s %s", amount_names[a], m->options[k].name);
    }
}

void order_money_say(long cents, strbuf_t *b)
{
    const char *sign = cents < 0 ? "-" : "";
    long a = labs(cents);
    strbuf_printf(b, "%s$%ld.%02ld", sign, a / 100, a % 100);
}
