/* hear.c: see hear.h. */
#include "hear.h"

#include <stdlib.h>

int session_load(const char *menu_path, cmudict_t **dict, menu_t **menu, strlist_t *errs)
{
    *dict = cmudict_load(cmudict_default_path(), errs);
    if (!*dict) return 1;
    *menu = menu_load(menu_path, errs);
    if (!*menu || menu_check_words(*menu, *dict, errs) > 0) return 2;
    return 0;
}

asr_t *session_asr(const asr_config_t *cfg, const menu_t *menu, cmudict_t **dict, char *err,
                   size_t errlen)
{
    strlist_t words = {0}, phones = {0};
    menu_lexicon(menu, *dict, &words, &phones);
    cmudict_free(*dict);
    *dict = NULL;
    asr_t *asr = asr_create_lex(cfg, menu, &words, &phones, err, errlen);
    strlist_free(&words);
    strlist_free(&phones);
    return asr;
}

int session_hear(asr_t *asr, const session_t *s, const int16_t *pcm, size_t n, asr_result_t *r,
                 char *err, size_t errlen)
{
    /* the answer grammar is an aid: when it cannot be made, the turn is
     * decoded as without a question */
    char *answer = session_answer(s);
    char aerr[256];
    asr_set_answer(asr, answer, aerr, sizeof aerr);
    free(answer);
    return asr_decode_early(asr, pcm, n, session_spot_human, (void *)session_menu(s), r,
                            err, errlen);
}
