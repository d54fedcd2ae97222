/* commands.h: the `kiosk` sub-commands (../shared/spec/kiosk-cli.md).
 * Each returns the process exit status: 0 success, 1 a failure at run time,
 * 2 bad arguments or bad input files. */
#ifndef KIOSK_COMMANDS_H
#define KIOSK_COMMANDS_H

#define EXIT_RUNTIME 1
#define EXIT_BADINPUT 2

int cmd_menu(int argc, char **argv);     /* kiosk menu check|grammar */
int cmd_replay(int argc, char **argv);   /* kiosk replay */
int cmd_run(int argc, char **argv);      /* kiosk run */
int cmd_devices(int argc, char **argv);  /* kiosk devices */
int cmd_crew(int argc, char **argv);     /* kiosk crew */

/* The default sample menu and database. */
#define DEFAULT_MENU "menus/burger.yaml"
#define DEFAULT_DB "var/kiosk.db"
/* Where `kiosk run` listens for crew stations, and their token (mode 0600). */
#define DEFAULT_CREW_SOCKET "var/crew.sock"
#define DEFAULT_CREW_TOKEN "var/crew.token"

#endif
