// The vocabulary fit() cuts from the n-gram counts: min_df, the caps, and
// each term's idf.
#include "errors.h"
#include "gram_counter.h"
#include "vectorizer_internal.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace intent {
namespace vectorizer_internal {

namespace {

// idf of a term seen in `df` of `n` documents (scikit-learn's formulas).
double idf_value(bool smooth, double n, double df) {
    return smooth ? std::log((1.0 + n) / (1.0 + df)) + 1.0 : std::log(n / df) + 1.0;
}

// A candidate term: document frequency, its bytes in the counter and its gram id.
struct Candidate {
    uint32_t df;
    std::string_view bytes;
    uint32_t id;
};

// Keeps the `cap` candidates with the highest df (ties: smaller bytes first),
// then orders the survivors by bytes.
void select_top(std::vector<Candidate> &cands, size_t cap) {
    if (cands.size() > cap) {
        auto better = [](const Candidate &a, const Candidate &b) {
            if (a.df != b.df) return a.df > b.df;
            return a.bytes < b.bytes;
        };
        std::nth_element(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(cap), cands.end(),
                         better);
        cands.resize(cap);
    }
    std::sort(cands.begin(), cands.end(),
              [](const Candidate &a, const Candidate &b) { return a.bytes < b.bytes; });
}

} // namespace

// Applies min_df and the max_features / max_char_features caps to the counts
// (ties broken by bytes, so the result does not depend on the table order).
Vocabulary choose_vocabulary(const GramCounter &counter, size_t num_texts, const FeatureOptions &options) {
    const std::vector<GramInfo> &info = counter.info();
    std::vector<Candidate> words, chars;
    const bool by_group = options.min_feature_partitions > 1;
    if (by_group && !counter.grouped())
        throw Error(ErrorKind::InvalidArgument, "min_feature_partitions needs the partition of every text");
    size_t single_group = 0;
    for (const GramSlot &s : counter.slots()) {
        if (s.hash == 0 || s.df < static_cast<uint32_t>(options.min_df)) continue;
        // The privacy rule of a partitioned classifier's fallback (issue 31,
        // item 9): an n-gram seen in one partition's rows only is no feature.
        if (by_group && counter.group(s.id) != kSeveralGroups) {
            ++single_group;
            continue;
        }
        const GramInfo &gi = info[s.id];
        Candidate c{s.df, counter.bytes(gi), s.id};
        (gi.kind == FeatureKind::Word ? words : chars).push_back(c);
    }
    select_top(words, static_cast<size_t>(options.max_features));
    select_top(chars, static_cast<size_t>(options.max_char_features));
    if (words.empty() && chars.empty() && by_group)
        throw Error(ErrorKind::InsufficientData, Message{N_("no features left to learn from"), {}},
                    "No word or character n-gram occurs in the texts of at least two partitions (and in "
                    "at least min_df (" +
                        std::to_string(options.min_df) + ") of the " + std::to_string(num_texts) + " texts).",
                    N_("The fallback model of a partitioned classifier keeps only n-grams that two "
                    "partitions share."));
    if (words.empty() && chars.empty())
        throw Error(ErrorKind::InsufficientData, Message{N_("no features left to learn from"), {}},
                    "No word or character n-gram occurs in at least min_df (" +
                        std::to_string(options.min_df) + ") of the " + std::to_string(num_texts) + " texts.",
                    N_("Lower min_df or add training texts that contain words."));

    Vocabulary v;
    v.single_group_dropped = single_group;
    const size_t total_terms = words.size() + chars.size();
    v.terms.reserve(total_terms);
    v.kinds.reserve(total_terms);
    v.idf.reserve(total_terms);
    const double n = static_cast<double>(num_texts);
    for (int pass = 0; pass < 2; ++pass) {
        for (const Candidate &c : pass == 0 ? words : chars) {
            v.terms.emplace_back(c.bytes);
            v.kinds.push_back(pass == 0 ? FeatureKind::Word : FeatureKind::Char);
            v.idf.push_back(static_cast<float>(idf_value(options.smooth_idf, n, c.df)));
            v.nnz += c.df;
        }
    }
    return v;
}

} // namespace vectorizer_internal
} // namespace intent
