// Abstain thresholds from out-of-fold predictions (see threshold.h).
#include "threshold.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace intent {

const char *threshold_reason_code(ThresholdReason reason) {
    switch (reason) {
    case ThresholdReason::TooFewPredictions:
        return "too_few_predictions";
    case ThresholdReason::TargetReached:
        return "target_precision";
    case ThresholdReason::BestPrecision:
        return "best_precision";
    case ThresholdReason::Floor:
        return "threshold_floor";
    }
    return "unknown";
}

AbstainThresholds choose_abstain_thresholds(const std::vector<float> &confidence,
                                            const std::vector<int> &predicted,
                                            const std::vector<bool> &correct,
                                            const std::vector<size_t> &intent_rows, double target_precision,
                                            double threshold_floor, size_t min_threshold_rows,
                                            size_t min_intent_rows) {
    if (confidence.size() != predicted.size() || confidence.size() != correct.size())
        throw Error(ErrorKind::Internal, "threshold inputs differ in length");
    const size_t k = intent_rows.size();
    AbstainThresholds out;
    out.rows = confidence.size();
    std::vector<bool> thin(k, false);
    for (size_t c = 0; c < k; ++c)
        if (intent_rows[c] < min_intent_rows) {
            thin[c] = true;
            out.thin_intents.push_back(c);
        }
    char buf[256];
    if (out.rows < min_threshold_rows || out.rows == 0) {
        std::snprintf(buf, sizeof buf,
                      "%zu out-of-fold predictions, fewer than min_threshold_rows (%zu): too few to estimate "
                      "a precision, so the model never abstains",
                      out.rows, min_threshold_rows);
        out.reason_code = ThresholdReason::TooFewPredictions;
        out.reason = buf;
        out.per_intent.assign(k, 0.0f);
        return out;
    }
    // The global threshold governs the predictions of the other intents only.
    std::vector<float> conf;
    std::vector<bool> ok;
    for (size_t i = 0; i < confidence.size(); ++i) {
        if (predicted[i] < 0 || static_cast<size_t>(predicted[i]) >= k)
            throw Error(ErrorKind::Internal, "predicted intent out of range");
        if (thin[static_cast<size_t>(predicted[i])]) continue;
        conf.push_back(confidence[i]);
        ok.push_back(correct[i]);
    }
    out.choice = choose_threshold(conf, ok, target_precision);
    out.global = out.choice.threshold;
    if (static_cast<float>(threshold_floor) > out.global) {
        out.global = static_cast<float>(threshold_floor);
        out.floor_binds = true;
    }
    out.abstains = out.global > 0 || (threshold_floor > 0 && !out.thin_intents.empty());
    size_t accepted = 0, right = 0;
    for (size_t i = 0; i < conf.size(); ++i)
        if (conf[i] >= out.global) {
            ++accepted;
            right += ok[i];
        }
    out.coverage = conf.empty() ? 0.0 : static_cast<double>(accepted) / static_cast<double>(conf.size());
    out.precision = accepted ? static_cast<double>(right) / static_cast<double>(accepted) : 0.0;
    out.per_intent.assign(k, out.global);
    // Thin intents: the probability floor, which does not depend on how
    // well the fold models knew them (threshold.h).
    for (size_t c : out.thin_intents)
        out.per_intent[c] = static_cast<float>(threshold_floor);
    out.reason_code = out.floor_binds             ? ThresholdReason::Floor
                      : out.choice.target_reached ? ThresholdReason::TargetReached
                                                  : ThresholdReason::BestPrecision;
    if (out.floor_binds)
        std::snprintf(buf, sizeof buf,
                      "threshold_floor %.3f: above %.3f, the lowest confidence whose accepted out-of-fold "
                      "predictions reach precision %.3f; accepted: precision %.3f, coverage %.3f",
                      threshold_floor, static_cast<double>(out.choice.threshold), target_precision,
                      out.precision, out.coverage);
    else if (out.choice.target_reached)
        std::snprintf(buf, sizeof buf,
                      "lowest confidence whose accepted out-of-fold predictions reach precision %.3f "
                      "(%.3f at coverage %.3f over %zu predictions)",
                      target_precision, out.choice.precision, out.choice.coverage, conf.size());
    else
        std::snprintf(buf, sizeof buf,
                      "no confidence reaches precision %.3f on out-of-fold predictions; the best precision "
                      "(%.3f at coverage %.3f) was taken",
                      target_precision, out.choice.precision, out.choice.coverage);
    out.reason = buf;
    return out;
}

CoverageCap cap_threshold_for_coverage(std::vector<float> withheld, size_t accepted, size_t in_scope,
                                       float global, double min_coverage) {
    CoverageCap out;
    out.threshold = global;
    const double n = static_cast<double>(in_scope);
    out.coverage_before = in_scope ? static_cast<double>(accepted) / n : 0.0;
    out.coverage_after = out.coverage_before;
    char buf[256];
    const size_t wanted = static_cast<size_t>(std::ceil(min_coverage * n - 1e-9));
    if (min_coverage <= 0 || in_scope == 0 || accepted >= wanted || withheld.empty()) {
        if (min_coverage > 0 && in_scope > 0 && accepted < wanted)
            std::snprintf(buf, sizeof buf,
                          "out-of-fold coverage %.3f, below min_coverage %.3f, but no answer is withheld by "
                          "the global threshold alone (the novelty rules or the thin intents' floor withhold "
                          "them): the threshold stands",
                          out.coverage_before, min_coverage);
        else
            std::snprintf(buf, sizeof buf,
                          "out-of-fold coverage %.3f, min_coverage %.3f: the threshold stands",
                          out.coverage_before, min_coverage);
        out.reason = buf;
        return out;
    }
    std::sort(withheld.begin(), withheld.end(), std::greater<float>());
    const size_t need = std::min(wanted - accepted, withheld.size());
    out.threshold = std::min(withheld[need - 1], global);
    out.released = static_cast<size_t>(
        std::upper_bound(withheld.begin(), withheld.end(), out.threshold, std::greater<float>()) -
        withheld.begin());
    out.binds = true;
    out.coverage_after = static_cast<double>(accepted + out.released) / n;
    std::snprintf(buf, sizeof buf,
                  "lowered from %.3f to %.3f so that out-of-fold coverage reaches min_coverage %.3f "
                  "(%.3f before, %.3f after)",
                  static_cast<double>(global), static_cast<double>(out.threshold), min_coverage,
                  out.coverage_before, out.coverage_after);
    out.reason = buf;
    return out;
}

} // namespace intent
