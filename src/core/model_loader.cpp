// The validating loader of the model's bytes (layout in model_format.h):
// IntentModel::deserialize() checks the CRC and every section's bounds,
// counts and values; memory_estimate() and declared_memory() say what a
// model will take once loaded, from the counts its bytes declare.
#include "model.h"
#include "model_format.h"

#include "crc32c.h"
#include "errors.h"
#include "memory_budget.h"
#include "scoring.h"
#include "text.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace intent {

using namespace model_format;

namespace {

const char *section_name(uint32_t tag) {
    switch (tag) {
    case kOptions:
        return "options";
    case kAlgorithm:
        return "algorithm";
    case kLabels:
        return "labels";
    case kVocabulary:
        return "vocabulary";
    case kIdf:
        return "idf";
    case kWeights:
        return "weights";
    case kBias:
        return "bias";
    case kPlatt:
        return "platt";
    case kThreshold:
        return "threshold";
    case kCalibration:
        return "calibration";
    case kThresholds:
        return "thresholds";
    case kOutOfScope:
        return "out_of_scope";
    case kEvidence:
        return "evidence";
    case kSubword:
        return "subword";
    case kLabelWords:
        return "label_words";
    default:
        return "unknown";
    }
}

// ------------------------------------------------------------ byte reader

[[noreturn]] void corrupt(const std::string &detail) {
    throw Error(ErrorKind::CorruptModel, "invalid intent model", detail,
                "Retrain the model or restore it from a backup.");
}

// Bounds-checked little-endian reader over [p, p + left).
class Reader {
  public:
    Reader(const uint8_t *p, size_t n, const char *where) : p_(p), left_(n), where_(where) {}

    size_t left() const { return left_; }
    const uint8_t *data() const { return p_; }

    void need(uint64_t n, const char *what) const {
        if (n > left_)
            corrupt(std::string("The ") + where_ + " section is truncated: " + what + " needs " +
                    std::to_string(n) + " bytes but only " + std::to_string(left_) + " remain.");
    }
    uint8_t u8(const char *what) {
        need(1, what);
        uint8_t v = p_[0];
        skip(1);
        return v;
    }
    uint32_t u32(const char *what) {
        need(4, what);
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<uint32_t>(p_[i]) << (8 * i);
        skip(4);
        return v;
    }
    uint64_t u64(const char *what) {
        need(8, what);
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i)
            v |= static_cast<uint64_t>(p_[i]) << (8 * i);
        skip(8);
        return v;
    }
    // A float that must be finite.
    float f32(const char *what) {
        uint32_t bits = u32(what);
        float f;
        std::memcpy(&f, &bits, 4);
        if (!std::isfinite(f))
            corrupt(std::string("The ") + where_ + " section holds a non-finite value for " + what + ".");
        return f;
    }
    // A u32-length-prefixed byte string of at most kMaxString bytes.
    std::string_view string(const char *what) {
        uint32_t n = u32(what);
        if (n > kMaxString)
            corrupt(std::string("The ") + where_ + " section declares a " + what + " of " +
                    std::to_string(n) + " bytes, more than the 1 MiB limit.");
        need(n, what);
        std::string_view s(reinterpret_cast<const char *>(p_), n);
        skip(n);
        return s;
    }
    void skip(size_t n) {
        p_ += n;
        left_ -= n;
    }
    // A section must be consumed exactly.
    void expect_end() const {
        if (left_ != 0)
            corrupt(std::string("The ") + where_ + " section has " + std::to_string(left_) +
                    " unexpected trailing bytes.");
    }

  private:
    const uint8_t *p_;
    size_t left_;
    const char *where_;
};

// Throws Error(Cancelled) when `cancelled` says so.
void poll_cancel(const std::function<bool()> &cancelled) {
    if (cancelled && cancelled()) throw Error(ErrorKind::Cancelled, "model loading cancelled");
}

constexpr size_t kHeader = 8 + 4;

