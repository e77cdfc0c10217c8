/* Links against the installed library and makes one real call through it. */
#include <seisinv/seisinv.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    si_array a;
    if (si_npy_read("/nonexistent.npy", &a) != SI_EIO || !strstr(si_last_error(), "nonexistent")) {
        fprintf(stderr, "unexpected: %s\n", si_last_error());
        return 1;
    }
    printf("seisinv %s found and linked\n", si_version());
    return 0;
}
