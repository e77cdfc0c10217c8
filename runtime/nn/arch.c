/* SeisInvNet's fixed layer list (SPEC §1) and the Global branch's sizes. */
#include "nn_internal.h"

const nn_glob_layer nn_glob[NN_GLOB] = {
    {1, 64, 1, 7, 1, 4, 0, 3},    {64, 64, 1, 3, 1, 2, 0, 1},   {64, 64, 1, 3, 1, 2, 0, 1},
    {64, 64, 1, 3, 1, 2, 0, 1},   {64, 128, 3, 3, 1, 1, 1, 1},  {128, 128, 3, 3, 2, 2, 1, 1},
    {128, 256, 3, 3, 1, 1, 1, 1}, {256, 256, 3, 3, 2, 2, 1, 1}, {256, 512, 3, 3, 1, 1, 1, 1},
    {512, 512, 3, 3, 2, 2, 1, 1}, {512, 128, 4, 4, 1, 1, 0, 0},
};
const int nn_gen_width[NN_GEN] = {1024, 512, 256, 256, 256};
const int nn_dec_width[NN_DEC_UP] = {128, 64, 32};
const int nn_dilation[NN_DIL] = {1, 3, 5, 7};

int nn_glob_sizes(int R, int T, int h[NN_GLOB], int w[NN_GLOB]) {
    long long y = R, x = T;
    for (int i = 0; i < NN_GLOB; i++) {
        const nn_glob_layer *l = &nn_glob[i];
        if (y + 2 * l->ph < l->kh || x + 2 * l->pw < l->kw) return i; /* kernel overhangs */
        y = (y + 2 * l->ph - l->kh) / l->sh + 1;
        x = (x + 2 * l->pw - l->kw) / l->sw + 1;
        h[i] = (int)y, w[i] = (int)x;
    }
    return NN_GLOB;
}