// The format version of a blob whose magic bytes, version and CRC-32C are
// right.
uint32_t check_blob(const uint8_t *data, size_t size, const std::function<bool()> &cancelled) {
    if (data == nullptr || size < kHeader + 4)
        corrupt("The blob is " + std::to_string(size) + " bytes long, shorter than any intent model.");
    if (std::memcmp(data, kMagic, 8) != 0)
        corrupt("The blob does not start with the \"PGINTENT\" magic bytes, so it is not an intent model.");
    Reader head(data + 8, 4, "header");
    uint32_t version = head.u32("the format version");
    if (version < IntentModel::kLegacyFormatVersion || version > IntentModel::kNewestFormatVersion)
        corrupt("The model has format version " + std::to_string(version) +
                " but this build reads versions " + std::to_string(IntentModel::kLegacyFormatVersion) +
                " to " + std::to_string(IntentModel::kNewestFormatVersion) + ".");
    const size_t body_end = size - 4;
    uint32_t stored = 0;
    for (int i = 0; i < 4; ++i)
        stored |= static_cast<uint32_t>(data[body_end + i]) << (8 * i);
    // The checksum in pieces, so that a cancel is noticed within one piece.
    constexpr size_t kCrcPiece = 8u << 20;
    uint32_t crc = 0;
    for (size_t at = 0; at < body_end; at += kCrcPiece) {
        crc = crc32c(data + at, std::min(kCrcPiece, body_end - at), crc);
        poll_cancel(cancelled);
    }
    if (crc != stored)
        corrupt("The CRC-32C checksum does not match: the model bytes were altered or truncated.");
    return version;
}

// Little-endian u32 at p (the caller checked the bytes are there).
uint32_t peek_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<uint32_t>(p[i]) << (8 * i);
    return v;
}

// A section's header: u32 tag, u64 byte length of the payload after it.
constexpr size_t kSectionHeader = 12;
struct SectionHeader {
    uint32_t tag;
    uint64_t len;
};
// The header at p (the caller checked its kSectionHeader bytes are there):
// the one reading of a header, for the loader and the walks before it.
SectionHeader section_header(const uint8_t *p) {
    return SectionHeader{peek_u32(p), static_cast<uint64_t>(peek_u32(p + 4)) |
                                          static_cast<uint64_t>(peek_u32(p + 8)) << 32};
}

// A reader over the next section of `all`, which must carry `tag`.
Reader next_section(Reader &all, uint32_t tag) {
    if (all.left() < kSectionHeader)
        corrupt(std::string("The model ends before its ") + section_name(tag) + " section.");
    const SectionHeader header = section_header(all.data());
    const uint32_t got = header.tag;
    if (got != tag)
        corrupt(std::string("Expected the ") + section_name(tag) + " section (tag " + std::to_string(tag) +
                ") but found tag " + std::to_string(got) + ".");
    all.skip(kSectionHeader);
    const uint64_t len = header.len;
    if (len > all.left())
        corrupt(std::string("The ") + section_name(tag) + " section declares " + std::to_string(len) +
                " bytes but only " + std::to_string(all.left()) + " remain.");
    Reader r(all.data(), static_cast<size_t>(len), section_name(tag));
    all.skip(static_cast<size_t>(len));
    return r;
}

// A section of the body [p, p + n) read without the loader's checks, for
// the walk before anything is allocated (declared_shape()): the section at
// `at`, if its header is there and carries `want` (kAnyTag: any), and its
// payload fits the bytes left. Throws nothing. On success `at` moves past
// the section; false with `at` unchanged when the header is missing or
// carries another tag, past the header when the payload does not fit.
constexpr uint32_t kAnyTag = 0; // no section has tag 0
struct PeekedSection {
    uint32_t tag = 0;
    uint64_t len = 0;
    const uint8_t *body = nullptr;
};
bool peek_section(const uint8_t *p, size_t n, size_t &at, uint32_t want, PeekedSection &section) {
    if (n - at < kSectionHeader) return false;
    const SectionHeader header = section_header(p + at);
    if (want != kAnyTag && header.tag != want) return false;
    at += kSectionHeader;
    if (header.len > n - at) return false;
    section.tag = header.tag;
    section.len = header.len;
    section.body = p + at;
    at += static_cast<size_t>(header.len);
    return true;
}

