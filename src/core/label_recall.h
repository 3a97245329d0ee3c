// A label's recall target (training options recall_label, recall_target):
// some labels cost more when missed than when raised by mistake. A support
// team's `escalated = true` is the one our users asked for: out of fold its
// recall was 0.60, and their workaround read its probability by hand
// (`(top_labels->>'true')::float > 0.3`).
//
// The rule: the label's decision score gets an offset, the smallest that
// makes the label's out-of-fold recall reach the target (0 when it already
// does), and the label never abstains for low confidence (its rule is
// recall, not precision; messages without evidence and the out-of-scope
// class still make it uncertain). The served model carries the offset in the
// label's bias, so prediction, explanation and evaluation serve it through
// the same code as any model, and the message's evidence (|score - bias|,
// novelty.h) is unchanged by it. Out of fold, the calibrator, the
// thresholds, the metrics and the deploy gate's candidate all see the
// shifted scores, so what the report and the gate judge is what will serve.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace intent {

// Why the offset is what it is, typed; recall_reason_code() names it in the
// stored report (recall.reason_code).
enum class RecallReason {
    Off,         // no recall_label: nothing shifts
    LabelAbsent, // the label is not among this run's labels (a partition without it)
    TooFewRows,  // fewer out-of-fold rows of the label than min_intent_rows: no offset
    TargetMet,   // the label's out-of-fold recall already reaches the target: offset 0
    Shifted,     // the offset that reaches the target
};
const char *recall_reason_code(RecallReason reason);

struct RecallShift {
    int label = -1;    // index of the label among the run's labels; -1: no rule applies
    float offset = 0;  // added to the label's decision score (>= 0)
    double target = 0; // recall_target
    size_t rows = 0;   // in-scope out-of-fold rows of the label
    double recall_before = 0, recall_after = 0;       // out of fold, served label
    double precision_before = 0, precision_after = 0; // of the label's out-of-fold answers
    bool exempt = false;                              // the label never abstains for low confidence
    RecallReason reason_code = RecallReason::Off;
    std::string reason; // the same in English, for the stored report's readers
    // The label's score with the offset: the one place it is added out of
    // fold (the served model carries it in its bias).
    void apply(float *scores) const {
        if (label >= 0) scores[label] += offset;
    }
};

// `margin` holds, for every in-scope out-of-fold row, the label's score
// minus the best other label's (intents only: the out-of-scope class never
// serves); `is_label` whether the row's true label is the label. The offset
// is the smallest d >= 0 with recall(d) >= target, where a row counts as
// the label when margin + d > 0 (ties go to the other label: the offset
// steps just past the margin it must beat).
RecallShift choose_recall_shift(int label, const std::vector<float> &margin,
                                const std::vector<bool> &is_label, double target, size_t min_rows);

} // namespace intent
