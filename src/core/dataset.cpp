// De-duplication, conflict resolution and the out-of-scope label, plus the
// portable random generator every seeded step of the core uses.
#include "dataset.h"

#include "linear.h"

#include "errors.h"
#include "memory_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

} // namespace

size_t labeled_rows_bytes(const std::vector<LabeledText> &rows) {
    size_t bytes = rows.capacity() * sizeof(LabeledText);
    for (const LabeledText &r : rows)
        bytes += string_heap_bytes(r.text) + string_heap_bytes(r.label);
    return bytes;
}

// Groups rows by normalised text and keeps one label per text.
PreparedDataset prepare_dataset(const std::vector<LabeledText> &rows, const TextOptions &text_options,
                                const std::string &out_of_scope_intent, const TrainCallbacks *callbacks) {
    PreparedDataset out;
    out.input_rows = rows.size();
    out.out_of_scope_intent = out_of_scope_intent;
    // Working memory (the text index and the votes) is charged as it grows
    // and released on return; the caller charges what it keeps.
    // Rows and entries are numbered in 4 bytes (source_row, entry_of_row).
    if (rows.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw Error(ErrorKind::InvalidArgument, "too many rows");
    MemoryCharge charge(callbacks ? callbacks->memory : nullptr);
    charge.add(rows.size() * sizeof(int32_t), "the prepared training rows");
    out.entry_of_row.assign(rows.size(), -1);

    std::unordered_map<std::string, size_t> group_of;
    std::vector<TextGroup> groups;
    std::vector<bool> all_fresh;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (callbacks && (r & 255) == 0) callbacks->check_cancel();
        const LabeledText &row = rows[r];
        if (row.label.empty())
            throw Error(ErrorKind::InvalidArgument, "empty intent label",
                        "Input row " + std::to_string(r) + " has an empty label.");
        if (row.label.find('\0') != std::string::npos)
            throw Error(ErrorKind::InvalidArgument, "intent label contains a NUL byte",
                        "Input row " + std::to_string(r) + " has a label with a NUL byte.");
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
            // The key and its hash node, the group and its first vote.
            charge.add(it->first.capacity() + row.label.capacity() + sizeof(TextGroup) +
                           3 * sizeof(std::string) + 8 * sizeof(void *),
                       "the de-duplication of the training rows");
            groups.emplace_back();
            groups.back().first_row = r;
            all_fresh.push_back(true);
        } else {
            ++out.duplicates_removed;
        }
        out.entry_of_row[r] = static_cast<int32_t>(it->second);
        all_fresh[it->second] = all_fresh[it->second] && row.fresh;
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
        if (*l != out_of_scope_intent) out.labels.push_back(*l);
    std::sort(out.labels.begin(), out.labels.end());
    out.labels.erase(std::unique(out.labels.begin(), out.labels.end()), out.labels.end());

    const size_t n = groups.size();
    size_t kept_bytes = n * (sizeof(std::string) + sizeof(int) + sizeof(float) + sizeof(size_t) + 1);
    for (size_t g = 0; g < n; ++g)
        kept_bytes += rows[groups[g].first_row].text.size() + 1;
    charge.add(kept_bytes, "the prepared training rows");
    out.texts.reserve(n);
    out.y.reserve(n);
    out.weight.reserve(n);
    out.corrected.reserve(n);
    out.fresh.reserve(n);
    out.source_row.reserve(n);
    out.intent_rows.assign(out.labels.size(), 0);
    for (size_t g = 0; g < n; ++g) {
        int label = kOutOfScope;
        if (*kept[g] != out_of_scope_intent) {
            label = static_cast<int>(std::lower_bound(out.labels.begin(), out.labels.end(), *kept[g]) -
                                     out.labels.begin());
            ++out.intent_rows[static_cast<size_t>(label)];
        } else {
            ++out.out_of_scope_entries;
        }
        const LabelVote &v = groups[g].votes.at(*kept[g]);
        out.texts.push_back(rows[groups[g].first_row].text);
        out.y.push_back(label);
        out.weight.push_back(v.max_weight);
        out.corrected.push_back(v.corrected);
        out.fresh.push_back(all_fresh[g]);
        out.source_row.push_back(static_cast<uint32_t>(groups[g].first_row));
    }
    return out;
}

} // namespace intent
