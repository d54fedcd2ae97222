/* main.c: `kiosk`, one program with sub-commands (../shared/spec/kiosk-cli.md). */
#include <stdio.h>
#include <string.h>

#include "kiosk/commands.h"

static const char usage[] =
    "usage: kiosk COMMAND [ARGS]   (kiosk COMMAND --help for more)\n"
    "  replay [--menu F] [--db F] [--json] [--each] TURN.wav...   one car's conversation from recordings\n"
    "  menu check F...                                            validate menu files\n"
    "  menu grammar F                                             print the grammar a menu compiles to\n"
    "  run [--input DEV] [--output DEV] [--headless] [--events]   the drive-through, live\n"
    "  devices                                                    list audio devices\n"
    "  crew [--connect ADDR] [--token FILE]                       the crew station\n"
    "  report                                                     (not built yet in this version)\n";

static int not_yet(const char *cmd)
{
    fprintf(stderr, "kiosk %s: not built yet in this version; `make run` replays a sample "
                    "conversation with `kiosk replay` instead\n", cmd);
    return EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "replay")) return cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "menu")) return cmd_menu(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "devices")) return cmd_devices(argc - 1, argv + 1);
    if (!strcmp(cmd, "crew")) return cmd_crew(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return not_yet(cmd);
    fprintf(stderr, "kiosk: unknown command \"%s\"\n%s", cmd, usage);
    return EXIT_BADINPUT;
}