// The shape the labels, vocabulary and weights sections of the body
// [p, p + n) declare, read before anything is allocated for them. Throws
// nothing: false when the sections are not where they belong or their
// counts do not fit their bytes, which the loader then reports as corrupt
// before it reserves anything. The class count is the weights section's
// when it agrees with the labels (else the label count).
bool declared_shape(const uint8_t *p, size_t n, bool v1, IntentModel::Shape &shape) {
    size_t at = 0;
    bool labels = false, vocabulary = false;
    PeekedSection section;
    for (uint32_t tag = kOptions; tag <= kWeights; ++tag) {
        if (!peek_section(p, n, at, tag, section)) break;
        const uint64_t len = section.len;
        const uint8_t *body = section.body;
        if (tag == kLabels) {
            if (len < 4) break;
            const uint64_t k = peek_u32(body);
            if (k == 0 || k > kMaxLabels || k * 5 > len - 4) break;
            shape.labels = static_cast<size_t>(k);
            shape.label_bytes = static_cast<size_t>(len - 4 - 4 * k);
            shape.classes = shape.labels;
            labels = true;
        } else if (tag == kVocabulary) {
            if (len < 4) break;
            const uint64_t f = peek_u32(body);
            if (f > kMaxFeatures || f * 5 > len - 4) break;
            shape.features = static_cast<size_t>(f);
            shape.term_bytes = static_cast<size_t>(len - 4 - 5 * f);
            vocabulary = true;
        } else if (tag == kWeights) {
            if (len < 8) break;
            const size_t c = peek_u32(body + 4);
            if (c == shape.labels || (!v1 && c == shape.labels + 1)) shape.classes = c;
        }
    }
    if (!labels || !vocabulary) return false;
    // Format 4's subword vectors, the last section: their table is the
    // largest buffer such a model holds (up to 64 MB), so the estimate
    // counts it. The sections between are walked by their lengths only.
    // Format 5's label words, after it: u32 indices, at most a quarter of
    // their section's bytes.
    while (peek_section(p, n, at, kAnyTag, section)) {
        if (section.tag == kLabelWords) shape.label_word_pairs = static_cast<size_t>(section.len / 4);
        if (section.tag != kSubword) continue;
        const uint64_t len = section.len;
        const uint8_t *body = section.body;
        if (len < 8) break;
        const uint64_t words = peek_u32(body);
        if (words * 4 + 8 > len) break;
        // The words' bytes: the section less its counts and the table
        // (whose size the last u32 before it declares; walked to find it).
        size_t w = 4;
        for (uint64_t i = 0; i < words; ++i) {
            if (len - w < 4) return true;
            const uint64_t l = peek_u32(body + w);
            if (l > len - w - 4) return true;
            w += 4 + static_cast<size_t>(l);
        }
        if (len - w < 4) break;
        shape.subword_words = static_cast<size_t>(words);
        shape.subword_word_bytes = w - 4 - 4 * static_cast<size_t>(words);
        shape.subword_floats = peek_u32(body + w);
    }
    return true;
}

// Heap bytes of a std::string of `length` bytes beyond the object itself:
// none within its inline buffer, else the bytes and terminator rounded up
// to malloc's 16, plus malloc's own header.
size_t string_heap(size_t length) {
    static const size_t inline_capacity = std::string().capacity();
    return length <= inline_capacity ? 0 : (length + 1 + 15) / 16 * 16 + 16;
}

// At most this much for `count` strings of `bytes` bytes together: each of
// the heap strings (at most one per 16 bytes, and at most `count`) adds
// fewer than 33 bytes to its own.
size_t strings_heap_bound(size_t count, size_t bytes) {
    return bytes + 32 * std::min(count, bytes / 16);
}

// Formats 1 and 2 keep the Platt parameters or the per-intent thresholds;
// both are counted, a few bytes an intent.
// Format 5: the label words, and which features are word unigrams.
size_t label_words_bytes(const IntentModel::Shape &s) {
    if (s.label_word_pairs == 0) return 0;
    return s.label_word_pairs * sizeof(uint32_t) + s.labels * sizeof(std::vector<uint32_t>) + s.features;
}

