// TF-IDF vectoriser: n-gram enumeration, hashing, fitting and transforming.
//
// Every n-gram is identified by a 64-bit hash of its bytes computed
// incrementally while it is enumerated: FNV-1a over the bytes from a
// kind-specific seed, finished with the murmur3 fmix64 avalanche. A word
// n-gram's bytes are its tokens joined by single spaces; a char n-gram's bytes
// are a code point slice of the token padded with one space on each side.
// Because normalised text separates tokens by exactly one space, both kinds
// are contiguous slices of " " + normalized + " ", which lets fit() record a
// term by (offset, length) and transform_one() never build a string.
#include "vectorizer.h"

#include "linear.h"

#include "errors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

namespace intent {
namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
// Different starting states keep word and char n-grams in separate hash spaces.
constexpr uint64_t kSeeds[2] = {kFnvOffset, kFnvOffset ^ 0x9e3779b97f4a7c15ULL};
constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
constexpr int kMaxCap = 10000000;

// One FNV-1a step over a byte range.
inline uint64_t fnv_bytes(uint64_t h, const char *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        h = (h ^ static_cast<unsigned char>(p[i])) * kFnvPrime;
    return h;
}

// murmur3 fmix64, so that every input bit affects the low bits used as the
// table position. 0 is reserved for "empty slot" and mapped away.
inline uint64_t finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h != 0 ? h : 0x9e3779b97f4a7c15ULL;
}

// Hash of a whole term, equal to what the enumerators compute incrementally.
uint64_t term_hash(FeatureKind kind, std::string_view bytes) {
    return finish(fnv_bytes(kSeeds[static_cast<int>(kind)], bytes.data(), bytes.size()));
}

