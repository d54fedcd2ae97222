/* main.c: `kiosk`, one program with sub-commands (../shared/spec/kiosk-cli.md). */
#include <stdio.h>
#include <string.h>

#include "kiosk/commands.h"
#include "version.h" /* KIOSK_VERSION, made by the Makefile from VERSION (and git describe) */

static const char usage[] =
    "usage: kiosk COMMAND [ARGS]   (kiosk COMMAND --help: all its options)\n"
    "  replay [--menu F] [--db F] [--json] [--each] [--board PNG] TURN.wav...\n"
    "                          one car's conversation from recorded turns\n"
    "  menu check F...         validate menu files\n"
    "  menu grammar F          print the grammar a menu compiles to\n"
    "  run [--menu F] [--db F] [--input DEV] [--output DEV] [--headless] [--events]\n"
    "                          the drive-through, live\n"
    "  devices                 list audio input and output devices\n"
    "  crew [--connect ADDR] [--token FILE] [--json] [--role manager]\n"
    "                          the crew station\n"
    "  export [--db F] [--since DATE] [--until DATE]\n"
    "                          orders and events as JSON lines, for a chain's systems\n"
    "  report [--db F] [--since DATE] [--until DATE] [--csv] [--html FILE]\n"
    "                          what the kiosk did: cars, orders, automation, pages, by hour\n"
    "  post-sim [--link PATH]  a simulated speaker post on a pty, for run --post\n"
    "  --version               print the version\n";

static int dispatch(const char *cmd, int argc, char **argv)
{
    if (!strcmp(cmd, "replay")) return cmd_replay(argc, argv);
    if (!strcmp(cmd, "menu")) return cmd_menu(argc, argv);
    if (!strcmp(cmd, "run")) return cmd_run(argc, argv);
    if (!strcmp(cmd, "devices")) return cmd_devices(argc, argv);
    if (!strcmp(cmd, "crew")) return cmd_crew(argc, argv);
    if (!strcmp(cmd, "report")) return cmd_report(argc, argv);
    if (!strcmp(cmd, "export")) return cmd_export(argc, argv);
    if (!strcmp(cmd, "post-sim")) return cmd_post_sim(argc, argv);
    fprintf(stderr, "kiosk: unknown command \"%s\"\n%s", cmd, usage);
    return EXIT_BADINPUT;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") && argc > 2 && argv[2][0] != '-' && strcmp(argv[2], "help")) {
        /* `kiosk help menu`: `kiosk menu --help` */
        char help[] = "--help";
        char *args[] = { argv[2], help, NULL };
        return dispatch(argv[2], 2, args);
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        puts("kiosk " KIOSK_VERSION);
        return 0;
    }
    return dispatch(cmd, argc - 1, argv + 1);
}
