/* words.h: the crew's vocabulary, shared by the kiosk's lane (pure core) and
 * the crew station: the names of the stations' actions and the plain words
 * for a page's reason. */
#ifndef KIOSK_CREW_WORDS_H
#define KIOSK_CREW_WORDS_H

#include "proto.h"

/* crew_kind_names[CREW_KINDS] ("auth", "ack", "take_over", ...) is declared
 * in proto.h and defined in words.c. */

/* A page reason's code in words a crew member reads at a glance: "asked for
 * a person" for human_request; an unknown code is returned as it is. */
const char *view_reason_words(const char *reason);

#endif
