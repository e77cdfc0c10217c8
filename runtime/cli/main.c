/* seisinv — command-line entry point: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "../../kernels/isa.h"
#include "cli.h"
#include "seisinv/error.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"simulate", cmd_simulate, "2-D acoustic FD modelling of a survey over a velocity model"},
    {"model", cmd_model, "generate one SeisInv velocity model (types I-IV)"},
    {"invert", cmd_invert, "SeisInvNet inference: survey(s) to velocity model(s)"},
    {"bench", cmd_bench, "SeisInvNet inference latency on this machine (random or given weights)"},
    {"eval", cmd_eval, "mean metrics (MAE, SSIM, ...) of a model over a dataset's shards"},
    {"train", cmd_train, "train SeisInvNet (shards or generated data), checkpoints, resume"},
    {"grad", cmd_grad, "gradient of a training loss for one batch, per parameter (checks)"},
    {"info", cmd_info, "what a .npy, SEG-Y or weights file holds"},
    {"dataset", cmd_dataset, "generate SeisInv dataset shards (OpenFWI layout) with a manifest"},
    {"version", cmd_version, "print the version and the kernel ISA in use"},
    {"help", cmd_help, "list the commands, or `seisinv help CMD` for one"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int cmd_version(int argc, char **argv) {
    (void)argc, (void)argv;
    printf("seisinv %s (kernels: %s)\n", si_version(), si_isa_name(si_isa_active()));
    return 0;
}

static int cmd_help(int argc, char **argv) {
    if (argc > 1) {
        for (size_t i = 0; i < NCOMMANDS; i++) {
            if (strcmp(argv[1], commands[i].name) == 0 && commands[i].run != cmd_help) {
                char *args[] = {argv[1], "--help", NULL};
                return commands[i].run(2, args);
            }
        }
        return si_cli_usage_error("help", "unknown command '%s'", argv[1]);
    }
    printf("usage: seisinv COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    printf("\nRun `seisinv COMMAND --help` for the options of a command.\n"
           "SEISINV_ISA=scalar|avx2|avx512|neon forces a kernel set.\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        cmd_help(1, argv);
        return SI_EXIT_BADINPUT;
    }
    if (si_isa_request_ignored())
        fprintf(stderr, "seisinv: SEISINV_ISA is unknown or unsupported here; using %s\n",
                si_isa_name(si_isa_active()));
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0) return cmd_version(1, argv);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    return si_cli_usage_error("", "unknown command '%s' (see `seisinv help`)", argv[1]);
}
