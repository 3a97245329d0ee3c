// Transforming text into TF-IDF rows: the n-grams of each piece of
// normalised text are looked up in the vocabulary's index, and the matched
// features weighed.
#include "errors.h"
#include "ngram_stream.h"
#include "vectorizer_internal.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace intent {

using namespace vectorizer_internal;

namespace {

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
// sort over the whole array then finishes it, which is cheaper than a call
// and an unpredictable loop per bucket. A bucket that is still large (long or repetitive text puts many
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

// Weighs a row from the dense counts of a long text (transform_counted's
// other path): the touched features in ascending order, each count reset to
// zero as it is read, tf from the same counts and squares summed in the same
// order as weigh_sorted, so the same floats.
void weigh_counts(VectorizerScratch &scratch, size_t num_touched, size_t nf, const float *idf,
                  const FeatureOptions &options, SparseVector &out, std::vector<uint32_t> *row_counts,
                  float *row_scale) {
    uint32_t *counts = scratch.counts.data();
    sort_indices(scratch.touched.data(), num_touched, out.index, nf);
    out.value.resize(num_touched);
    if (row_counts) row_counts->resize(num_touched);
    float *values = out.value.data();
    double sum_sq = 0;
    for (size_t i = 0; i < num_touched; ++i) {
        const uint32_t f = out.index[i];
        const uint32_t c = counts[f];
        counts[f] = 0;
        if (row_counts) (*row_counts)[i] = c;
        const double value = tf_of_count(c, options.sublinear_tf) * idf[f];
        sum_sq += value * value;
        values[i] = static_cast<float>(value);
    }
    l2_normalize(values, num_touched, sum_sq, options, row_scale);
}

} // namespace

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
    if (subword_) append_subword(text, out);
}

FeatureMatrix Vectorizer::new_matrix(MemoryBudget *budget, bool coded) const {
    if (!coded || subword_) return FeatureMatrix(num_features(), budget);
    return FeatureMatrix(terms_.size(), budget, FeatureCoding(idf_, options_.sublinear_tf));
}

void Vectorizer::transform_append(std::string_view text, FeatureMatrix &out, SparseVector &row,
                                  VectorizerScratch &scratch) const {
    if (subword_) {
        // The subword block's values have no count: the row is stored plain.
        transform_one(text, row, scratch);
        out.append_row(row);
        return;
    }
    float scale = 1.0f;
    transform_counted(text, row, scratch, &scratch.row_counts, &scale);
    out.append_row(row, scratch.row_counts.data(), scale);
}

void Vectorizer::attach_subword(std::shared_ptr<const SubwordVectors> vectors, float weight) {
    if (vectors && !vectors->trained()) vectors.reset(); // an untrained table adds nothing
    subword_ = std::move(vectors);
    subword_weight_ = subword_ ? weight : 0.0f;
}

void Vectorizer::append_subword(std::string_view text, SparseVector &out) const {
    const size_t dim = subword_->dim();
    if (text.size() > kSubwordBytes) text = text.substr(0, utf8_cut(text, kSubwordBytes));
    float block[SubwordVectors::kMaxDim];
    subword_->text_vector(text, block);
    const auto base = static_cast<uint32_t>(terms_.size());
    for (size_t k = 0; k < dim; ++k) {
        const float value = subword_weight_ * block[k];
        if (value == 0.0f) continue;
        out.index.push_back(base + static_cast<uint32_t>(k));
        out.value.push_back(value);
    }
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
    // Both count the message's words (word unigram occurrences) and the
    // ones the vocabulary does not hold.
    struct Collect {
        const Slot *slots;
        size_t mask;
        uint32_t *&w;
        const uint32_t *end;
        decltype(spill) &spill_buffer;
        MessageWords &words;
        bool push(uint64_t h) {
            for (size_t i = h & mask;; i = (i + 1) & mask) {
                const Slot &s = slots[i];
                if (s.hash == h) {
                    *w++ = s.index;
                    return true;
                }
                if (s.hash == 0) return false;
            }
        }
        void operator()(uint64_t h) { push(h); }
        void word(uint64_t h) {
            ++words.words;
            if (!push(h)) ++words.unknown;
        }
        void reserve(size_t n) {
            if (static_cast<size_t>(end - w) < n) spill_buffer();
        }
        size_t capacity() const { return VectorizerScratch::kFoundCapacity; }
    };
    struct Ignore {
        MessageWords &words;
        void operator()(uint64_t) {}
        void word(uint64_t) {
            ++words.words;
            ++words.unknown;
        }
        void reserve(size_t) {}
        size_t capacity() const { return std::numeric_limits<size_t>::max(); }
    };
    scratch.words = MessageWords{};
    Collect collect{slots_.data(), slots_.empty() ? 0 : slots_.size() - 1, w, found_end, spill,
                    scratch.words};
    Ignore ignore{scratch.words};

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
    weigh_counts(scratch, num_touched, nf, idf_.data(), options_, out, row_counts, row_scale);
}

SparseMatrix Vectorizer::transform(const std::vector<std::string> &texts) const {
    SparseMatrix m;
    m.cols = num_features();
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