size_t memory_for(const IntentModel::Shape &s, size_t labels_heap, size_t terms_heap) {
    const size_t stride = padded(s.classes);
    return s.labels * sizeof(std::string) + labels_heap + s.features * sizeof(std::string) + terms_heap +
           s.features * (sizeof(FeatureKind) + sizeof(float)) + Vectorizer::index_bytes(s.features) +
           (s.features + 7) / 8 + s.features * stride * sizeof(int16_t) +
           (s.classes + stride) * sizeof(float) + s.labels * (sizeof(float) + sizeof(PlattParams));
}

// 3 labels: at least one, each valid UTF-8 without NUL, no two the same.
std::vector<std::string> read_labels(Reader r) {
    std::vector<std::string> labels;
    uint32_t n = r.u32("the label count");
    if (n == 0) corrupt("The model has no labels.");
    if (n > kMaxLabels)
        corrupt("The labels section declares " + std::to_string(n) + " labels, more than the " +
                std::to_string(kMaxLabels) + " allowed.");
    // Each label needs at least its 4-byte length and one byte.
    if (static_cast<uint64_t>(n) * 5 > r.left())
        corrupt("The labels section declares " + std::to_string(n) + " labels but holds only " +
                std::to_string(r.left()) + " bytes.");
    const size_t k = n;
    labels.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        std::string_view s = r.string("label");
        if (s.empty()) corrupt("Label " + std::to_string(i) + " is empty.");
        if (!is_valid_utf8(s)) corrupt("Label " + std::to_string(i) + " is not valid UTF-8.");
        // PostgreSQL text ends at a NUL: such a label would come back cut short.
        if (s.find('\0') != std::string_view::npos)
            corrupt("Label " + std::to_string(i) + " contains a NUL byte.");
        labels.emplace_back(s);
    }
    r.expect_end();
    std::vector<std::string_view> sorted(labels.begin(), labels.end());
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
        corrupt("The label list contains a duplicate label.");
    return labels;
}

// 4 vocabulary: each feature's kind and term.
void read_vocabulary(Reader r, const std::function<bool()> &cancelled, std::vector<std::string> &terms,
                     std::vector<FeatureKind> &kinds) {
    uint32_t n = r.u32("the vocabulary size");
    if (n > kMaxFeatures)
        corrupt("The vocabulary declares " + std::to_string(n) + " features, more than the " +
                std::to_string(kMaxFeatures) + " allowed.");
    if (static_cast<uint64_t>(n) * 5 > r.left())
        corrupt("The vocabulary declares " + std::to_string(n) + " features but holds only " +
                std::to_string(r.left()) + " bytes.");
    const size_t nf = n;
    terms.reserve(nf);
    kinds.reserve(nf);
    for (size_t f = 0; f < nf; ++f) {
        if ((f & 0xffff) == 0xffff) poll_cancel(cancelled);
        uint8_t kind = r.u8("a feature kind");
        if (kind > static_cast<uint8_t>(FeatureKind::Char))
            corrupt("Feature " + std::to_string(f) + " has unknown kind " + std::to_string(kind) + ".");
        kinds.push_back(static_cast<FeatureKind>(kind));
        terms.emplace_back(r.string("term"));
    }
    r.expect_end();
}

// 5 idf: one value per feature.
std::vector<float> read_idf(Reader r, size_t nf) {
    std::vector<float> idf;
    uint32_t n = r.u32("the idf count");
    if (n != nf)
        corrupt("The idf section has " + std::to_string(n) + " values for " + std::to_string(nf) +
                " features.");
    r.need(static_cast<uint64_t>(n) * 4, "the idf values");
    idf.resize(nf);
    for (size_t f = 0; f < nf; ++f)
        idf[f] = r.f32("an idf value");
    r.expect_end();
    return idf;
}

