// A partitioned classifier's call weighs each partition's first model
// against the fallback (issue 34, point 2; the deploy rule's
// baseline_is_fallback, src/core/deploy_rule.h): the fallback's run, first
// in the call, keeps its out-of-fold answers; each partition's run compares
// its own out-of-fold answers with them on the partition's rows.
#pragma once

#include "classifier_source.h"
#include "train_memory.h"
#include "train_reader.h"

#include "deploy_rule.h"
#include "json.h"
#include "model.h"
#include "training.h"

#include <optional>
#include <string>
#include <vector>

namespace pg_intent {

// A partitioned classifier's fallback run keeps its out-of-fold answer to
// each staged row (StagedSource::fallback_answers) for the partitions' runs
// of the same call, which weigh their first model against it.
void keep_fallback_answers(const StagedSource &staged, const RunRows &data,
                           const std::vector<intent::RowResult> &results,
                           const std::vector<std::string> &labels);

// A partition's first model against the fallback (issue 34, point 2), on
// the partition's rows that both answered out of fold: the candidate's
// fold models never saw the row, nor did the fallback's (which trained on
// every partition's rows, so its own served model is no fair judge of
// them: it learnt them). The candidate's answer is the one the classifier
// would serve (intent::fallback_answers(), src/core/deferral.h): with
// defer_to_fallback, the fallback's where the candidate abstains and the
// fallback does not. Figures as the gate's (gate.h): accuracy and macro F1 (over the
// labels of the partition's rows) of the answers, and the discordant pairs; the gate's "sufficient" at the
// policy's min_gate_rows. Only reviewed rows count (with a reviewed_column;
// without one the owner vouches for every row), as only they are the gate's
// fresh rows: a row anyone may write judges no model. Written into the
// report as "fallback_comparison", and returned as the deploy rule's gate
// evidence (the candidate's against the fallback's); rows answered by both
// but none reviewed give evidence without figures, on which the rule keeps
// the fallback (insufficient_evidence). Nothing: no comparison (no fallback
// answers kept, or no row answered by both).
std::optional<intent::GateEvidence> compare_with_fallback(const StagedSource &staged, const RunRows &data,
                                                          const std::vector<intent::RowResult> &results,
                                                          const intent::IntentModel &model,
                                                          const TrainingPolicy &policy, intent::Json &report);

} // namespace pg_intent
