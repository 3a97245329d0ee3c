// The deploy rule: whether a training run's candidate replaces the active
// model, and why. The one statement of the rule; train_intent_model()'s
// worker (src/sql/40_training.sql) records what it decides.
//
//   deploy never / always      never / manual (always needs the deploy
//                              privilege, checked by train_intent_model())
//   no active model            first; but a partition's first model, when the
//                              fallback's out-of-fold answers on the partition's
//                              rows are known, is weighed against the fallback
//                              as if it were the active model (baseline_is_fallback):
//                              evidence fallback_rows (at least min_gate_rows rows
//                              both answered) or fallback_estimates (fewer: both
//                              models' macro F1 on those same rows, with the
//                              tolerance, and right on no fewer of them); a loss
//                              or a tie on those rows is fallback_better, and
//                              the fallback keeps answering for the partition
//   no out-of-fold evaluation  untested (an unevaluated model never replaces one)
//   enough fresh rows          the gate (src/core/gate.h): both models on the rows
//                              the active model never trained on; deploy when the
//                              candidate's macro F1 is at least the active model's
//                              minus max_f1_regression and it is right on more of
//                              those rows (improved or within_tolerance), or on as
//                              many with a higher macro F1 (improved); right on
//                              fewer, or below the tolerance: regression; as many
//                              with a macro F1 no higher: tie (the active model stays)
//   too few fresh rows         the candidate's out-of-fold macro F1 against the
//                              active model's recorded estimate, with the same
//                              tolerance (regression, improved, within_tolerance)
//   neither                    insufficient_evidence
//
// The evidence is weighed whatever the deploy mode, so that a run held back
// (never) or forced (always) still records how it compared. A deploy then
// happens only if the active model is still the one compared with: the
// worker checks that under the deployment lock, where alone it is known, and
// records baseline_changed otherwise (not for deploy always).
//
// Missing figures are SQL NULLs, with SQL's three-valued comparisons: a
// comparison with a missing figure is not true.
#pragma once

#include "options.h"

#include <cstdint>
#include <optional>
#include <string>

namespace intent {

// The gate's evidence on fresh rows, as the training report states it.
struct GateEvidence {
    bool sufficient = false;                                   // at least min_gate_rows in-scope fresh rows
    std::optional<double> candidate_f1, active_f1;             // macro F1 on the fresh rows
    std::optional<double> candidate_accuracy, active_accuracy; // accuracy on the fresh rows
    std::optional<int64_t> candidate_only_correct, active_only_correct;
};

struct DeployInputs {
    DeployMode mode = DeployMode::Auto;
    bool has_active = false;               // a model is active
    int64_t test_samples = 0;              // rows of the candidate's out-of-fold evaluation
    std::optional<double> oof_f1;          // the candidate's out-of-fold macro F1
    GateEvidence gate;                     // when the active model was scored on fresh rows
    std::optional<double> active_estimate; // the active model's recorded F1
    std::optional<double> max_f1_regression;
    // The baseline is the classifier's fallback model on a partition's rows
    // (has_active is then true): `gate` holds both models' figures on the
    // rows both answered out of fold, and active_estimate the fallback's
    // macro F1 on them (oof_f1 the candidate's on the same rows).
    bool baseline_is_fallback = false;
};

struct DeployDecision {
    bool deploy = false;
    std::string reason;   // first, untested, insufficient_evidence, regression, tie, improved,
                          // within_tolerance, fallback_better, never, manual
    std::string evidence; // none, fresh_rows, estimates, fallback_rows, fallback_estimates
    std::optional<double> candidate_f1, baseline_f1, baseline_accuracy;
    // fresh rows only the candidate gets right, minus those only the active model does
    std::optional<int64_t> right_more;
};

DeployDecision decide_deploy(const DeployInputs &in);

} // namespace intent