// 6 weights: k classes, or (format 2) k + 1 with an out-of-scope class,
// which section 12 must confirm. Returns the number of classes.
size_t read_weights(Reader r, size_t k, size_t nf, bool v1, const std::function<bool()> &cancelled,
                    std::vector<float> &scale, std::vector<int16_t> &qweights) {
    uint32_t f_count = r.u32("the feature count");
    uint32_t c_count = r.u32("the class count");
    const bool classes_ok = c_count == k || (!v1 && c_count == k + 1);
    if (f_count != nf || !classes_ok)
        corrupt("The weights section is for " + std::to_string(f_count) + " features x " +
                std::to_string(c_count) + " classes but the model has " + std::to_string(nf) + " x " +
                std::to_string(k) + ".");
    const size_t n_classes = c_count;
    const size_t stride = padded(n_classes);
    const uint64_t need = static_cast<uint64_t>(n_classes) * 4 + static_cast<uint64_t>(nf) * n_classes * 2;
    if (need != r.left())
        corrupt("The weights section holds " + std::to_string(r.left()) + " bytes of values but " +
                std::to_string(need) + " are required.");
    scale.resize(n_classes);
    for (size_t c = 0; c < n_classes; ++c) {
        scale[c] = r.f32("a weight scale");
        if (scale[c] < 0) corrupt("A weight scale is negative.");
        if (scale[c] > kMaxWeightScale) corrupt("A weight scale is out of range.");
    }
    qweights.assign(nf * stride, 0);
    const uint8_t *p = r.data();
    for (size_t f = 0; f < nf; ++f) {
        if ((f & 0xffff) == 0xffff) poll_cancel(cancelled);
        int16_t *dst = qweights.data() + f * stride;
        const uint8_t *src = p + f * n_classes * 2;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        std::memcpy(dst, src, n_classes * 2); // the file is little-endian too
#else
        for (size_t c = 0; c < n_classes; ++c)
            dst[c] = static_cast<int16_t>(static_cast<uint16_t>(src[2 * c] | (src[2 * c + 1] << 8)));
#endif
    }
    r.skip(nf * n_classes * 2);
    r.expect_end();
    return n_classes;
}

// 7 bias: one per class, padded to the lane stride.
std::vector<float> read_bias(Reader r, size_t n_classes) {
    std::vector<float> bias;
    uint32_t n = r.u32("the bias count");
    if (n != n_classes)
        corrupt("The bias section has " + std::to_string(n) + " values for " + std::to_string(n_classes) +
                " classes.");
    r.need(static_cast<uint64_t>(n) * 4, "the bias values");
    bias.assign(padded(n_classes), 0.0f);
    for (size_t c = 0; c < n_classes; ++c) {
        bias[c] = r.f32("a bias");
        if (std::fabs(bias[c]) > kMaxBias) corrupt("A bias is out of range.");
    }
    r.expect_end();
    return bias;
}

// 11 thresholds (format 2): the global one and one per label, in [0, 1].
void read_thresholds(Reader r, size_t k, float &threshold, std::vector<float> &thresholds) {
    threshold = r.f32("the threshold");
    if (threshold < 0 || threshold > 1) corrupt("The abstain threshold is outside [0, 1].");
    uint32_t n = r.u32("the threshold count");
    if (n != k)
        corrupt("The thresholds section has " + std::to_string(n) + " values for " + std::to_string(k) +
                " labels.");
    r.need(static_cast<uint64_t>(n) * 4, "the per-intent thresholds");
    thresholds.resize(k);
    for (size_t c = 0; c < k; ++c) {
        thresholds[c] = r.f32("a per-intent threshold");
        if (thresholds[c] < 0 || thresholds[c] > 1)
            corrupt("A per-intent abstain threshold is outside [0, 1].");
    }
    r.expect_end();
}

} // namespace

size_t IntentModel::memory_estimate(const Shape &shape) {
    // The subword words are kept twice (the list and its index's keys), as
    // memory_bytes() counts them.
    const size_t subword = shape.subword_floats * sizeof(float) +
                           2 * (shape.subword_words * sizeof(std::string) +
                                strings_heap_bound(shape.subword_words, shape.subword_word_bytes)) +
                           32 * shape.subword_words;
    return memory_for(shape, strings_heap_bound(shape.labels, shape.label_bytes),
                      strings_heap_bound(shape.features, shape.term_bytes)) +
           subword + label_words_bytes(shape);
}

