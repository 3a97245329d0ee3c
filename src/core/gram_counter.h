// Counting the document frequency of every n-gram of the training texts,
// within the memory budget: the first pass of fit().
#pragma once

#include "errors.h"
#include "memory_budget.h"
#include "ngrams.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace intent {
namespace vectorizer_internal {

// Hash table slot of the counter: the hot fields only, so a probe that hits
// touches one 24-byte slot.
struct GramSlot {
    uint64_t hash = 0; // 0 = empty slot
    uint32_t id = 0;   // index into GramCounter::info()
    uint32_t df = 0;
    uint32_t last_doc = 0;
};

// Where a distinct n-gram's bytes are kept in the counter's byte store.
struct GramInfo {
    uint64_t offset = 0;
    uint32_t length = 0;
    FeatureKind kind = FeatureKind::Word;
};

// Open-addressing table of n-gram document frequencies keyed by hash, used
// by fit() and fit_transform(). It keeps one copy of each distinct n-gram's
// bytes (not the training texts), and charges everything it allocates to
// the memory budget. When the budget cannot pay for growth it prunes instead
// (see prune()), and throws Error(ResourceLimit) only when even its minimum
// does not fit.
//
// With `grouped` (min_feature_partitions 2), it also keeps, per distinct
// n-gram, the one group (partition) it was seen in, or kSeveralGroups once
// seen in a second: 4 bytes per n-gram, in a store beside the byte store,
// touched once per (n-gram, text), never per occurrence.
class GramCounter {
  public:
    explicit GramCounter(MemoryBudget *budget, bool grouped = false) : charge_(budget), grouped_(grouped) {
        charge_.add(kInitialSlots * sizeof(GramSlot), "counting the n-grams");
        slots_.resize(kInitialSlots);
        mask_ = slots_.size() - 1;
    }

    // The group of the texts added next (grouped counters).
    void set_group(uint32_t group) { group_ = group; }
    bool grouped() const { return grouped_; }
    // The group of gram `id`, or kSeveralGroups (grouped counters).
    uint32_t group(uint32_t id) const { return groups_[id]; }

    // Counts one occurrence of a gram in document `doc` (documents arrive in
    // order).
    void add(uint64_t hash, const char *bytes, size_t length, uint32_t doc, FeatureKind kind) {
        size_t i = hash & mask_;
        while (true) {
            GramSlot &s = slots_[i];
            if (s.hash == hash) {
                if (s.last_doc != doc) {
                    ++s.df;
                    s.last_doc = doc;
                    if (grouped_ && groups_[s.id] != group_) groups_[s.id] = kSeveralGroups;
                }
                return;
            }
            if (s.hash == 0) break;
            i = (i + 1) & mask_;
        }
        if (length > std::numeric_limits<uint32_t>::max())
            throw Error(ErrorKind::InvalidArgument, "token too long",
                        "An n-gram of " + std::to_string(length) + " bytes exceeds the 4 GB limit.");
        if (info_.size() >= kEmpty - 1)
            throw Error(ErrorKind::InvalidArgument, "too many distinct n-grams",
                        "The training texts contain more than 4294967294 distinct n-grams.",
                        "Train on fewer texts or lower word_ngram_max or char_ngram_max.");
        if (!room_for(length)) i = find_empty(hash); // pruned or grown: the slot moved
        const auto id = static_cast<uint32_t>(info_.size());
        info_.push_back(GramInfo{bytes_.size(), static_cast<uint32_t>(length), kind});
        bytes_.insert(bytes_.end(), bytes, bytes + length);
        if (grouped_) groups_.push_back(group_);
        slots_[i] = GramSlot{hash, id, 1, doc};
        ++live_;
    }

    const std::vector<GramSlot> &slots() const { return slots_; }
    const std::vector<GramInfo> &info() const { return info_; }
    std::string_view bytes(const GramInfo &g) const {
        return std::string_view(bytes_.data() + g.offset, g.length);
    }

    size_t distinct() const { return live_; }
    size_t prunings() const { return prunings_; }
    uint32_t prune_threshold() const { return prune_threshold_; }

  private:
    static constexpr size_t kInitialSlots = size_t{1} << 16;

    size_t find_empty(uint64_t hash) const {
        size_t i = hash & mask_;
        while (slots_[i].hash != 0)
            i = (i + 1) & mask_;
        return i;
    }

    // Makes room for one more gram of `length` bytes: grows the table (load
    // at most 1/2) and the info and byte stores, charging the budget first.
    // When the budget refuses, prunes. Returns false when the table changed.
    bool room_for(size_t length) {
        bool unchanged = true;
        if ((live_ + 1) * 2 > slots_.size()) {
            // The old table lives while the new one (twice its size) fills.
            const size_t old_bytes = slots_.size() * sizeof(GramSlot);
            if (charge_.try_add(2 * old_bytes)) {
                grow();
                charge_.shrink(old_bytes);
            } else {
                prune();
            }
            unchanged = false;
        }
        while (!reserve(info_, info_.size() + 1) || !reserve(bytes_, bytes_.size() + length) ||
               (grouped_ && !reserve(groups_, groups_.size() + 1))) {
            if (live_ == 0)
                charge_.add(length + sizeof(GramInfo), "counting the n-grams"); // throws: nothing to prune
            prune();
            unchanged = false;
        }
        return unchanged;
    }

