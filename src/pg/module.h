// Every glue header a file of src/pg/ used to get from this one. Include the
// header of the concern instead (settings.h, model_cache.h, predict.h,
// trained_model.h, text_io.h); this goes once no file includes it.
#pragma once

#include "model_cache.h"
#include "predict.h"
#include "settings.h"
#include "text_io.h"
#include "trained_model.h"