size_t IntentModel::memory_bytes() const {
    Shape shape;
    shape.labels = labels_.size();
    shape.features = vectorizer_.num_features();
    shape.classes = columns();
    size_t labels_heap = 0, terms_heap = 0;
    for (const std::string &l : labels_)
        labels_heap += string_heap(l.size());
    for (const std::string &t : vectorizer_.terms())
        terms_heap += string_heap(t.size());
    size_t subword = 0; // the subword table, its words and their index
    if (const SubwordVectors *sv = vectorizer_.subword()) {
        subword = sv->table_floats() * sizeof(float);
        for (const std::string &w : sv->words())
            subword += 2 * (sizeof(std::string) + string_heap(w.size())) + 32;
    }
    for (const std::vector<uint32_t> &w : label_words_.words)
        shape.label_word_pairs += w.size();
    return memory_for(shape, labels_heap, terms_heap) + subword + label_words_bytes(shape);
}

size_t IntentModel::declared_memory(const uint8_t *data, size_t size) {
    if (data == nullptr || size < kHeader + 4) return 0;
    Shape shape;
    const bool v1 = peek_u32(data + 8) == kLegacyFormatVersion;
    return declared_shape(data + kHeader, size - 4 - kHeader, v1, shape) ? memory_estimate(shape) : 0;
}

