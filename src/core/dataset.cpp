// De-duplication, conflict resolution and the stratified split, plus the
// portable random generator every seeded step of the core uses.
#include "dataset.h"

#include "linear.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace intent {

// splitmix64 (Steele, Lea & Flood 2014): the state advances by a fixed odd
// constant and the output is a bijective mix of it.
uint64_t Rng::next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform integer below `bound` without modulo bias: draws falling in the
// short last block of size 2^64 mod bound are rejected.
uint64_t Rng::below(uint64_t bound) {
    if (bound <= 1) return 0;
    const uint64_t reject_below = (0 - bound) % bound; // 2^64 mod bound
    for (;;) {
        const uint64_t r = next();
        if (r >= reject_below) return r % bound;
    }
}

// Fractions must each lie in [0, 0.9] and leave some rows for training.
void SplitOptions::validate() const {
    auto bad = [](double f) { return !std::isfinite(f) || f < 0 || f > 0.9; };
    if (bad(val_fraction))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option val_fraction",
                    "val_fraction must be between 0 and 0.9.", "The usual value is 0.15.");
    if (bad(test_fraction))
        throw Error(ErrorKind::InvalidArgument, "invalid value for option test_fraction",
                    "test_fraction must be between 0 and 0.9.", "The usual value is 0.15.");
    if (!(val_fraction + test_fraction < 1.0))
        throw Error(ErrorKind::InvalidArgument, "validation and test fractions leave no training rows",
                    "val_fraction + test_fraction must be below 1.");
}

namespace {

// Votes for one label of one distinct text.
struct LabelVote {
    size_t count = 0;
    bool corrected = false;
    float max_weight = 0;
};

// Everything seen for one normalised text.
struct TextGroup {
    size_t first_row = 0;
    std::map<std::string, LabelVote> votes; // ordered: ties fall to the smallest label
};

// Round half away from zero, identical on every platform.
size_t round_count(double x) {
    return static_cast<size_t>(std::floor(x + 0.5));
}

} // namespace

// Groups rows by normalised text, keeps one label per text, then splits each
// class separately after a seeded shuffle.
PreparedDataset prepare_dataset(const std::vector<LabeledText> &rows, const TextOptions &text_options,
                                const SplitOptions &split, const TrainCallbacks *callbacks) {
    split.validate();
    PreparedDataset out;
    out.input_rows = rows.size();

    std::unordered_map<std::string, size_t> group_of;
    std::vector<TextGroup> groups;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (callbacks && (r & 255) == 0) callbacks->check_cancel();
        const LabeledText &row = rows[r];
        if (row.label.empty())
            throw Error(ErrorKind::InvalidArgument, "empty intent label",
                        "Input row " + std::to_string(r) + " has an empty label.");
        if (!(std::isfinite(row.weight) && row.weight > 0))
            throw Error(ErrorKind::InvalidArgument, "invalid sample weight",
                        "Input row " + std::to_string(r) +
                            " has a weight that is not a finite positive number.");
        std::string key;
        try {
            key = normalize_text(row.text, text_options);
        } catch (const Error &e) {
            throw Error(e.kind(), e.what(),
                        "Input row " + std::to_string(r) + ": " +
                            (e.detail().empty() ? "invalid text." : e.detail()),
                        e.hint());
        }
        if (key.empty()) {
            ++out.empty_removed;
            continue;
        }
        auto [it, inserted] = group_of.emplace(std::move(key), groups.size());
        if (inserted) {
            groups.emplace_back();
            groups.back().first_row = r;
        } else {
            ++out.duplicates_removed;
        }
        LabelVote &v = groups[it->second].votes[row.label];
        ++v.count;
        v.corrected = v.corrected || row.corrected;
        v.max_weight = std::max(v.max_weight, row.weight);
    }

    // Pick each text's label: most votes, then corrected, then smallest name.
    std::vector<const std::string *> kept(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto &votes = groups[g].votes;
        if (votes.size() > 1) ++out.conflicts_resolved;
        auto best = votes.begin();
        for (auto it = std::next(votes.begin()); it != votes.end(); ++it) {
            const LabelVote &a = it->second, &b = best->second;
            if (a.count > b.count || (a.count == b.count && a.corrected && !b.corrected)) best = it;
        }
        kept[g] = &best->first;
    }
    for (const auto *l : kept)
        out.labels.push_back(*l);
    std::sort(out.labels.begin(), out.labels.end());
    out.labels.erase(std::unique(out.labels.begin(), out.labels.end()), out.labels.end());

    const size_t n = groups.size();
    out.texts.reserve(n);
    out.y.reserve(n);
    out.weight.reserve(n);
    out.corrected.reserve(n);
    out.source_row.reserve(n);
    std::vector<std::vector<size_t>> members(out.labels.size());
    for (size_t g = 0; g < n; ++g) {
        const size_t label = static_cast<size_t>(
            std::lower_bound(out.labels.begin(), out.labels.end(), *kept[g]) - out.labels.begin());
        const LabelVote &v = groups[g].votes.at(*kept[g]);
        out.texts.push_back(rows[groups[g].first_row].text);
        out.y.push_back(static_cast<int>(label));
        out.weight.push_back(v.max_weight);
        out.corrected.push_back(v.corrected);
        out.source_row.push_back(groups[g].first_row);
        members[label].push_back(g);
    }

    // Stratified split: classes in label order share one generator, so the
    // result depends only on the data and the seed.
    Rng rng(split.seed);
    for (size_t c = 0; c < members.size(); ++c) {
        std::vector<size_t> &m = members[c];
        const size_t count = m.size();
        if (count < 3) {
            out.train.insert(out.train.end(), m.begin(), m.end());
            out.small_classes.push_back(out.labels[c]);
            continue;
        }
        rng.shuffle(m);
        size_t n_test =
            split.test_fraction > 0 ? std::max<size_t>(1, round_count(count * split.test_fraction)) : 0;
        size_t n_val =
            split.val_fraction > 0 ? std::max<size_t>(1, round_count(count * split.val_fraction)) : 0;
        // Keep at least one training row: shrink the larger held-out part first
        // (validation on a tie).
        while (n_test + n_val > count - 1) {
            if (n_val >= n_test)
                --n_val;
            else
                --n_test;
        }
        out.test.insert(out.test.end(), m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n_test));
        out.val.insert(out.val.end(), m.begin() + static_cast<std::ptrdiff_t>(n_test),
                       m.begin() + static_cast<std::ptrdiff_t>(n_test + n_val));
        out.train.insert(out.train.end(), m.begin() + static_cast<std::ptrdiff_t>(n_test + n_val), m.end());
    }
    std::sort(out.train.begin(), out.train.end());
    std::sort(out.val.begin(), out.val.end());
    std::sort(out.test.begin(), out.test.end());
    return out;
}

} // namespace intent