// Byte length of the UTF-8 sequence starting with lead byte `b` (input is valid).
inline size_t cp_len(unsigned char b) {
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

// Calls emit(hash, begin, length) for every word n-gram with min <= n <= max.
// `tokens` must be consecutive tokens of one buffer separated by single spaces.
template <class Emit>
void for_each_word_ngram(const std::vector<std::string_view> &tokens, int nmin, int nmax, Emit &&emit) {
    const size_t count = tokens.size();
    for (size_t i = 0; i < count; ++i) {
        const char *begin = tokens[i].data();
        uint64_t h = kSeeds[0];
        size_t last = std::min(count, i + static_cast<size_t>(nmax));
        for (size_t j = i; j < last; ++j) {
            if (j > i) h = (h ^ static_cast<unsigned char>(' ')) * kFnvPrime;
            h = fnv_bytes(h, tokens[j].data(), tokens[j].size());
            if (static_cast<int>(j - i + 1) >= nmin) {
                const char *end = tokens[j].data() + tokens[j].size();
                emit(finish(h), begin, static_cast<size_t>(end - begin));
            }
        }
    }
}

// Calls emit(hash, begin, length) for every char n-gram of one padded token
// (" tok ", valid UTF-8), as scikit-learn's char_wb analyzer does: all windows
// of n code points for min <= n <= max, and the whole padded token once when it
// is shorter than min.
template <class Emit> void for_each_char_ngram(std::string_view padded, int nmin, int nmax, Emit &&emit) {
    const char *p = padded.data();
    const size_t n = padded.size();
    const size_t kmax = static_cast<size_t>(nmax);
    const size_t kmin = static_cast<size_t>(nmin);
    unsigned char any_high = 0;
    for (size_t i = 0; i < n; ++i)
        any_high |= static_cast<unsigned char>(p[i]);
    if (any_high < 0x80) {
        // ASCII token (the common case): one byte per code point.
        for (size_t start = 0; start < n; ++start) {
            uint64_t h = kSeeds[1];
            const size_t last = std::min(kmax, n - start);
            for (size_t k = 1; k <= last; ++k) {
                h = (h ^ static_cast<unsigned char>(p[start + k - 1])) * kFnvPrime;
                if (k >= kmin) emit(finish(h), p + start, k);
            }
        }
        if (n < kmin) emit(finish(fnv_bytes(kSeeds[1], p, n)), p, n);
        return;
    }
    size_t start = 0;
    size_t windows = 0;
    while (start < n) {
        uint64_t h = kSeeds[1];
        size_t pos = start;
        for (size_t k = 1; k <= kmax && pos < n; ++k) {
            size_t len = cp_len(static_cast<unsigned char>(p[pos]));
            if (len > n - pos) len = n - pos; // defensive; valid input never truncates
            h = fnv_bytes(h, p + pos, len);
            pos += len;
            if (k >= kmin) {
                emit(finish(h), p + start, pos - start);
                ++windows;
            }
        }
        start += cp_len(static_cast<unsigned char>(p[start]));
    }
    if (windows == 0 && n > 0) emit(finish(fnv_bytes(kSeeds[1], p, n)), p, n);
}

// Streams normalised text (valid UTF-8, tokens separated by single spaces)
// and calls emit(hash) for every word and char n-gram occurrence: the same
// hashes, as a multiset, as for_each_word_ngram and for_each_char_ngram over
// the whole text, in a different order. The text may arrive in pieces of any
// size cut between code points, and a token may span many pieces: the
// stream holds one running hash per n-gram length and nothing else.
//
// States are indexed by length: word_[L - 1] hashes the last L tokens (the
// current one possibly unfinished), char_[L - 1] the last L code points of
// the current padded token. A new token or code point extends every state
// by one and starts a new one of length 1; the longest falls off. A token
// that lies whole inside one piece (nearly all of them) takes its char
// n-grams from for_each_char_ngram instead, which is faster.
//
// The sink `emit` takes emit(hash), and emit.reserve(n) / emit.capacity()
// so that it can make room for n occurrences before a token or code point
// rather than check on every occurrence.
class NgramStream {
  public:
    explicit NgramStream(const FeatureOptions &o)
        : wmin_(o.word_ngram_min), wmax_(o.word_ngram_max), chars_(o.char_ngrams), cmin_(o.char_ngram_min),
          cmax_(o.char_ngram_max), per_token_(static_cast<size_t>(wmax_ - wmin_ + 1)),
          per_code_point_(chars_ ? static_cast<size_t>(cmax_ - cmin_ + 1) : 0) {}

    // Feeds the next piece of normalised text, p[0, n). p[-1] and p[n] must
    // be readable spaces (padding for the char n-grams of whole tokens).
    // `last`: no piece follows, so a token running to p[n] ends there.
    template <class Emit> void feed(const char *p, size_t n, bool last, Emit &emit) {
        size_t i = 0;
        while (i < n) {
            if (p[i] == ' ') {
                if (in_token_) end_token(emit);
                ++i;
                continue;
            }
            size_t j = i + 1;
            while (j < n && p[j] != ' ')
                ++j;
            // Most occurrences a whole token can emit (windows <= bytes).
            const size_t most = (j - i + 2) * per_code_point_ + 1 + per_token_;
            if (!in_token_ && (j < n || last) && most <= emit.capacity() / 2) {
                // A whole token: " tok " is p[i - 1, j + 1).
                emit.reserve(most);
                begin_word(p + i, j - i);
                end_word(emit);
                if (chars_)
                    for_each_char_ngram(std::string_view(p + i - 1, j - i + 2), cmin_, cmax_,
                                        [&](uint64_t h, const char *, size_t) { emit(h); });
            } else {
                // A token continuing from or into another piece, or a huge one: streamed.
                if (!in_token_) {
                    in_token_ = true;
                    begin_word(p + i, j - i);
                    if (chars_) {
                        code_points_ = 0;
                        char_code_point(" ", 1, emit); // the leading pad
                    }
                } else {
                    for (int k = 0; k < words_; ++k)
                        word_[k] = fnv_bytes(word_[k], p + i, j - i);
                }
                if (chars_) char_bytes(p + i, j - i, emit);
            }
            i = j;
        }
    }

    // Ends the text (and its last token).
    template <class Emit> void flush(Emit &emit) {
        if (in_token_) end_token(emit);
    }

  private:
    // Starts a token in the word states, with its first `n` bytes.
    void begin_word(const char *p, size_t n) {
        words_ = std::min(words_ + 1, wmax_);
        for (int k = words_ - 1; k >= 1; --k)
            word_[k] = fnv_bytes((word_[k - 1] ^ static_cast<unsigned char>(' ')) * kFnvPrime, p, n);
        word_[0] = fnv_bytes(kSeeds[0], p, n);
    }

    // Emits the word n-grams that end with the current token.
    template <class Emit> void end_word(Emit &emit) {
        for (int k = wmin_; k <= words_; ++k)
            emit(finish(word_[k - 1]));
    }

    template <class Emit> void end_token(Emit &emit) {
        emit.reserve(per_code_point_ + 1 + per_token_);
        in_token_ = false;
        end_word(emit);
        if (chars_) {
            char_code_point(" ", 1, emit); // the trailing pad
            // A padded token shorter than cmin is emitted whole, once.
            if (code_points_ < cmin_) emit(finish(char_[code_points_ - 1]));
        }
    }

    // Feeds the code points of a fragment of one token (whole code points).
    template <class Emit> void char_bytes(const char *p, size_t n, Emit &emit) {
        size_t i = 0;
        while (i < n) {
            size_t len = cp_len(static_cast<unsigned char>(p[i]));
            if (len > n - i) len = n - i; // defensive; normalised text never truncates
            char_code_point(p + i, len, emit);
            i += len;
        }
    }

    template <class Emit> void char_code_point(const char *cp, size_t len, Emit &emit) {
        emit.reserve(per_code_point_);
        code_points_ = std::min(code_points_ + 1, cmax_); // exact while below cmin <= cmax
        for (int k = code_points_ - 1; k >= 1; --k)
            char_[k] = fnv_bytes(char_[k - 1], cp, len);
        char_[0] = fnv_bytes(kSeeds[1], cp, len);
        for (int k = cmin_; k <= code_points_; ++k)
            emit(finish(char_[k - 1]));
    }

    const int wmin_, wmax_;
    const bool chars_;
    const int cmin_, cmax_;
    const size_t per_token_;      // word n-grams ending at one token, at most
    const size_t per_code_point_; // char n-grams ending at one code point, at most
    bool in_token_ = false;
    int words_ = 0;       // tokens seen so far, at most wmax_
    int code_points_ = 0; // code points of the current padded token, at most cmax_
    uint64_t word_[8];    // FeatureOptions allows word n-grams up to 8
    uint64_t char_[10];   // and char n-grams up to 10
};

// Insertion sort of a[0, n): the fastest for a few elements, or for many
// that are nearly sorted.
void insertion_sort(uint32_t *a, size_t n) {
    for (size_t i = 1; i < n; ++i) {
        const uint32_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; --j)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

// Writes src[0, n), feature indices, to `out` sorted ascending. A counting
// pass on the top bits of the index range (about one bucket per two
// indices) scatters the ~100-200 indices of a message nearly sorted into
// `out`: only indices of the same bucket can be out of order. One insertion
// sort over the whole array then finishes it, instead of a call and an
// unpredictable loop per bucket (BM_TransformOne: about 0.3 µs less of
// 2.6). A bucket that is still large (long or repetitive text puts many
// indices in few buckets) is sorted first with std::sort, so the worst case
// stays O(n log n) instead of O(n^2): the final pass moves an index only
// past others of its own small bucket.
void sort_indices(const uint32_t *src, size_t n, std::vector<uint32_t> &out, size_t num_features) {
    constexpr size_t kInsertionLimit = 48;
    out.resize(n);
    uint32_t *a = out.data();
    if (n <= kInsertionLimit) {
        std::copy(src, src + n, a);
        insertion_sort(a, n);
        return;
    }
    unsigned bucket_bits = 4;
    while (bucket_bits < 8 && (size_t{1} << (bucket_bits + 1)) <= n)
        ++bucket_bits;
    const size_t buckets = size_t{1} << bucket_bits;
    unsigned shift = 0;
    while ((static_cast<uint64_t>(num_features - 1) >> shift) >= buckets)
        ++shift;
    // n fits 32 bits: at most the occurrence buffer or the vocabulary.
    uint32_t next[257];
    std::fill(next, next + buckets + 1, 0u);
    for (size_t i = 0; i < n; ++i)
        ++next[(src[i] >> shift) + 1];
    uint32_t largest = 0;
    for (size_t d = 0; d < buckets; ++d) {
        largest = std::max(largest, next[d + 1]);
        next[d + 1] += next[d];
    }
    for (size_t i = 0; i < n; ++i) {
        const uint32_t x = src[i];
        a[next[x >> shift]++] = x;
    }
    if (largest > kInsertionLimit)
        for (size_t d = 0, begin = 0; d < buckets; begin = next[d++]) // next[d]: the end of bucket d
            if (next[d] - begin > kInsertionLimit) std::sort(a + begin, a + next[d]);
    insertion_sort(a, n);
}

// Throws the validate() error for one option.
[[noreturn]] void bad_option(const char *name, const std::string &detail) {
    throw Error(ErrorKind::InvalidArgument, std::string("invalid value for option \"") + name + "\"", detail);
}

// Checks lo <= value <= hi for one option.
void check_range(const char *name, long long value, long long lo, long long hi, const std::string &why) {
    if (value < lo || value > hi)
        bad_option(name, std::string(name) + " must be " + why + "; got " + std::to_string(value) + ".");
}

// idf of a term seen in `df` of `n` documents (scikit-learn's formulas).
double idf_value(bool smooth, double n, double df) {
    return smooth ? std::log((1.0 + n) / (1.0 + df)) + 1.0 : std::log(n / df) + 1.0;
}

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
class GramCounter {
  public:
    explicit GramCounter(MemoryBudget *budget) : charge_(budget) {
        charge_.add(kInitialSlots * sizeof(GramSlot), "counting the n-grams");
        slots_.resize(kInitialSlots);
        mask_ = slots_.size() - 1;
    }

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
        while (!reserve(info_, info_.size() + 1) || !reserve(bytes_, bytes_.size() + length)) {
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
    // approximate for grams rarer than t.
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
            info_[next++] = g;
        }
        info_.resize(next);
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
    size_t mask_ = 0;
    size_t live_ = 0;
    size_t prunings_ = 0;
    uint32_t prune_threshold_ = 0;
};

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

void FeatureOptions::validate() const {
    check_range("word_ngram_min", word_ngram_min, 1, 8, "between 1 and 8");
    check_range("word_ngram_max", word_ngram_max, word_ngram_min, 8,
                "between word_ngram_min (" + std::to_string(word_ngram_min) + ") and 8");
    check_range("char_ngram_min", char_ngram_min, 1, 10, "between 1 and 10");
    check_range("char_ngram_max", char_ngram_max, char_ngram_min, 10,
                "between char_ngram_min (" + std::to_string(char_ngram_min) + ") and 10");
    check_range("min_df", min_df, 1, std::numeric_limits<int>::max(), "at least 1");
    check_range("max_features", max_features, 1, kMaxCap, "between 1 and 10000000");
    check_range("max_char_features", max_char_features, 1, kMaxCap, "between 1 and 10000000");
}

namespace {

// Texts between two polls of the cancel callback: a few hundred texts take
// well under a millisecond.
constexpr size_t kCancelPollMask = 255;

// Normalises each text in turn and counts the document frequency of each of
// its word and char n-grams. Only the counter's distinct n-grams are kept,
// never the texts.
void count_grams(const std::vector<std::string> &texts, const FeatureOptions &options,
                 const TrainCallbacks *callbacks, GramCounter &counter) {
    std::string doc;
    std::vector<std::string_view> tokens;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        doc.clear();
        doc.push_back(' ');
        normalize_append(texts[d], options.text, doc);
        doc.push_back(' ');
        split_tokens(std::string_view(doc).substr(1, doc.size() - 2), tokens);
        const uint32_t doc_id = static_cast<uint32_t>(d);
        for_each_word_ngram(tokens, options.word_ngram_min, options.word_ngram_max,
                            [&](uint64_t h, const char *p, size_t len) {
                                counter.add(h, p, len, doc_id, FeatureKind::Word);
                            });
        if (!options.char_ngrams) continue;
        for (std::string_view tok : tokens) {
            std::string_view padded(tok.data() - 1, tok.size() + 2);
            for_each_char_ngram(padded, options.char_ngram_min, options.char_ngram_max,
                                [&](uint64_t h, const char *p, size_t len) {
                                    counter.add(h, p, len, doc_id, FeatureKind::Char);
                                });
        }
    }
}

// Checks what fit() and fit_transform() accept.
void check_fit_input(const std::vector<std::string> &texts, const FeatureOptions &options) {
    options.validate();
    if (texts.empty())
        throw Error(ErrorKind::InsufficientData, "no texts to learn features from",
                    "The vectorizer needs at least one training text.");
    if (texts.size() >= kEmpty)
        throw Error(ErrorKind::InsufficientData, "too many texts", "At most 4294967294 texts can be fitted.");
}

// The vocabulary cut from the counts: terms (words sorted by bytes, then
// chars sorted by bytes), kinds, idf, and the number of stored values the
// training matrix will have (the sum of the chosen terms' document
// frequencies, exact unless the counter pruned).
struct Vocabulary {
    std::vector<std::string> terms;
    std::vector<FeatureKind> kinds;
    std::vector<float> idf;
    size_t nnz = 0;
};

// Applies min_df and the max_features / max_char_features caps to the counts
// (ties broken by bytes, so the result does not depend on the table order).
Vocabulary choose_vocabulary(const GramCounter &counter, size_t num_texts, const FeatureOptions &options) {
    const std::vector<GramInfo> &info = counter.info();
    std::vector<Candidate> words, chars;
    for (const GramSlot &s : counter.slots()) {
        if (s.hash == 0 || s.df < static_cast<uint32_t>(options.min_df)) continue;
        const GramInfo &gi = info[s.id];
        Candidate c{s.df, counter.bytes(gi), s.id};
        (gi.kind == FeatureKind::Word ? words : chars).push_back(c);
    }
    select_top(words, static_cast<size_t>(options.max_features));
    select_top(chars, static_cast<size_t>(options.max_char_features));
    if (words.empty() && chars.empty())
        throw Error(ErrorKind::InsufficientData, "no features left to learn from",
                    "No word or character n-gram occurs in at least min_df (" +
                        std::to_string(options.min_df) + ") of the " + std::to_string(num_texts) + " texts.",
                    "Lower min_df or add training texts that contain words.");

    Vocabulary v;
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

// Scales a row's `n` values to unit L2 norm given their sum of squares
// (when the options ask for it and the row is not all zero); the scale
// applied, 1 when none, goes to *scale_out when given. Shared by both ways
// transform_one weighs a row, so they give the same floats.
void l2_normalize(float *values, size_t n, double sum_sq, const FeatureOptions &options, float *scale_out) {
    if (scale_out) *scale_out = 1.0f;
    if (!(options.l2_normalize && sum_sq > 0)) return;
    const float scale = static_cast<float>(1.0 / std::sqrt(sum_sq));
    for (size_t i = 0; i < n; ++i)
        values[i] *= scale;
    if (scale_out) *scale_out = scale;
}

// Turns out.index, the sorted feature indices of every matched n-gram
// occurrence of one text (repeats included), into the TF-IDF row: collapses
// runs of equal indices into (index, tf * idf), then L2-normalises. Shared by
// transform_one and fit_transform so both give bit-identical values.
// `counts`, when given, receives each kept feature's count and `scale` the
// L2 scale applied (1 when none), for a coded FeatureMatrix.
void weigh_sorted(SparseVector &out, const float *idf, const FeatureOptions &options,
                  std::vector<uint32_t> *counts = nullptr, float *scale_out = nullptr) {
    std::vector<uint32_t> &found = out.index;
    const size_t n = found.size();
    out.value.resize(n);
    if (counts) counts->resize(n);
    float *values = out.value.data();
    uint32_t *kept_counts = counts ? counts->data() : nullptr;
    double sum_sq = 0;
    size_t kept = 0;
    // One loop per tf form: without a possible call to log in the loop, GCC
    // keeps sum_sq in a register instead of storing and reloading it for
    // every feature (the same additions in the same order either way).
    auto weigh = [&](auto sublinear) {
        for (size_t i = 0; i < n;) {
            const uint32_t f = found[i];
            size_t j = i + 1;
            while (j < n && found[j] == f)
                ++j;
            const double value = tf_of_count(static_cast<uint32_t>(j - i), sublinear) * idf[f];
            sum_sq += value * value;
            found[kept] = f;
            values[kept] = static_cast<float>(value);
            if (kept_counts) kept_counts[kept] = static_cast<uint32_t>(j - i);
            ++kept;
            i = j;
        }
    };
    if (options.sublinear_tf)
        weigh(std::true_type{});
    else
        weigh(std::false_type{});
    found.resize(kept);
    out.value.resize(kept);
    if (counts) counts->resize(kept);
    l2_normalize(values, kept, sum_sq, options, scale_out);
}

} // namespace

// Counts the n-grams (bounded by the budget) and cuts the vocabulary; the
// counter and its charge are gone on return.
Vectorizer Vectorizer::fit_counts(const std::vector<std::string> &texts, const FeatureOptions &options,
                                  const TrainCallbacks *callbacks, size_t *nnz) {
    check_fit_input(texts, options);
    Vocabulary vocab;
    FitStats stats;
    {
        GramCounter counter(callbacks ? callbacks->memory : nullptr);
        count_grams(texts, options, callbacks, counter);
        vocab = choose_vocabulary(counter, texts.size(), options);
        stats.texts = texts.size();
        stats.distinct_ngrams = counter.distinct();
        stats.prunings = counter.prunings();
        stats.prune_threshold = counter.prune_threshold();
    } // the table is freed (and uncharged) before the vocabulary's index is built
    if (nnz) *nnz = vocab.nnz;
    Vectorizer v = from_parts(options, std::move(vocab.terms), std::move(vocab.kinds), std::move(vocab.idf));
    v.fit_stats_ = stats;
    return v;
}

Vectorizer Vectorizer::fit(const std::vector<std::string> &texts, const FeatureOptions &options,
                           const TrainCallbacks *callbacks) {
    return fit_counts(texts, options, callbacks, nullptr);
}

// Two passes: count, then transform every text with transform_one. The
// second pass normalises and hashes again, which costs time but no memory:
// 0.1.0 kept every occurrence of every text (4 bytes each) between the two.
// The matrix is reserved once at its exact size (the sum of the chosen
// terms' document frequencies), so it never regrows and copies.
Vectorizer Vectorizer::fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                     SparseMatrix &out, const TrainCallbacks *callbacks) {
    size_t nnz = 0;
    Vectorizer v = fit_counts(texts, options, callbacks, &nnz);
    // Charged while it is built; the caller owns it (and its memory) after.
    MemoryCharge charge(callbacks ? callbacks->memory : nullptr,
                        nnz * (sizeof(uint32_t) + sizeof(float)) + (texts.size() + 1) * sizeof(size_t),
                        "the feature matrix");
    SparseMatrix m;
    m.cols = v.terms_.size();
    m.row_ptr.reserve(texts.size() + 1);
    m.col.reserve(nnz);
    m.val.reserve(nnz);
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        v.transform_one(texts[d], row, scratch);
        m.append_row(row);
    }
    out = std::move(m);
    return v;
}