IntentModel IntentModel::deserialize(const uint8_t *data, size_t size, const std::function<bool()> &cancelled,
                                     size_t memory_limit) {
    const uint32_t version = check_blob(data, size, cancelled);
    const bool v1 = version == kLegacyFormatVersion;
    const size_t body_end = size - 4;
    Shape shape;
    const bool has_shape = declared_shape(data + kHeader, body_end - kHeader, v1, shape);
    Reader all(data + kHeader, body_end - kHeader, "model");
    auto section = [&](uint32_t tag) { return next_section(all, tag); };

    IntentModel m;
    m.format_version_ = version;

    // 1 options
    {
        Reader r = section(kOptions);
        std::string_view json = r.string("options JSON");
        r.expect_end();
        try {
            m.options_.apply_json(json);
        } catch (const Error &e) {
            corrupt(std::string("The stored training options are invalid: ") + e.what() +
                    (e.detail().empty() ? "." : " (" + e.detail() + ")"));
        }
        if (version < kFormatVersion) m.options_json_.assign(json);
        // Format 5 holds subword vectors when its options say so.
        if (version != kLabelWordsFormatVersion &&
            m.options_.subword_vectors != (version == kSubwordFormatVersion))
            corrupt("The stored options " +
                    std::string(m.options_.subword_vectors ? "ask for" : "do not hold") +
                    " subword vectors but the model has format version " + std::to_string(version) + ".");
        // A model serves with the weight it was trained with, always stored
        // (one chosen out of fold included).
        if (m.options_.subword_vectors && !(m.options_.subword_weight > 0))
            corrupt("The stored options hold subword vectors without their weight.");
    }
    // 2 algorithm
    {
        Reader r = section(kAlgorithm);
        uint8_t a = r.u8("the algorithm");
        r.expect_end();
        if (a != static_cast<uint8_t>(Algorithm::LinearSVM) &&
            a != static_cast<uint8_t>(Algorithm::LogisticRegression))
            corrupt("The algorithm code " + std::to_string(a) + " is unknown.");
        m.algorithm_ = static_cast<Algorithm>(a);
        if (m.algorithm_ != m.options_.learner.algorithm)
            corrupt("The algorithm section disagrees with the algorithm in the stored options.");
    }
    // Refused before the labels, the first section whose size the blob
    // decides: nothing is allocated for a model too large to load.
    if (memory_limit != 0 && has_shape) {
        const size_t estimate = memory_estimate(shape);
        if (estimate > memory_limit)
            throw Error(
                ErrorKind::ModelTooLarge,
                Message{N_("the intent model would hold about %s once loaded, more than the %s limit"),
                        {format_megabytes(estimate), format_megabytes(memory_limit)}},
                N_("The memory is estimated from the numbers of intents, vocabulary terms and weight "
                   "classes the model declares."));
    }
    m.labels_ = read_labels(section(kLabels));
    const size_t k = m.labels_.size();
    std::vector<std::string> terms;
    std::vector<FeatureKind> kinds;
    read_vocabulary(section(kVocabulary), cancelled, terms, kinds);
    const size_t n_terms = terms.size();
    const size_t nf = n_terms + (m.options_.subword_vectors ? m.options_.subword.dim : 0);
    std::vector<float> idf = read_idf(section(kIdf), n_terms);
    const size_t n_classes = read_weights(section(kWeights), k, nf, v1, cancelled, m.scale_, m.qweights_);
    m.bias_ = read_bias(section(kBias), n_classes);
    if (v1) {
        // 8 platt
        {
            Reader r = section(kPlatt);
            uint32_t n = r.u32("the calibration count");
            if (n != k)
                corrupt("The platt section has " + std::to_string(n) + " sigmoids for " + std::to_string(k) +
                        " labels.");
            r.need(static_cast<uint64_t>(n) * 8, "the sigmoid parameters");
            m.platt_.resize(k);
            for (size_t c = 0; c < k; ++c) {
                m.platt_[c].a = r.f32("a sigmoid slope");
                m.platt_[c].b = r.f32("a sigmoid offset");
            }
            r.expect_end();
        }
        // 9 threshold
        {
            Reader r = section(kThreshold);
            m.threshold_ = r.f32("the threshold");
            r.expect_end();
            if (m.threshold_ < 0 || m.threshold_ > 1) corrupt("The abstain threshold is outside [0, 1].");
            m.thresholds_.assign(k, m.threshold_);
        }
    } else {
        // 10 calibration
        {
            Reader r = section(kCalibration);
            uint8_t method = r.u8("the calibration method");
            if (method != kCalibrationTemperature)
                corrupt("The calibration method " + std::to_string(method) + " is unknown.");
            m.calibrator_.scale = r.f32("the calibration scale");
            r.expect_end();
            if (!(m.calibrator_.scale > 0)) corrupt("The calibration scale is not positive.");
        }
        read_thresholds(section(kThresholds), k, m.threshold_, m.thresholds_);
        // 12 out_of_scope
        {
            Reader r = section(kOutOfScope);
            uint8_t mode = r.u8("the out-of-scope mode");
            if (mode > kOosClass) corrupt("The out-of-scope mode " + std::to_string(mode) + " is unknown.");
            std::string_view label = r.string("out-of-scope label");
            r.expect_end();
            if (label.find('\0') != std::string_view::npos || !is_valid_utf8(label))
                corrupt("The out-of-scope label is not valid UTF-8 without NUL bytes.");
            m.has_oos_class_ = mode == kOosClass;
            if (m.has_oos_class_ != (n_classes == k + 1))
                corrupt("The out-of-scope section disagrees with the number of weight classes.");
            m.oos_label_.assign(label);
            if (std::find(m.labels_.begin(), m.labels_.end(), m.oos_label_) != m.labels_.end())
                corrupt("The out-of-scope label is also one of the intents.");
        }
        // 13 evidence
        if (m.checks_evidence()) {
            Reader r = section(kEvidence);
            m.evidence_floor_ = r.f32("the evidence floor");
            if (!(std::isfinite(m.evidence_floor_) && m.evidence_floor_ >= 0))
                corrupt("The evidence floor is not a finite number of at least 0.");
            m.evidence_fields_ = 1;
            if (r.left() != 0) {
                m.evidence_fields_ = 2;
                m.unknown_word_limit_ = r.f32("the unknown-word limit");
                if (!(m.unknown_word_limit_ >= 0 && m.unknown_word_limit_ <= 1))
                    corrupt("The unknown-word limit is not a number between 0 and 1.");
            }
            if (r.left() != 0) {
                m.evidence_fields_ = 3;
                const uint8_t rule = r.u8("the support rule");
                if (rule > 1) corrupt("The support rule " + std::to_string(rule) + " is unknown.");
                if (rule == 1) {
                    m.support_floor_ = r.f32("the support floor");
                    if (!(m.support_floor_ <= 0)) corrupt("The support floor is not a number of at most 0.");
                }
            }
            r.expect_end();
        }
    }
    // 14 subword
    std::vector<std::string> subword_words;
    std::vector<float> subword_table;
    if (m.options_.subword_vectors) {
        Reader r = section(kSubword);
        const SubwordOptions &so = m.options_.subword;
        const uint32_t nw = r.u32("the subword word count");
        const size_t max_words = (SubwordVectors::kMaxTableFloats / so.dim - so.buckets) / 2;
        if (nw > max_words || static_cast<uint64_t>(nw) * 5 > r.left())
            corrupt("The subword section declares " + std::to_string(nw) + " words, more than it can hold.");
        subword_words.reserve(nw);
        for (uint32_t i = 0; i < nw; ++i) {
            std::string_view w = r.string("subword word");
            if (w.empty() || !is_valid_utf8(w)) corrupt("A subword word is empty or not valid UTF-8.");
            subword_words.emplace_back(w);
        }
        const uint32_t nfloats = r.u32("the subword table size");
        if (nfloats != (static_cast<uint64_t>(nw) + so.buckets) * so.dim)
            corrupt("The subword table has " + std::to_string(nfloats) + " values for " + std::to_string(nw) +
                    " words, " + std::to_string(so.buckets) + " buckets and dimension " +
                    std::to_string(so.dim) + ".");
        r.need(static_cast<uint64_t>(nfloats) * 4, "the subword table");
        subword_table.resize(nfloats);
        for (uint32_t i = 0; i < nfloats; ++i) {
            if ((i & 0xfffff) == 0xfffff) poll_cancel(cancelled);
            subword_table[i] = r.f32("a subword vector value");
        }
        r.expect_end();
    }
    // 15 label words
    if (version == kLabelWordsFormatVersion) {
        Reader r = section(kLabelWords);
        m.label_words_.limit = r.f32("the label-word limit");
        if (!(m.label_words_.limit >= 0 && m.label_words_.limit < 1))
            corrupt("The label-word limit is not a number in [0, 1).");
        const uint32_t count = r.u32("the label count of the label words");
        if (count != k)
            corrupt("The label words section has " + std::to_string(count) + " lists for " +
                    std::to_string(k) + " labels.");
        m.label_words_.words.resize(k);
        for (size_t c = 0; c < k; ++c) {
            const uint32_t nw = r.u32("a label's word count");
            if (nw > n_terms) corrupt("A label holds more words than the vocabulary.");
            r.need(static_cast<uint64_t>(nw) * 4, "a label's words");
            std::vector<uint32_t> &w = m.label_words_.words[c];
            w.resize(nw);
            for (uint32_t i = 0; i < nw; ++i) {
                w[i] = r.u32("a label's word");
                if (w[i] >= n_terms || kinds[w[i]] != FeatureKind::Word || (i > 0 && w[i] <= w[i - 1]))
                    corrupt("A label's words are not ascending word features of the vocabulary.");
            }
            poll_cancel(cancelled);
        }
        r.expect_end();
    }
    if (all.left() != 0)
        corrupt("The model has " + std::to_string(all.left()) + " unexpected bytes after its last section.");

    try {
        m.vectorizer_ = Vectorizer::from_parts(m.options_.features, std::move(terms), std::move(kinds),
                                               std::move(idf), cancelled);
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::CorruptModel || e.kind() == ErrorKind::Cancelled) throw;
        corrupt(std::string("The vocabulary is invalid: ") + e.what() + ".");
    }
    if (m.options_.subword_vectors) {
        try {
            m.vectorizer_.attach_subword(std::make_shared<const SubwordVectors>(SubwordVectors::from_parts(
                                             m.options_.subword, m.options_.features.text,
                                             std::move(subword_words), std::move(subword_table))),
                                         static_cast<float>(m.options_.subword_weight));
        } catch (const Error &e) {
            corrupt(std::string("The subword vectors are invalid: ") + e.what() + ".");
        }
        if (m.vectorizer_.num_features() != nf) corrupt("The subword vectors hold no word.");
    }
    if (m.checks_evidence()) m.recognition_ = Recognition(m.vectorizer_);
    if (version == kLabelWordsFormatVersion) {
        m.word_unigram_ = word_unigrams(m.vectorizer_);
        for (const std::vector<uint32_t> &w : m.label_words_.words)
            for (uint32_t j : w)
                if (j >= m.word_unigram_.size() || !m.word_unigram_[j])
                    corrupt("A label's word is not a word unigram of the vocabulary.");
    }
    return m;
}

} // namespace intent
