/* escalate.h: what happens to a page nobody acknowledges.  Pure: the clock
 * is passed in.  A page not acknowledged within ESC_REMIND_S chimes again and
 * flashes (ESC_REMIND); after ESC_MANAGER_S it goes to the manager role
 * (ESC_MANAGER).  One clock per kiosk: a second page while one is open keeps
 * the first one's time (the crew is already late). */
#ifndef KIOSK_CREW_ESCALATE_H
#define KIOSK_CREW_ESCALATE_H

#define ESC_REMIND_S 10.0
#define ESC_MANAGER_S 30.0

typedef enum { ESC_NONE, ESC_REMIND, ESC_MANAGER } esc_level_t;
extern const char *const esc_level_names[];   /* "none", "remind", "manager" */

typedef struct {
    double remind_s;   /* esc_init: ESC_REMIND_S; the kiosk's --escalate may change them */
    double manager_s;  /* esc_init: ESC_MANAGER_S */
    int open;          /* a page waits for its acknowledgement */
    double raised;     /* when (seconds, any clock) */
    esc_level_t level; /* the highest level reached so far */
} escalation_t;

void esc_init(escalation_t *e);
void esc_raise(escalation_t *e, double now);
/* Acknowledged: closes the page; returns the seconds it waited, or -1 when
 * no page was open. */
double esc_ack(escalation_t *e, double now);
/* The level newly reached at now (each once per page), else ESC_NONE. */
esc_level_t esc_tick(escalation_t *e, double now);

#endif