Vectorizer Vectorizer::fit_transform(const std::vector<std::string> &texts, const FeatureOptions &options,
                                     FeatureMatrix &out, const TrainCallbacks *callbacks) {
    size_t nnz = 0;
    Vectorizer v = fit_counts(texts, options, callbacks, &nnz);
    const bool coded =
        FeatureMatrix::bytes_for(v.num_features(), texts.size(), nnz, false) > kCodedMatrixBytes;
    v.transform_into(texts, out, callbacks, nnz, coded);
    return v;
}

void Vectorizer::transform(const std::vector<std::string> &texts, FeatureMatrix &out,
                           const TrainCallbacks *callbacks) const {
    transform_into(texts, out, callbacks, 0, false);
}

void Vectorizer::transform_into(const std::vector<std::string> &texts, FeatureMatrix &out,
                                const TrainCallbacks *callbacks, size_t nnz_hint, bool coded) const {
    FeatureMatrix m = new_matrix(callbacks ? callbacks->memory : nullptr, coded);
    m.reserve(texts.size(), nnz_hint);
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        transform_append(texts[d], m, row, scratch);
    }
    out = std::move(m);
}

namespace {
void poll_every_65536(size_t i, const std::function<bool()> &cancelled) {
    if ((i & 0xffff) == 0xffff && cancelled && cancelled())
        throw Error(ErrorKind::Cancelled, "model loading cancelled");
}
} // namespace

