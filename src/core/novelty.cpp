// The evidence floor (see novelty.h).
#include "novelty.h"

#include "vectorizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace intent {

Recognition::Recognition(const Vectorizer &vectorizer) {
    const std::vector<std::string> &terms = vectorizer.terms();
    const std::vector<FeatureKind> &kinds = vectorizer.kinds();
    recognising_.assign(terms.size(), false);
    for (size_t j = 0; j < terms.size(); ++j) {
        if (kinds[j] == FeatureKind::Word) {
            recognising_[j] = true;
            continue;
        }
        size_t code_points = 0; // UTF-8: every byte but continuation bytes
        for (unsigned char b : terms[j])
            code_points += (b & 0xC0) != 0x80;
        recognising_[j] = code_points >= kRecognisingCharGram;
    }
}

EvidenceFloor choose_evidence_floor(std::vector<float> evidence, double quantile, size_t min_rows) {
    EvidenceFloor out;
    out.quantile = quantile;
    evidence.erase(
        std::remove_if(evidence.begin(), evidence.end(), [](float e) { return !std::isfinite(e); }),
        evidence.end());
    out.rows = evidence.size();
    char buf[256];
    if (quantile <= 0 || out.rows == 0 || out.rows < min_rows) {
        std::snprintf(buf, sizeof buf,
                      quantile <= 0 ? "evidence_quantile 0: only messages without known evidence abstain"
                                    : "%zu accepted right out-of-fold answers, fewer than min_threshold_rows "
                                      "(%zu): only messages without known evidence abstain",
                      out.rows, min_rows);
        out.reason = buf;
        return out;
    }
    // The largest floor that leaves at least (1 - quantile) of them above it:
    // the value at rank floor(quantile * rows), strictly below which fewer
    // than quantile * rows answers lie; answers equal to it turn uncertain
    // too, so step down to the next smaller value when ties would exceed it.
    std::sort(evidence.begin(), evidence.end());
    const size_t allowed = static_cast<size_t>(std::floor(quantile * static_cast<double>(out.rows)));
    float floor = 0;
    if (allowed > 0) {
        floor = evidence[allowed - 1];
        // Every answer at or below `floor` turns uncertain: at most `allowed`.
        while (floor > 0 && static_cast<size_t>(std::upper_bound(evidence.begin(), evidence.end(), floor) -
                                                evidence.begin()) > allowed) {
            auto it = std::lower_bound(evidence.begin(), evidence.end(), floor);
            if (it == evidence.begin()) {
                floor = 0;
                break;
            }
            floor = *(it - 1);
        }
    }
    out.floor = std::max(floor, 0.0f);
    out.learned = true;
    std::snprintf(buf, sizeof buf,
                  "evidence floor %.4f: the %.3f quantile of the evidence of %zu accepted right out-of-fold "
                  "answers (never below 0)",
                  static_cast<double>(out.floor), quantile, out.rows);
    out.reason = buf;
    return out;
}

} // namespace intent
