/* seisinv — umbrella header. */
#ifndef SEISINV_SEISINV_H
#define SEISINV_SEISINV_H
#include "seisinv/dataset.h"
#include "seisinv/error.h"
#include "seisinv/metrics.h"
#include "seisinv/model.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"
#include "seisinv/safetensors.h"
#include "seisinv/segy.h"
#include "seisinv/sim.h"
#include "seisinv/survey_map.h"
#include "seisinv/train.h"
#include "seisinv/velgen.h"
#endif
