/* words.c: see words.h. */
#include "words.h"

#include <string.h>

const char *const crew_kind_names[] = {
    "auth", "ack", "take_over", "hand_back", "edit", "remove", "confirm", "cancel", "talk", "gone", "apply",
};
_Static_assert(sizeof crew_kind_names / sizeof crew_kind_names[0] == CREW_KINDS, "a kind without its name");

static const struct { const char *code, *words; } reasons[] = {
    { "human_request", "asked for a person" },
    { "low_confidence", "not sure what was said" },
    { "out_of_menu", "didn't understand" },
    { "quantity_limit", "large quantity" },
    { "repeated_corrections", "keeps correcting" },
    { "no_response", "no answer" },
    { "crew_override", "crew took over" },
    { "device_fault", "equipment problem" },
};

const char *view_reason_words(const char *reason)
{
    if (!reason) return "?";
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (!strcmp(reason, reasons[i].code)) return reasons[i].words;
    return reason;
}