Vectorizer Vectorizer::from_parts(const FeatureOptions &options, std::vector<std::string> terms,
                                  std::vector<FeatureKind> kinds, std::vector<float> idf,
                                  const std::function<bool()> &cancelled) {
    try {
        options.validate();
    } catch (const Error &e) {
        throw Error(ErrorKind::CorruptModel, "invalid feature options in model",
                    std::string("The stored options fail validation: ") + e.what() + ".");
    }
    if (terms.size() != kinds.size() || terms.size() != idf.size())
        throw Error(ErrorKind::CorruptModel, "vocabulary sizes disagree in model",
                    "The model stores " + std::to_string(terms.size()) + " terms, " +
                        std::to_string(kinds.size()) + " kinds and " + std::to_string(idf.size()) +
                        " idf values.");
    if (terms.size() >= kEmpty)
        throw Error(ErrorKind::CorruptModel, "vocabulary too large in model",
                    "The model stores " + std::to_string(terms.size()) + " terms.");
    for (size_t i = 0; i < terms.size(); ++i) {
        poll_every_65536(i, cancelled);
        auto k = static_cast<uint8_t>(kinds[i]);
        if (k > static_cast<uint8_t>(FeatureKind::Char))
            throw Error(ErrorKind::CorruptModel, "invalid feature kind in model",
                        "Term " + std::to_string(i) + " has kind " + std::to_string(k) + ".");
        if (!std::isfinite(idf[i]) || idf[i] < 0.0f)
            throw Error(ErrorKind::CorruptModel, "invalid idf value in model",
                        "Term " + std::to_string(i) + " has a negative or non-finite idf.");
        if (terms[i].empty() || !is_valid_utf8(terms[i]))
            throw Error(ErrorKind::CorruptModel, "invalid term in model",
                        "Term " + std::to_string(i) + " is empty or not valid UTF-8.");
    }
    Vectorizer v;
    v.options_ = options;
    v.terms_ = std::move(terms);
    v.kinds_ = std::move(kinds);
    v.idf_ = std::move(idf);
    v.build_index(cancelled);
    return v;
}

