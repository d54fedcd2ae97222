/* window.c: see window.h.  A streaming texture the size of the board,
 * updated from the board's pixels and presented; SDL scales it to the
 * window. */
#include "window.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>

struct window_s {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int w, h;
};

window_t *window_open(const char *title, int width, int height, int fullscreen,
                      char *err, size_t errlen)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "no display for the order board (%s)", SDL_GetError());
        return NULL;
    }
    window_t *w = calloc(1, sizeof *w);
    if (!w) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->w = width;
    w->h = height;
    w->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height,
                              fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : SDL_WINDOW_RESIZABLE);
    w->ren = w->win ? SDL_CreateRenderer(w->win, -1, 0) : NULL;
    w->tex = w->ren ? SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_ARGB8888,
                                        SDL_TEXTUREACCESS_STREAMING, width, height) : NULL;
    if (!w->tex) {
        snprintf(err, errlen, "cannot open the order board's window (%s)", SDL_GetError());
        window_close(w);
        return NULL;
    }
    SDL_RenderSetLogicalSize(w->ren, width, height);
    return w;
}

void window_close(window_t *w)
{
    if (!w) return;
    if (w->tex) SDL_DestroyTexture(w->tex);
    if (w->ren) SDL_DestroyRenderer(w->ren);
    if (w->win) SDL_DestroyWindow(w->win);
    free(w);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

void window_show(window_t *w, const uint32_t *pixels, int width, int height, int pitch)
{
    if (!w || width != w->w || height != w->h) return;
    SDL_UpdateTexture(w->tex, NULL, pixels, pitch);
    SDL_RenderClear(w->ren);
    SDL_RenderCopy(w->ren, w->tex, NULL, NULL);
    SDL_RenderPresent(w->ren);
}

int window_poll(window_t *w)
{
    if (!w) return 0;
    SDL_Event e;
    int quit = 0;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) quit = 1;
        if (e.type == SDL_KEYDOWN && e.key.keysym.sym == SDLK_ESCAPE) quit = 1;
        if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_EXPOSED) {
            SDL_RenderClear(w->ren);
            SDL_RenderCopy(w->ren, w->tex, NULL, NULL);
            SDL_RenderPresent(w->ren);
        }
    }
    return quit;
}
