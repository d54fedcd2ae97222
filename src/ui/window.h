/* window.h: the order board's window (SDL2): shows a picture drawn by
 * board/ and tells when the window was closed.  The only part of `kiosk run`
 * that needs a display; without one, window_open fails and the kiosk runs
 * headless. */
#ifndef KIOSK_WINDOW_H
#define KIOSK_WINDOW_H

#include <stddef.h>
#include <stdint.h>

typedef struct window_s window_t;

/* A window of width x height (full screen when fullscreen is 1).  NULL with a
 * one-line message when there is no display. */
window_t *window_open(const char *title, int width, int height, int fullscreen,
                      char *err, size_t errlen);
void window_close(window_t *w);
/* Shows ARGB8888 pixels (board_pixels()) at once. */
void window_show(window_t *w, const uint32_t *pixels, int width, int height, int pitch);
/* Handles the window's events; 1 when the customer-facing window was closed
 * (or Escape was pressed): the kiosk stops. */
int window_poll(window_t *w);

#endif
