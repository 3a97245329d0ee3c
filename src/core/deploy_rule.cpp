// The deploy rule (see deploy_rule.h).
#include "deploy_rule.h"

namespace intent {
namespace {

using Figure = std::optional<double>;

// SQL's a < b, a <= b, a > b, a - b: true only when both are known.
bool less(Figure a, Figure b) {
    return a && b && *a < *b;
}
bool at_most(Figure a, Figure b) {
    return a && b && *a <= *b;
}
bool greater(Figure a, Figure b) {
    return a && b && *a > *b;
}
Figure minus(Figure a, Figure b) {
    return a && b ? Figure(*a - *b) : std::nullopt;
}

} // namespace

DeployDecision decide_deploy(const DeployInputs &in) {
    DeployDecision d;
    d.candidate_f1 = in.oof_f1;
    if (!in.has_active) {
        d.deploy = true;
        d.reason = "first";
        d.evidence = "none";
    } else if (in.test_samples == 0) {
        d.reason = "untested";
        d.evidence = "none";
    } else {
        if (in.gate.sufficient) {
            d.evidence = "fresh_rows";
            d.candidate_f1 = in.gate.candidate_f1;
            d.baseline_f1 = in.gate.active_f1;
            d.baseline_accuracy = in.gate.active_accuracy;
            if (in.gate.candidate_only_correct && in.gate.active_only_correct)
                d.right_more = *in.gate.candidate_only_correct - *in.gate.active_only_correct;
        } else if (in.active_estimate) {
            d.evidence = "estimates";
            d.baseline_f1 = in.active_estimate;
            // Against the fallback, the estimates are on the same rows, so
            // their discordant pairs are evidence too: a first model right
            // on fewer of the partition's rows than the fallback is worse
            // there, however few they are.
            if (in.baseline_is_fallback && in.gate.candidate_only_correct && in.gate.active_only_correct)
                d.right_more = *in.gate.candidate_only_correct - *in.gate.active_only_correct;
        }
        if (in.baseline_is_fallback && !d.evidence.empty())
            d.evidence = d.evidence == "fresh_rows" ? "fallback_rows" : "fallback_estimates";
        if (d.evidence.empty()) {
            d.reason = "insufficient_evidence";
            d.evidence = "none";
        } else if (less(d.candidate_f1, minus(d.baseline_f1, in.max_f1_regression)) ||
                   d.right_more.value_or(0) < 0) {
            // The tolerance is for macro F1, which a single message of a rare
            // intent moves by points. Accuracy on fresh rows gets none: both
            // models answer the same messages, so a candidate right on fewer
            // of them is worse on exactly the evidence there is (and the next
            // run has more fresh rows, since the active model stays).
            d.reason = in.baseline_is_fallback ? "fallback_better" : "regression";
        } else if ((d.evidence == "fresh_rows" || d.evidence == "fallback_rows") && d.right_more == int64_t{0} &&
                   at_most(d.candidate_f1, d.baseline_f1)) {
            // A tie on fresh rows is no evidence that the candidate is better,
            // and replacing the served model is not free: the active model
            // stays, its fresh rows stay fresh, and the next run weighs both
            // on more of them.
            d.reason = in.baseline_is_fallback ? "fallback_better" : "tie";
        } else {
            d.deploy = true;
            d.reason = greater(d.candidate_f1, d.baseline_f1) ? "improved" : "within_tolerance";
        }
    }
    if (in.mode == DeployMode::Never) {
        d.deploy = false;
        d.reason = "never";
    } else if (in.mode == DeployMode::Always) {
        d.deploy = true;
        d.reason = "manual";
    }
    return d;
}

} // namespace intent