void Vectorizer::build_index(const std::function<bool()> &cancelled) {
    size_t capacity = 16;
    while (capacity < terms_.size() * 2)
        capacity *= 2;
    slots_.assign(capacity, Slot{0, kEmpty, 0});
    const size_t mask = capacity - 1;
    for (size_t t = 0; t < terms_.size(); ++t) {
        poll_every_65536(t, cancelled);
        uint64_t h = term_hash(kinds_[t], terms_[t]);
        size_t i = h & mask;
        while (slots_[i].hash != 0) {
            if (slots_[i].hash == h) {
                const size_t other = slots_[i].index;
                bool same = terms_[other] == terms_[t] && kinds_[other] == kinds_[t];
                throw Error(ErrorKind::CorruptModel,
                            same ? "duplicate term in model vocabulary"
                                 : "hash collision in model vocabulary",
                            "Terms " + std::to_string(other) + " and " + std::to_string(t) +
                                (same ? " are identical." : " have the same 64-bit hash."));
            }
            i = (i + 1) & mask;
        }
        slots_[i] = Slot{h, static_cast<uint32_t>(t), 0};
    }
}

int64_t Vectorizer::lookup(uint64_t hash) const {
    if (slots_.empty()) return -1;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot &s = slots_[i];
        if (s.hash == hash) return s.index;
        if (s.hash == 0) return -1;
    }
}

