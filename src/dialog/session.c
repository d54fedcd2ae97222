/* session.c: see session.h. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

struct session_s {
    const menu_t *menu;
    dialog_t *dialog;
    session_turn_t *turns;
    int nturns, capturns;
    session_page_t *pages;
    int npages, cappages;
};

session_t *session_create(const menu_t *m, const dialog_config_t *cfg)
{
    session_t *s = xcalloc(1, sizeof *s);
    s->menu = m;
    s->dialog = dialog_create(m, cfg);
    return s;
}

session_t *session_try(const session_t *s)
{
    session_t *c = xcalloc(1, sizeof *c);
    c->menu = s->menu;
    c->dialog = dialog_clone(s->dialog);
    return c;
}

void session_free(session_t *s)
{
    if (!s) return;
    for (int i = 0; i < s->nturns; i++) {
        session_turn_t *t = &s->turns[i];
        free(t->file);
        free(t->heard);
        free(t->free_text);
        free(t->said);
        free(t->loop_text);
    }
    for (int i = 0; i < s->npages; i++) {
        free(s->pages[i].heard);
        free(s->pages[i].free_text);
    }
    free(s->turns);
    free(s->pages);
    dialog_free(s->dialog);
    free(s);
}

/* A request for a person in the free pass's text: the dialog pages for it
 * whatever else is heard, so the other passes need not run.  A lone word of
 * one in a long text waits for the grammar (dialog.c). */
int session_spot_human(void *menu, const char *free_text)
{
    return dialog_spot_human(menu, free_text) == DIALOG_HUMAN_SAID;
}

static void add_page(session_t *s, page_reason_t why, const char *heard, const char *free_text)
{
    if (s->npages == s->cappages) {
        s->cappages = s->cappages ? 2 * s->cappages : 4;
        s->pages = xrealloc(s->pages, (size_t)s->cappages * sizeof *s->pages);
    }
    session_page_t *p = &s->pages[s->npages++];
    p->turn = s->nturns;
    p->reason = why;
    p->heard = xstrdup(heard);
    p->free_text = xstrdup(free_text);
}

char *session_answer(const session_t *s)
{
    menu_ask_t q;
    dialog_question(s->dialog, &q);
    return menu_answer_grammar(s->menu, &q);
}

static session_turn_t *new_turn(session_t *s, const char *file, long audio_ms, const asr_result_t *r)
{
    if (s->nturns == s->capturns) {
        s->capturns = s->capturns ? 2 * s->capturns : 8;
        s->turns = xrealloc(s->turns, (size_t)s->capturns * sizeof *s->turns);
    }
    const asr_hearing_t *rh = &r->hearing;
    session_turn_t *t = &s->turns[s->nturns++];
    memset(t, 0, sizeof *t);
    t->file = xstrdup(file);
    t->audio_ms = audio_ms;
    t->decode_ms = r->diag.decode_ms;
    t->heard = xstrdup(rh->heard);
    t->free_text = xstrdup(rh->free_text);
    t->confidence = rh->confidence;
    memcpy(t->features, r->diag.features, sizeof t->features);
    t->loop_text = xstrdup(rh->loop_text ? rh->loop_text : "");
    return t;
}

void session_overhear(session_t *s, const char *file, long audio_ms, const asr_result_t *r)
{
    session_turn_t *t = new_turn(s, file, audio_ms, r);
    t->said = xstrdup("");
    t->page = PAGE_NONE;
    t->overheard = 1;
}

void session_apply(session_t *s, const char *file, long audio_ms, const asr_result_t *r)
{
    /* a request for a person (the menu's human: phrases, whole words) that the
     * word loop or, on a short turn, the nondeterministic grammar heard where
     * the grammar heard an order ("i need two cokes" for "i need help") */
    const asr_hearing_t *rh = &r->hearing;
    int human = (rh->loop_text && dialog_spot_human(s->menu, rh->loop_text)) ||
                (rh->nfa_text && dialog_spot_human(s->menu, rh->nfa_text));
    hearing_t h = {
        .heard = rh->heard, .free_text = rh->free_text, .confidence = rh->confidence,
        .human = human,
    };
    dialog_effects_t fx;
    dialog_hear(s->dialog, &h, &fx);

    session_turn_t *t = new_turn(s, file, audio_ms, r);
    t->said = xstrdup(fx.said ? fx.said : "");
    t->page = fx.page;
    t->noted = fx.noted;

    if (fx.page != PAGE_NONE) add_page(s, fx.page, t->heard, t->free_text);
}

const char *session_page(session_t *s, page_reason_t why)
{
    dialog_effects_t fx;
    dialog_page(s->dialog, why, &fx);
    add_page(s, why, "", "");
    return fx.said ? fx.said : "";
}

