/* hear.h: the glue between the files and models on disk and a car's
 * session (src/dialog/session.h): the dictionary and the menu loaded and
 * checked together, the recogniser built for the menu, and one turn's audio
 * decoded with the answers the dialog expects.  Shared by `kiosk run`,
 * `kiosk replay` and its scripts. */
#ifndef KIOSK_HEAR_H
#define KIOSK_HEAR_H

#include "../dialog/session.h"
#include "../speech/asr.h"

/* The dictionary, then the menu, checked against it: 0, or the exit status
 * (1 the dictionary is missing, 2 the menu is bad) with the messages in errs.
 * The caller frees both, whatever is returned. */
int session_load(const char *menu_path, cmudict_t **dict, menu_t **menu, strlist_t *errs);

/* The recogniser for menu: keeps the menu's words and their pronunciations,
 * frees *dict (set to NULL: its 12 MB need not sit under the models' peak),
 * then loads the models.  NULL on failure with a message in err. */
asr_t *session_asr(const asr_config_t *cfg, const menu_t *menu, cmudict_t **dict, char *err,
                   size_t errlen);

/* One customer turn of 16 kHz mono audio decoded for car s (its pending
 * question's answers help the recogniser): 0 with *r filled (its strings the
 * recogniser's, valid until its next decode), or -1 with err. */
int session_hear(asr_t *asr, const session_t *s, const int16_t *pcm, size_t n, asr_result_t *r,
                 char *err, size_t errlen);

#endif