size_t VectorizerScratch::capacity_bytes() const {
    return normalized.capacity() +
           (found.capacity() + counts.capacity() + touched.capacity() + row_counts.capacity()) *
               sizeof(uint32_t);
}

// Streams the text through the normaliser and the n-gram enumerator in
// pieces, appending the feature index of every matched occurrence to a
// buffer of fixed capacity. A message whose occurrences fit in it (nearly
// all of them) is weighed as 0.1.0 did: sort, collapse runs into counts.
// When the buffer fills, its occurrences are added to a dense count array
// with a list of the features touched, and the row is weighed from those
// counts in ascending feature order. Both paths compute the same values in
// the same order (tf from the same counts, squares summed by ascending
// index), so rows are bit-identical to 0.1.0's while memory stays bounded
// by the buffer and the vocabulary, whatever the input length.
void Vectorizer::transform_one(std::string_view text, SparseVector &out, VectorizerScratch &scratch) const {
    transform_counted(text, out, scratch, nullptr, nullptr);
}

FeatureMatrix Vectorizer::new_matrix(MemoryBudget *budget, bool coded) const {
    if (!coded) return FeatureMatrix(terms_.size(), budget);
    return FeatureMatrix(terms_.size(), budget, FeatureCoding(idf_, options_.sublinear_tf));
}

