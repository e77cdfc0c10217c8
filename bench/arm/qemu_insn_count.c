/* A qemu-user TCG plugin that counts the guest instructions executed, in
 * all and by class (vector FMA, scalar FMA, other vector instructions,
 * other scalar floating point, loads, stores), all threads summed (exact only for single-threaded
 * runs: the inline adds are not atomic), and writes the totals to the file named by its `out=`
 * argument: qemu-aarch64 -plugin ./libqemu_insn_count.so,out=count.txt prog args The class of an
 * instruction is read from its disassembly once, when its block is translated; each run of the
 * block then adds the block's counts. Debian's qemu-user (7.2) is built with plugin support but
 * ships no plugins (no libinsn.so), so bench/arm/count-insns.sh builds this one. It declares the
 * few entry points of QEMU's plugin API version 1 it uses (qemu-plugin.h is not packaged either).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

enum { ALL, VFMA, SFMA, VFP, SFP, LOAD, STORE, NCLASS };
static const char *const class_names[NCLASS] = {
    "insns", "vector_fma", "scalar_fma", "vector_other", "scalar_fp", "loads", "stores"};
static uint64_t executed[NCLASS];
static char out_path[1024];

static int starts(const char *s, const char *p) {
    return strncmp(s, p, strlen(p)) == 0;
}

/* The class of one instruction from its text, e.g. "fmla v0.4s, v1.4s, v2.s[0]". */
static int classify(const char *d) {
    const int vector = strstr(d, " v") != NULL || strstr(d, "{v") != NULL;
    if (starts(d, "fmla") || starts(d, "fmls")) return vector ? VFMA : SFMA;
    if (starts(d, "fmadd") || starts(d, "fmsub") || starts(d, "fnmadd") || starts(d, "fnmsub"))
        return SFMA;
    if (starts(d, "ld")) return LOAD;
    if (starts(d, "st")) return STORE;
    if (vector) return VFP;
    if (d[0] == 'f') return SFP;
    return -1;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    uint64_t count[NCLASS] = {n};
    for (size_t i = 0; i < n; i++) {
        char *d = qemu_plugin_insn_disas(qemu_plugin_tb_get_insn(tb, i));
        if (!d) continue;
        const int c = classify(d);
        if (c > 0) count[c]++;
        free(d);
    }
    for (int c = 0; c < NCLASS; c++)
        if (count[c])
            qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed[c],
                                                     count[c]);
}

static void write_counts(qemu_plugin_id_t id, void *userdata) {
    (void)id, (void)userdata;
    FILE *f = out_path[0] ? fopen(out_path, "w") : stderr;
    if (!f) return;
    for (int c = 0; c < NCLASS; c++)
        fprintf(f, "%s %llu\n", class_names[c], (unsigned long long)executed[c]);
    if (f != stderr) fclose(f);
}

__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "out=", 4) == 0)
            snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_counts, NULL);
    return 0;
}