const menu_t *session_menu(const session_t *s) { return s->menu; }
const dialog_t *session_dialog(const session_t *s) { return s->dialog; }
dialog_t *session_dialog_rw(session_t *s) { return s->dialog; }
int session_nturns(const session_t *s) { return s->nturns; }
const session_turn_t *session_turn(const session_t *s, int i) { return &s->turns[i]; }

static void page_json(strbuf_t *b, const session_page_t *p)
{
    strbuf_printf(b, "{\"turn\": %d, \"reason\": ", p->turn);
    strbuf_json_str(b, page_reason_names[p->reason]);
    strbuf_append(b, ", \"heard\": ");
    strbuf_json_str(b, p->heard);
    strbuf_append(b, ", \"free_text\": ");
    strbuf_json_str(b, p->free_text);
    strbuf_append(b, "}");
}

void session_json(const session_t *s, strbuf_t *b)
{
    strbuf_append(b, "{\"menu\": ");
    strbuf_json_str(b, s->menu->title);
    strbuf_append(b, ", \"turns\": [");
    int pi = 0;
    for (int i = 0; i < s->nturns; i++) {
        const session_turn_t *t = &s->turns[i];
        if (i) strbuf_append(b, ", ");
        strbuf_append(b, "{\"file\": ");
        strbuf_json_str(b, t->file);
        strbuf_printf(b, ", \"audio_ms\": %ld, \"decode_ms\": %.1f, \"heard\": ", t->audio_ms, t->decode_ms);
        strbuf_json_str(b, t->heard);
        strbuf_append(b, ", \"free_text\": ");
        strbuf_json_str(b, t->free_text);
        strbuf_printf(b, ", \"confidence\": %.2f, \"said\": ", t->confidence);
        strbuf_json_str(b, t->said);
        strbuf_append(b, ", \"page\": ");
        while (pi < s->npages && s->pages[pi].turn < i + 1) pi++;
        if (pi < s->npages && s->pages[pi].turn == i + 1) page_json(b, &s->pages[pi]);
        else strbuf_append(b, "null");
        strbuf_append(b, "}");
    }
    strbuf_append(b, "], \"order\": ");
    order_json(dialog_order(s->dialog), b);
    strbuf_append(b, ", \"pages\": [");
    for (int i = 0; i < s->npages; i++) {
        if (i) strbuf_append(b, ", ");
        page_json(b, &s->pages[i]);
    }
    strbuf_append(b, "]}");
}

void session_transcript(const session_t *s, strbuf_t *b)
{
    strbuf_printf(b, "%s\n  kiosk: %s\n", s->menu->title, dialog_greeting(s->dialog));
    for (int i = 0; i < s->nturns; i++) {
        const session_turn_t *t = &s->turns[i];
        strbuf_printf(b, "turn %d  %s  (%.1f s of audio, decoded in %.0f ms)\n", i + 1, t->file,
                      t->audio_ms / 1000.0, t->decode_ms);
        strbuf_printf(b, "  heard:      %s\n", *t->heard ? t->heard : "(nothing on the menu)");
        strbuf_printf(b, "  free text:  %s\n", t->free_text);
        strbuf_printf(b, "  confidence: %.2f\n", t->confidence);
        if (t->overheard) strbuf_append(b, "  (said while the crew talked: not acted on)\n");
        else strbuf_printf(b, "  kiosk:      %s\n", t->said);
        if (t->page != PAGE_NONE) strbuf_printf(b, "  PAGE crew:  %s\n", page_reason_names[t->page]);
    }
    const order_t *o = dialog_order(s->dialog);
    strbuf_printf(b, "order (%s)\n", order_status_names[o->status]);
    for (int i = 0; i < o->nlines; i++) {
        strbuf_t line = {0};
        order_line_say(o, i, &line);
        strbuf_printf(b, "  %-48s ", strbuf_cstr(&line));
        order_money_say(order_line_cents(o, i), b);
        strbuf_append(b, "\n");
        strbuf_free(&line);
    }
    strbuf_append(b, "  subtotal ");
    order_money_say(order_subtotal_cents(o), b);
    strbuf_append(b, "  tax ");
    order_money_say(order_tax_cents(o), b);
    strbuf_append(b, "  total ");
    order_money_say(order_total_cents(o), b);
    strbuf_append(b, "\n");
    if (s->npages) {
        strbuf_append(b, "pages:");
        for (int i = 0; i < s->npages; i++)
            strbuf_printf(b, " %s (turn %d)", page_reason_names[s->pages[i].reason], s->pages[i].turn);
        strbuf_append(b, "\n");
    }
}