void Vectorizer::transform_append(std::string_view text, FeatureMatrix &out, SparseVector &row,
                                  VectorizerScratch &scratch) const {
    float scale = 1.0f;
    transform_counted(text, row, scratch, &scratch.row_counts, &scale);
    out.append_row(row, scratch.row_counts.data(), scale);
}

void Vectorizer::transform_counted(std::string_view text, SparseVector &out, VectorizerScratch &scratch,
                                   std::vector<uint32_t> *row_counts, float *row_scale) const {
    out.clear();
    if (row_counts) row_counts->clear();
    if (row_scale) *row_scale = 1.0f;
    // Occurrences of one feature never exceed input bytes + 1, so a uint32
    // count is exact below 2 GiB. PostgreSQL text is at most 1 GB.
    if (text.size() >= (size_t{1} << 31))
        throw Error(ErrorKind::InvalidArgument, "message too long",
                    "The message has " + std::to_string(text.size()) +
                        " bytes; at most 2147483647 are accepted.");
    const size_t nf = terms_.size();
    scratch.found.resize(VectorizerScratch::kFoundCapacity);
    uint32_t *const found = scratch.found.data();
    const uint32_t *const found_end = found + VectorizerScratch::kFoundCapacity;
    uint32_t *w = found;
    size_t num_touched = 0;
    bool spilled = false;
    // Adds the buffered occurrences to the dense counts and empties the buffer.
    auto spill = [&] {
        if (!spilled) {
            spilled = true;
            if (scratch.counts.size() < nf) {
                scratch.counts.assign(nf, 0);
                scratch.touched.resize(nf);
            }
        }
        uint32_t *counts = scratch.counts.data();
        uint32_t *touched = scratch.touched.data();
        for (const uint32_t *r = found; r != w; ++r)
            if (counts[*r]++ == 0) touched[num_touched++] = *r;
        w = found;
    };
    // NgramStream sinks: one that buffers matched features, one for an
    // empty vocabulary, which never matches.
    struct Collect {
        const Slot *slots;
        size_t mask;
        uint32_t *&w;
        const uint32_t *end;
        decltype(spill) &spill_buffer;
        void operator()(uint64_t h) {
            for (size_t i = h & mask;; i = (i + 1) & mask) {
                const Slot &s = slots[i];
                if (s.hash == h) {
                    *w++ = s.index;
                    return;
                }
                if (s.hash == 0) return;
            }
        }
        void reserve(size_t n) {
            if (static_cast<size_t>(end - w) < n) spill_buffer();
        }
        size_t capacity() const { return VectorizerScratch::kFoundCapacity; }
    };
    struct Ignore {
        void operator()(uint64_t) {}
        void reserve(size_t) {}
        size_t capacity() const { return std::numeric_limits<size_t>::max(); }
    };
    Collect collect{slots_.data(), slots_.empty() ? 0 : slots_.size() - 1, w, found_end, spill};
    Ignore ignore;

    NgramStream stream(options_);
    NormalizeStream state;
    std::string &buf = scratch.normalized;
    try {
        size_t pos = 0, next_poll = kCancelPollBytes;
        while (pos < text.size()) {
            size_t end = text.size();
            if (end - pos > kPieceBytes) end = utf8_cut(text, pos + kPieceBytes);
            // The piece between two padding spaces (see NgramStream::feed).
            buf.clear();
            buf.push_back(' ');
            normalize_piece(text.substr(pos, end - pos), options_.text, state, buf);
            buf.push_back(' ');
            const bool last = end == text.size();
            // An empty vocabulary still validates the whole text.
            if (nf > 0)
                stream.feed(buf.data() + 1, buf.size() - 2, last, collect);
            else
                stream.feed(buf.data() + 1, buf.size() - 2, last, ignore);
            pos = end;
            if (pos >= next_poll && pos < text.size()) {
                next_poll += kCancelPollBytes;
                if (scratch.cancelled && scratch.cancelled())
                    throw Error(ErrorKind::Cancelled, "prediction cancelled",
                                "Stopped after reading " + std::to_string(pos) + " of " +
                                    std::to_string(text.size()) + " bytes of the message.");
            }
        }
        if (nf > 0) stream.flush(collect);
    } catch (...) {
        uint32_t *counts = scratch.counts.data();
        for (size_t i = 0; i < num_touched; ++i)
            counts[scratch.touched[i]] = 0; // keep the all-zero invariant for the next call
        throw;
    }

    if (!spilled) {
        // The 0.1.0 path: sort the occurrences, collapse runs, weigh.
        const size_t n = static_cast<size_t>(w - found);
        if (n == 0) return;
        sort_indices(found, n, out.index, nf);
        weigh_sorted(out, idf_.data(), options_, row_counts, row_scale);
        return;
    }
    spill();
    uint32_t *counts = scratch.counts.data();
    sort_indices(scratch.touched.data(), num_touched, out.index, nf);
    out.value.resize(num_touched);
    if (row_counts) row_counts->resize(num_touched);
    float *values = out.value.data();
    const float *idf = idf_.data();
    double sum_sq = 0;
    for (size_t i = 0; i < num_touched; ++i) {
        const uint32_t f = out.index[i];
        const uint32_t c = counts[f];
        counts[f] = 0;
        if (row_counts) (*row_counts)[i] = c;
        const double value = tf_of_count(c, options_.sublinear_tf) * idf[f];
        sum_sq += value * value;
        values[i] = static_cast<float>(value);
    }
    l2_normalize(values, num_touched, sum_sq, options_, row_scale);
}

SparseMatrix Vectorizer::transform(const std::vector<std::string> &texts) const {
    SparseMatrix m;
    m.cols = terms_.size();
    m.row_ptr.reserve(texts.size() + 1);
    VectorizerScratch scratch;
    SparseVector row;
    for (const std::string &t : texts) {
        transform_one(t, row, scratch);
        m.append_row(row);
    }
    return m;
}

} // namespace intent
