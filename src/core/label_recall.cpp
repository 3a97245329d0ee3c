// The recall offset of a label (see label_recall.h).
#include "label_recall.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace intent {

const char *recall_reason_code(RecallReason reason) {
    switch (reason) {
    case RecallReason::Off:
        return "off";
    case RecallReason::LabelAbsent:
        return "label_absent";
    case RecallReason::TooFewRows:
        return "too_few_rows";
    case RecallReason::TargetMet:
        return "target_met";
    case RecallReason::Shifted:
        return "shifted";
    }
    return "off";
}

namespace {

// Recall and precision of the label's answers at offset d.
void measure(const std::vector<float> &margin, const std::vector<bool> &is_label, float d, double &recall,
             double &precision) {
    size_t tp = 0, answered = 0, positives = 0;
    for (size_t i = 0; i < margin.size(); ++i) {
        const bool says = margin[i] + d > 0;
        answered += says;
        positives += is_label[i];
        tp += says && is_label[i];
    }
    recall = positives ? static_cast<double>(tp) / static_cast<double>(positives) : 0.0;
    precision = answered ? static_cast<double>(tp) / static_cast<double>(answered) : 0.0;
}

} // namespace

RecallShift choose_recall_shift(int label, const std::vector<float> &margin,
                                const std::vector<bool> &is_label, double target, size_t min_rows) {
    RecallShift out;
    out.target = target;
    char buf[256];
    if (label < 0) {
        out.reason_code = RecallReason::LabelAbsent;
        out.reason = "recall_label is not among this run's labels: no offset";
        return out;
    }
    std::vector<float> own; // the margins of the label's own rows
    for (size_t i = 0; i < margin.size(); ++i)
        if (is_label[i] && std::isfinite(margin[i])) own.push_back(margin[i]);
    out.rows = own.size();
    measure(margin, is_label, 0, out.recall_before, out.precision_before);
    out.recall_after = out.recall_before;
    out.precision_after = out.precision_before;
    if (own.empty() || own.size() < min_rows) {
        out.reason_code = RecallReason::TooFewRows;
        std::snprintf(buf, sizeof buf,
                      "%zu out-of-fold rows of the label, fewer than min_intent_rows (%zu): no offset",
                      out.rows, min_rows);
        out.reason = buf;
        return out;
    }
    out.label = label;
    out.exempt = true;
    // The `need` largest margins must end up above 0: the offset lifts the
    // need-th largest just past 0.
    const size_t need =
        std::min(own.size(), static_cast<size_t>(std::ceil(target * static_cast<double>(own.size()) - 1e-9)));
    std::sort(own.begin(), own.end(), [](float a, float b) { return a > b; });
    const float m = need == 0 ? own.front() : own[need - 1];
    if (m > 0) {
        out.reason_code = RecallReason::TargetMet;
        std::snprintf(buf, sizeof buf, "out-of-fold recall %.3f already reaches recall_target %.3f: offset 0",
                      out.recall_before, target);
        out.reason = buf;
        return out;
    }
    // The float just above -m: margin + offset > 0 for that row and every
    // larger margin.
    out.offset = std::nextafter(-m, std::numeric_limits<float>::infinity());
    measure(margin, is_label, out.offset, out.recall_after, out.precision_after);
    out.reason_code = RecallReason::Shifted;
    std::snprintf(
        buf, sizeof buf,
        "offset %.4f on the label's score: out-of-fold recall %.3f -> %.3f (target %.3f), precision "
        "%.3f -> %.3f",
        static_cast<double>(out.offset), out.recall_before, out.recall_after, target, out.precision_before,
        out.precision_after);
    out.reason = buf;
    return out;
}

} // namespace intent
