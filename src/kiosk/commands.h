/* commands.h: the `kiosk` sub-commands (../shared/spec/kiosk-cli.md).
 * Each returns the process exit status: 0 success, 1 a failure at run time,
 * 2 bad arguments or bad input files. */
#ifndef KIOSK_COMMANDS_H
#define KIOSK_COMMANDS_H

#include <string.h>

#define EXIT_RUNTIME 1
#define EXIT_BADINPUT 2

int cmd_menu(int argc, char **argv);     /* kiosk menu check|grammar */
int cmd_replay(int argc, char **argv);   /* kiosk replay */
int cmd_run(int argc, char **argv);      /* kiosk run */
int cmd_devices(int argc, char **argv);  /* kiosk devices */
int cmd_crew(int argc, char **argv);     /* kiosk crew */
int cmd_export(int argc, char **argv);   /* kiosk export (cmd_export.c) */
int cmd_report(int argc, char **argv);   /* kiosk report */
int cmd_post_sim(int argc, char **argv); /* kiosk post-sim: a simulated speaker post on a pty */

/* 1 when a command's arguments (argv[0] is its name) ask for its usage:
 * "--help" or "-h" anywhere before a "--", so that `kiosk menu check
 * --help` and `kiosk replay t1.wav -h` print the usage instead of taking
 * the word for a file.  Each command then prints it on stdout and exits 0. */
static inline int cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

/* The default sample menu and database. */
#define DEFAULT_MENU "menus/burger.yaml"
#define DEFAULT_DB "var/kiosk.db"
/* Where `kiosk run` listens for crew stations, and their token (mode 0600). */
#define DEFAULT_CREW_SOCKET "var/crew.sock"
#define DEFAULT_CREW_TOKEN "var/crew.token"

/* A crew station's typed line (`kiosk crew`, and `crew ...` in a replay
 * script) -> CMD_SEND with the protocol message in *msg, CMD_ERROR with why
 * in *msg (both the caller's), CMD_HELP, CMD_QUIT, or CMD_NONE for an empty
 * line. */
typedef enum { CMD_NONE, CMD_SEND, CMD_ERROR, CMD_HELP, CMD_QUIT } cmd_kind_t;
cmd_kind_t crew_command(const char *line, char **msg);
/* `kiosk replay --script FILE` (cmd_script.c); mqtt, store: --mqtt and --store, or NULL. */
int replay_script(const char *menu_path, const char *script, const char *db, double threshold, const char *mqtt,
                  const char *store);

#endif