    // Grows v's capacity (by half) to hold `size` elements when the budget
    // allows; false when it does not.
    template <class V> bool reserve(V &v, size_t size) {
        if (size <= v.capacity()) return true;
        const size_t cap = std::max(size, v.capacity() + v.capacity() / 2 + 1024);
        const size_t more = (cap - v.capacity()) * sizeof(typename V::value_type);
        // The old buffer lives until the copy is done: charge both while it
        // does, then keep the new one's.
        const size_t old_bytes = v.capacity() * sizeof(typename V::value_type);
        if (!charge_.try_add(more + old_bytes)) return false;
        v.reserve(cap);
        charge_.shrink(old_bytes);
        return true;
    }

    // Doubles the table, keeping the load at most 1/2.
    void grow() {
        std::vector<GramSlot> old(slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const GramSlot &s : old) {
            if (s.hash == 0) continue;
            slots_[find_empty(s.hash)] = s;
        }
    }

    // Drops every gram seen in at most t documents so far, t the smallest
    // threshold that leaves the table at most 1/4 full, and compacts the
    // stores in place. Deterministic: it depends only on the texts, their
    // order and the budget. A pruned gram seen again starts over at df 1, so
    // afterwards the counts (and the vocabulary cut from them) are
    // approximate for grams rarer than t. A grouped counter's pruned gram
    // also starts over with one group: the rule of min_feature_partitions
    // can then drop a gram two partitions share, never keep one that only
    // one partition has.
    void prune() {
        ++prunings_;
        const size_t target = slots_.size() / 4;
        std::vector<size_t> histogram(65, 0); // df 1..64, then "more"
        for (const GramSlot &s : slots_)
            if (s.hash != 0) ++histogram[std::min<uint32_t>(s.df, 64)];
        uint32_t t = 0;
        size_t survivors = live_;
        while (survivors > target && t < 64)
            survivors -= histogram[++t];
        if (survivors > target) { // rare: go on in powers of two above 64
            while (survivors > target) {
                t = t > (std::numeric_limits<uint32_t>::max() >> 1) ? std::numeric_limits<uint32_t>::max()
                                                                    : t * 2;
                survivors = 0;
                for (const GramSlot &s : slots_)
                    survivors += s.hash != 0 && s.df > t;
                if (t == std::numeric_limits<uint32_t>::max()) break;
            }
        }
        prune_threshold_ = std::max(prune_threshold_, t);
        // New ids keep the old order: map old id -> new id (kEmpty = pruned).
        std::vector<uint32_t> new_id(info_.size(), kEmpty);
        for (GramSlot &s : slots_)
            if (s.hash != 0) {
                if (s.df <= t)
                    s.hash = 0;
                else
                    new_id[s.id] = 0;
            }
        uint32_t next = 0;
        uint64_t byte_end = 0;
        for (size_t old = 0; old < info_.size(); ++old) {
            if (new_id[old] == kEmpty) continue;
            new_id[old] = next;
            GramInfo g = info_[old];
            std::memmove(&bytes_[byte_end], &bytes_[g.offset], g.length);
            g.offset = byte_end;
            byte_end += g.length;
            if (grouped_) groups_[next] = groups_[old];
            info_[next++] = g;
        }
        info_.resize(next);
        if (grouped_) groups_.resize(next);
        bytes_.resize(byte_end);
        live_ = next;
        // Re-seat the survivors in place. Visiting the slots in order from
        // just after an empty one, each entry moves only back along its own
        // probe path, to the first free slot from its home, so every entry
        // stays reachable.
        size_t start = 0;
        while (slots_[start].hash != 0)
            ++start; // there is an empty slot: the load is below 1/2
        for (size_t k = 1; k <= slots_.size(); ++k) {
            const size_t i = (start + k) & mask_;
            if (slots_[i].hash == 0) continue;
            GramSlot s = slots_[i];
            s.id = new_id[s.id];
            slots_[i].hash = 0;
            slots_[find_empty(s.hash)] = s;
        }
    }

    MemoryCharge charge_;
    std::vector<GramSlot> slots_;
    std::vector<GramInfo> info_;
    std::vector<char> bytes_; // the distinct grams' bytes, back to back
    bool grouped_ = false;
    uint32_t group_ = 0;
    std::vector<uint32_t> groups_; // by gram id, when grouped_
    size_t mask_ = 0;
    size_t live_ = 0;
    size_t prunings_ = 0;
    uint32_t prune_threshold_ = 0;
};

// Normalises each text in turn and counts the document frequency of each of
// its word and char n-grams into `counter` (with `groups`, one per text, into
// a grouped counter: each text's group as well); polls callbacks every few
// hundred texts.
void count_grams(const std::vector<std::string> &texts, const FeatureOptions &options,
                 const TrainCallbacks *callbacks, GramCounter &counter,
                 const std::vector<uint32_t> *groups = nullptr);

} // namespace vectorizer_internal
} // namespace intent
