/* escalate.c: the clock of a page nobody acknowledges (escalate.h).
 *
 * Pure: every call is given the time; nothing here reads a clock.
 *
 *   (none open) -> open, NONE      [esc_raise(now): raised := now]
 *   open        -> open            [esc_raise again: the first time is kept]
 *   open NONE   -> open REMIND     [esc_tick at raised + ESC_REMIND_S or later: ESC_REMIND, once]
 *   open REMIND -> open MANAGER    [esc_tick at raised + ESC_MANAGER_S or later: ESC_MANAGER, once]
 *   open *      -> (none open)     [esc_ack(now): returns now - raised; level kept]
 *
 * Decisions:
 * - A tick that comes late, past both marks at once, reports ESC_MANAGER (the
 *   highest level newly reached); the reminder it skipped is not reported on a
 *   later tick: the manager has it by then.
 * - A clock that goes backwards (now before raised) counts as no time waited:
 *   esc_ack returns 0, esc_tick reports nothing.
 * - A NaN time reaches no level and waits 0 seconds.
 * - The marks are compared with a microsecond's slack (ESC_SLACK_S), so a
 *   tick at raised + 10.0 reminds even when now - raised rounds to 9.99999...
 *   (100.1 + 10.0 - 100.1 does).
 * - After esc_ack, level still tells the highest level the page reached (for
 *   the log); the next esc_raise starts again from ESC_NONE. */
#include "escalate.h"

#define ESC_SLACK_S 1e-6

const char *const esc_level_names[] = { "none", "remind", "manager" };

void esc_init(escalation_t *e)
{
    e->remind_s = ESC_REMIND_S;
    e->manager_s = ESC_MANAGER_S;
    e->open = 0;
    e->raised = 0;
    e->level = ESC_NONE;
}

void esc_raise(escalation_t *e, double now)
{
    if (e->open) return;        /* the crew is already late: keep the first time */
    e->open = 1;
    e->raised = now;
    e->level = ESC_NONE;
}

double esc_ack(escalation_t *e, double now)
{
    if (!e->open) return -1;
    double waited = now - e->raised;
    e->open = 0;
    return waited > 0 ? waited : 0;     /* also 0 for NaN */
}

esc_level_t esc_tick(escalation_t *e, double now)
{
    if (!e->open) return ESC_NONE;
    double waited = now - e->raised;
    esc_level_t reached = ESC_NONE;
    if (waited >= e->manager_s - ESC_SLACK_S) reached = ESC_MANAGER;
    else if (waited >= e->remind_s - ESC_SLACK_S) reached = ESC_REMIND;
    if (reached <= e->level) return ESC_NONE;
    e->level = reached;
    return reached;
}
