/* seisinv model — placeholder being written in this session (replaced before commit). */
#include "cli.h"
int cmd_model(int argc, char **argv) {
    (void)argc, (void)argv;
    return si_cli_usage_error("model", "not built yet");
}
