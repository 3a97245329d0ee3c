#include "subword_auto.h"

#include <cstdio>

namespace intent {

SubwordOptions subword_auto_settings() {
    SubwordOptions o;
    o.dim = 32;
    o.epochs = 10;
    return o;
}

const char *subword_auto_reason_code(SubwordAutoReason r) {
    switch (r) {
    case SubwordAutoReason::LabelsNotThin:
        return "labels_not_thin";
    case SubwordAutoReason::TextsNotGiven:
        return "no_texts_without_label";
    case SubwordAutoReason::TooFewUnlabelled:
        return "too_few_texts_without_label";
    case SubwordAutoReason::ManyUnlabelledThinLabels:
        return "many_texts_without_label_thin_labels";
    }
    return "";
}

// The rule in words, with its figures, for the run's report.
std::string SubwordAutoDecision::reason_text() const {
    char buf[320];
    switch (reason) {
    case SubwordAutoReason::LabelsNotThin:
        std::snprintf(buf, sizeof buf, "off: %zu labelled rows for %zu labels, at least %zu rows per label",
                      labelled_rows, labels, min_rows_per_label);
        break;
    case SubwordAutoReason::TextsNotGiven:
        std::snprintf(buf, sizeof buf, "off: no texts without a label read for this run");
        break;
    case SubwordAutoReason::TooFewUnlabelled:
        std::snprintf(buf, sizeof buf,
                      "off: %zu texts without a label, fewer than %zu times the %zu labelled rows",
                      unlabelled_texts, kSubwordAutoUnlabelledRatio, labelled_rows);
        break;
    case SubwordAutoReason::ManyUnlabelledThinLabels:
        std::snprintf(buf, sizeof buf,
                      "on: %zu texts without a label, at least %zu times the %zu labelled rows, "
                      "fewer than %zu rows per label (%zu labels)",
                      unlabelled_texts, kSubwordAutoUnlabelledRatio, labelled_rows, min_rows_per_label,
                      labels);
        break;
    }
    return buf;
}

bool subword_auto_labels_thin(size_t labelled_rows, size_t labels, size_t min_intent_rows) {
    // rows / labels < min_intent_rows, without a division (labels may be 0).
    return labels > 0 && labelled_rows < min_intent_rows * labels;
}

SubwordAutoDecision decide_subword_auto(size_t labelled_rows, size_t labels, bool unlabelled_given,
                                        size_t unlabelled_texts, size_t min_intent_rows) {
    SubwordAutoDecision d;
    d.used = true;
    d.labelled_rows = labelled_rows;
    d.labels = labels;
    d.unlabelled_texts = unlabelled_given ? unlabelled_texts : 0;
    d.min_rows_per_label = min_intent_rows;
    if (!subword_auto_labels_thin(labelled_rows, labels, min_intent_rows))
        d.reason = SubwordAutoReason::LabelsNotThin;
    else if (!unlabelled_given)
        d.reason = SubwordAutoReason::TextsNotGiven;
    else if (unlabelled_texts < kSubwordAutoUnlabelledRatio * labelled_rows)
        d.reason = SubwordAutoReason::TooFewUnlabelled;
    else {
        d.reason = SubwordAutoReason::ManyUnlabelledThinLabels;
        d.on = true;
    }
    return d;
}

} // namespace intent
