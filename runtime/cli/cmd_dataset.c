/* seisinv dataset — placeholder being written in this session (replaced before commit). */
#include "cli.h"
int cmd_dataset(int argc, char **argv) {
    (void)argc, (void)argv;
    return si_cli_usage_error("dataset", "not built yet");
}
