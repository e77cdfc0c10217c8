/* Small argument checks used by the data commands: model types, output paths,
 * getopt errors. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_data.h"

int si_parse_model_type(const char *s) {
    static const char *roman[] = {"I", "II", "III", "IV"};
    long v;
    if (si_parse_int(s, 1, 4, &v) == 0) return (int)v;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, roman[i]) == 0) return i + 1;
    return -1;
}

int si_check_output_path(const char *cmd, const char *flag, const char *path) {
    struct stat sb;
    if (!*path) return si_cli_usage_error(cmd, "%s: empty file name", flag);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return si_cli_usage_error(cmd, "%s %s: is a folder, need a file name", flag, path);
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else if ((size_t)(slash - path) >= sizeof dir)
        return si_cli_usage_error(cmd, "%s: path too long", flag);
    else
        memcpy(dir, path, (size_t)(slash - path)), dir[slash - path] = 0;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return si_cli_usage_error(cmd, "%s %s: folder %s does not exist", flag, path, dir);
    if (access(dir, W_OK) != 0)
        return si_cli_usage_error(cmd, "%s %s: cannot write in %s: %s", flag, path, dir,
                                  strerror(errno));
    return 0;
}

int si_cli_bad_option(const char *cmd, int c, char **argv) {
    /* optopt names a short option; a long one is the argument just read. */
    char shortopt[3] = {'-', (char)optopt, 0};
    const char *opt = optopt > 0 && optopt < 128 ? shortopt : argv[optind - 1];
    if (c == ':') return si_cli_usage_error(cmd, "option %s needs a value (see --help)", opt);
    return si_cli_usage_error(cmd, "unknown option %s (see --help)", opt);
}
