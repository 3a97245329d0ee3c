// The intent model: options, prediction, the binary format and the training
// pipeline with its evaluation report.
//
// Binary layout (all integers and floats little-endian, floats IEEE-754 binary32):
//
//   "PGINTENT"                      8 bytes magic
//   u32 format version              currently 1
//   sections, each: u32 tag, u64 byte length, payload; exactly once, in this order:
//     1 options    u32 len + JSON bytes (ModelOptions::to_json)
//     2 algorithm  u8 (1 linear_svm, 2 logistic_regression)
//     3 labels     u32 count, count x (u32 len + UTF-8 bytes)
//     4 vocabulary u32 count, count x (u8 kind, u32 len + bytes)
//     5 idf        u32 count, count x f32
//     6 weights    u32 features, u32 classes, classes x f32 scale,
//                  features x classes x i16 (feature-major)
//     7 bias       u32 count, count x f32
//     8 platt      u32 count, count x (f32 a, f32 b)
//     9 threshold  f32
//   u32 CRC-32C (Castagnoli) of every byte before it
//
// The bytes depend only on the model's content (no timestamps, no padding
// garbage), so training twice on the same rows gives the same blob.
#include "model.h"

#include "errors.h"
#include "json.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace intent {

namespace {

constexpr char kMagic[8] = {'P', 'G', 'I', 'N', 'T', 'E', 'N', 'T'};
constexpr size_t kMaxLabels = 100000;
constexpr size_t kMaxFeatures = 20000000;
constexpr size_t kMaxString = 1u << 20;
// Class vectors are padded to a multiple of this many lanes in memory so the
// scoring loop has a fixed-width inner block that -O2 vectorises.
constexpr size_t kLanes = 16;

enum SectionTag : uint32_t {
    kOptions = 1,
    kAlgorithm = 2,
    kLabels = 3,
    kVocabulary = 4,
    kIdf = 5,
    kWeights = 6,
    kBias = 7,
    kPlatt = 8,
    kThreshold = 9,
};

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
    default:
        return "unknown";
    }
}

// ---------------------------------------------------------------- CRC-32C

// Slicing-by-16 tables for the reflected Castagnoli polynomial, built once
// (16 KiB): about a byte per cycle, so a 9 MB model checks in a few ms.
struct Crc32cTables {
    uint32_t t[16][256];
    Crc32cTables() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[0][i] = c;
        }
        for (uint32_t i = 0; i < 256; ++i)
            for (int s = 1; s < 16; ++s)
                t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
};

const Crc32cTables &crc_tables() {
    static const Crc32cTables tables;
    return tables;
}

// ------------------------------------------------------------ byte writer

void put_u8(std::string &out, uint8_t v) {
    out.push_back(static_cast<char>(v));
}

void put_u32(std::string &out, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_u64(std::string &out, uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_f32(std::string &out, float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_u32(out, bits);
}

void put_string(std::string &out, std::string_view s) {
    put_u32(out, static_cast<uint32_t>(s.size()));
    out.append(s.data(), s.size());
}

// Appends section `tag` whose payload `body` has been built separately.
void put_section(std::string &out, uint32_t tag, const std::string &body) {
    put_u32(out, tag);
    put_u64(out, body.size());
    out += body;
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

// Whether `s` is well-formed UTF-8 (labels become PostgreSQL text).
bool valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else
            return false;
        if (n - i < len) return false;
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        if (c1 < lo || c1 > hi) return false;
        for (size_t k = 2; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

// ------------------------------------------------------- quantisation

size_t padded(size_t k) {
    return (k + kLanes - 1) / kLanes * kLanes;
}

// Quantises float weights to int16 with one scale per class (max |w| maps to
// 32767), stored feature-major with the class stride padded to kLanes.
void quantize(const LinearWeights &w, std::vector<int16_t> &q, std::vector<float> &scale) {
    const size_t k = w.num_classes, nf = w.num_features, stride = padded(k);
    std::vector<float> maxabs(k, 0.0f);
    for (size_t f = 0; f < nf; ++f)
        for (size_t c = 0; c < k; ++c) {
            float v = w.w[f * k + c];
            if (!std::isfinite(v))
                throw Error(ErrorKind::Internal, "non-finite weight",
                            "The learner produced a non-finite weight.");
            maxabs[c] = std::max(maxabs[c], std::fabs(v));
        }
    scale.assign(k, 0.0f);
    for (size_t c = 0; c < k; ++c)
        scale[c] = maxabs[c] > 0 ? maxabs[c] / 32767.0f : 0.0f;
    // Multiply by the inverse scale and round half away from zero by hand:
    // much cheaper than lround's library call, and just as deterministic.
    std::vector<double> inv(k, 0.0);
    for (size_t c = 0; c < k; ++c)
        inv[c] = scale[c] > 0 ? 1.0 / static_cast<double>(scale[c]) : 0.0;
    q.assign(nf * stride, 0);
    for (size_t f = 0; f < nf; ++f) {
        const float *src = w.w.data() + f * k;
        int16_t *dst = q.data() + f * stride;
        for (size_t c = 0; c < k; ++c) {
            double r = static_cast<double>(src[c]) * inv[c];
            r = std::clamp(r, -32767.0, 32767.0);
            dst[c] = static_cast<int16_t>(r >= 0 ? r + 0.5 : r - 0.5);
        }
    }
}

// Raw decision scores of one sparse row: bias + scale[c] * sum_f x_f q[f][c].
// `out` must hold `stride` (padded) floats. Features are taken two at a time
// (half the accumulator loads and stores), and the inner block has a fixed
// trip count so GCC vectorises it even under -O2's very-cheap cost model.
// Compiled for AVX-512, AVX2 and baseline x86-64, chosen at load time (the
// default target is SSE2, which converts and multiplies only 4 weights at a
// time). The core builds with -ffp-contract=off, so every clone performs the
// same float operations per class and returns the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INTENT_SCORE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define INTENT_SCORE_CLONES
#endif
INTENT_SCORE_CLONES
void score_row(const SparseVector &x, const int16_t *q, size_t stride, const float *scale, const float *bias,
               size_t k, float *out) {
    std::fill(out, out + stride, 0.0f);
    const size_t nnz = x.index.size();
    size_t i = 0;
    for (; i + 1 < nnz; i += 2) {
        const float v0 = x.value[i], v1 = x.value[i + 1];
        const int16_t *r0 = q + static_cast<size_t>(x.index[i]) * stride;
        const int16_t *r1 = q + static_cast<size_t>(x.index[i + 1]) * stride;
        for (size_t c0 = 0; c0 < stride; c0 += kLanes) {
            float *o = out + c0;
            for (size_t j = 0; j < kLanes; ++j)
                o[j] += v0 * static_cast<float>(r0[c0 + j]) + v1 * static_cast<float>(r1[c0 + j]);
        }
    }
    if (i < nnz) {
        const float v = x.value[i];
        const int16_t *r = q + static_cast<size_t>(x.index[i]) * stride;
        for (size_t c0 = 0; c0 < stride; c0 += kLanes) {
            float *o = out + c0;
            for (size_t j = 0; j < kLanes; ++j)
                o[j] += v * static_cast<float>(r[c0 + j]);
        }
    }
    for (size_t c = 0; c < k; ++c)
        out[c] = bias[c] + out[c] * scale[c];
}

// Index of the largest value (lowest index on ties).
size_t argmax(const float *v, size_t n) {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
        if (v[i] > v[best]) best = i;
    return best;
}

// ------------------------------------------------------------ options

[[noreturn]] void bad_option(const std::string &key, const std::string &detail) {
    throw Error(ErrorKind::InvalidArgument, "invalid value for training option \"" + key + "\"", detail);
}

double option_number(const std::string &key, const JsonValue &v, const char *detail) {
    if (v.type != JsonValue::Type::Number) bad_option(key, detail);
    return v.number;
}

int64_t option_integer(const std::string &key, const JsonValue &v, int64_t lo, int64_t hi,
                       const char *detail) {
    if (v.type != JsonValue::Type::Number || v.number != std::floor(v.number) ||
        v.number < static_cast<double>(lo) || v.number > static_cast<double>(hi))
        bad_option(key, detail);
    return static_cast<int64_t>(v.number);
}

bool option_bool(const std::string &key, const JsonValue &v) {
    if (v.type != JsonValue::Type::Bool) bad_option(key, key + " must be true or false.");
    return v.boolean;
}

const char *const kOptionKeys[] = {
    "algorithm",        "C",
    "class_weight",     "tolerance",
    "max_iterations",   "word_ngram_min",
    "word_ngram_max",   "char_ngrams",
    "char_ngram_min",   "char_ngram_max",
    "max_features",     "max_char_features",
    "min_df",           "sublinear_tf",
    "smooth_idf",       "lowercase",
    "accent_folding",   "val_fraction",
    "test_fraction",    "seed",
    "target_precision", "max_misclassified",
    "threads",
};

std::string option_key_list() {
    std::string s;
    for (const char *k : kOptionKeys) {
        if (!s.empty()) s += ", ";
        s += k;
    }
    return s;
}

// Applies one key to `o`; throws for an unknown key or a bad value.
void apply_option(ModelOptions &o, const std::string &key, const JsonValue &v) {
    if (key == "algorithm") {
        if (v.type != JsonValue::Type::String || (v.string != algorithm_name(Algorithm::LinearSVM) &&
                                                  v.string != algorithm_name(Algorithm::LogisticRegression)))
            bad_option(key, "algorithm must be \"linear_svm\" or \"logistic_regression\".");
        o.learner.algorithm = parse_algorithm(v.string);
    } else if (key == "C") {
        double c = option_number(key, v, "C must be a positive number.");
        if (!(c > 0) || !std::isfinite(c)) bad_option(key, "C must be a positive number.");
        o.learner.C = c;
    } else if (key == "class_weight") {
        if (v.type != JsonValue::Type::String || (v.string != "balanced" && v.string != "none"))
            bad_option(key, "class_weight must be \"balanced\" or \"none\".");
        o.learner.balanced_class_weight = v.string == "balanced";
    } else if (key == "tolerance") {
        double t = option_number(key, v, "tolerance must be a positive number.");
        if (!(t > 0)) bad_option(key, "tolerance must be a positive number.");
        o.learner.tolerance = t;
    } else if (key == "max_iterations") {
        o.learner.max_iterations = static_cast<int>(
            option_integer(key, v, 1, 1000000, "max_iterations must be an integer between 1 and 1000000."));
    } else if (key == "word_ngram_min") {
        o.features.word_ngram_min = static_cast<int>(
            option_integer(key, v, 1, 8, "word_ngram_min must be an integer between 1 and 8."));
    } else if (key == "word_ngram_max") {
        o.features.word_ngram_max = static_cast<int>(
            option_integer(key, v, 1, 8, "word_ngram_max must be an integer between 1 and 8."));
    } else if (key == "char_ngrams") {
        o.features.char_ngrams = option_bool(key, v);
    } else if (key == "char_ngram_min") {
        o.features.char_ngram_min = static_cast<int>(
            option_integer(key, v, 1, 10, "char_ngram_min must be an integer between 1 and 10."));
    } else if (key == "char_ngram_max") {
        o.features.char_ngram_max = static_cast<int>(
            option_integer(key, v, 1, 10, "char_ngram_max must be an integer between 1 and 10."));
    } else if (key == "max_features") {
        o.features.max_features = static_cast<int>(
            option_integer(key, v, 1, 10000000, "max_features must be an integer between 1 and 10000000."));
    } else if (key == "max_char_features") {
        o.features.max_char_features = static_cast<int>(option_integer(
            key, v, 1, 10000000, "max_char_features must be an integer between 1 and 10000000."));
    } else if (key == "min_df") {
        o.features.min_df =
            static_cast<int>(option_integer(key, v, 1, 1000000, "min_df must be a positive integer."));
    } else if (key == "sublinear_tf") {
        o.features.sublinear_tf = option_bool(key, v);
    } else if (key == "smooth_idf") {
        o.features.smooth_idf = option_bool(key, v);
    } else if (key == "lowercase") {
        o.features.text.lowercase = option_bool(key, v);
    } else if (key == "accent_folding") {
        o.features.text.fold_accents = option_bool(key, v);
    } else if (key == "val_fraction" || key == "test_fraction") {
        std::string detail = key + " must be a number between 0 and 0.9.";
        double f = option_number(key, v, detail.c_str());
        if (!(f >= 0 && f <= 0.9)) bad_option(key, detail);
        (key == "val_fraction" ? o.split.val_fraction : o.split.test_fraction) = f;
    } else if (key == "seed") {
        o.split.seed = static_cast<uint64_t>(option_integer(
            key, v, 0, int64_t(1) << 53, "seed must be a non-negative integer of at most 2^53."));
        o.learner.seed = o.split.seed;
    } else if (key == "target_precision") {
        double t = option_number(key, v, "target_precision must be a number greater than 0 and at most 1.");
        if (!(t > 0 && t <= 1))
            bad_option(key, "target_precision must be a number greater than 0 and at most 1.");
        o.target_precision = t;
    } else if (key == "threads") {
        // Execution detail, not a model property: applied but not stored by to_json().
        o.learner.threads = static_cast<int>(
            option_integer(key, v, 0, 256, "threads must be an integer between 0 and 256 (0 = automatic)."));
    } else if (key == "max_misclassified") {
        o.max_misclassified = static_cast<size_t>(option_integer(
            key, v, 0, 1000000, "max_misclassified must be an integer between 0 and 1000000."));
    } else {
        throw Error(ErrorKind::InvalidArgument, "unknown training option \"" + key + "\"", {},
                    "Valid options are: " + option_key_list() + ".");
    }
}

// TF-IDF rows of d.texts[idx[...]], polling the cancel callback every 256
// rows so a long feature pass still stops promptly (Vectorizer::transform
// has no callbacks).
SparseMatrix transform_rows(const Vectorizer &vec, const PreparedDataset &d, const std::vector<size_t> &idx,
                            const TrainCallbacks &callbacks) {
    SparseMatrix m;
    m.cols = vec.num_features();
    m.row_ptr.reserve(idx.size() + 1);
    VectorizerScratch scratch;
    SparseVector row;
    for (size_t i = 0; i < idx.size(); ++i) {
        if ((i & 255) == 255) callbacks.check_cancel();
        vec.transform_one(d.texts[idx[i]], row, scratch);
        m.append_row(row);
    }
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

// Table-driven CRC-32C (Castagnoli, slicing by 16) of `size` bytes,
// continuing from `crc` (0 to start): the portable path.
uint32_t crc32c_software(const uint8_t *data, size_t size, uint32_t crc) {
    const auto &t = crc_tables().t;
    uint32_t c = ~crc;
    auto le32 = [](const uint8_t *p) {
        return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
               static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    };
    while (size >= 16) {
        uint32_t a = c ^ le32(data), b = le32(data + 4), d = le32(data + 8), e = le32(data + 12);
        c = t[15][a & 0xFF] ^ t[14][(a >> 8) & 0xFF] ^ t[13][(a >> 16) & 0xFF] ^ t[12][a >> 24] ^
            t[11][b & 0xFF] ^ t[10][(b >> 8) & 0xFF] ^ t[9][(b >> 16) & 0xFF] ^ t[8][b >> 24] ^
            t[7][d & 0xFF] ^ t[6][(d >> 8) & 0xFF] ^ t[5][(d >> 16) & 0xFF] ^ t[4][d >> 24] ^ t[3][e & 0xFF] ^
            t[2][(e >> 8) & 0xFF] ^ t[1][(e >> 16) & 0xFF] ^ t[0][e >> 24];
        data += 16;
        size -= 16;
    }
    while (size--)
        c = (c >> 8) ^ t[0][(c ^ *data++) & 0xFF];
    return ~c;
}

#if defined(__x86_64__) && defined(__GNUC__)
// SSE4.2's crc32 instruction computes CRC-32C 8 bytes at a time: checking a
// 10 MB model at load takes about a millisecond instead of several.
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const uint8_t *data, size_t size,
                                                               uint32_t crc) {
    uint64_t c = ~crc;
    while (size >= 8) {
        uint64_t v;
        std::memcpy(&v, data, 8); // x86 is little-endian, as the format
        c = __builtin_ia32_crc32di(c, v);
        data += 8;
        size -= 8;
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    while (size--)
        c32 = __builtin_ia32_crc32qi(c32, *data++);
    return ~c32;
}
#endif

// CRC-32C of `size` bytes, continuing from `crc`: the CPU instruction when
// there is one, else the table.
uint32_t crc32c(const uint8_t *data, size_t size, uint32_t crc) {
#if defined(__x86_64__) && defined(__GNUC__)
    static const bool hardware = __builtin_cpu_supports("sse4.2");
    if (hardware) return crc32c_sse42(data, size, crc);
#endif
    return crc32c_software(data, size, crc);
}

// ============================================================ ModelOptions

// Parses a flat JSON object and applies it atomically (all keys or none).
void ModelOptions::apply_json(std::string_view json_object) {
    JsonValue doc;
    try {
        doc = json_parse(json_object);
    } catch (const Error &e) {
        throw Error(ErrorKind::InvalidArgument, "invalid training options", e.detail(),
                    "Pass a JSON object such as {\"C\": 0.5, \"char_ngrams\": false}.");
    }
    if (doc.type != JsonValue::Type::Object)
        throw Error(ErrorKind::InvalidArgument, "invalid training options",
                    "Training options must be a JSON object.",
                    "Pass a JSON object such as {\"C\": 0.5, \"char_ngrams\": false}.");
    ModelOptions next = *this;
    for (const auto &kv : doc.object)
        apply_option(next, kv.first, kv.second);
    next.validate();
    *this = std::move(next);
}

// Checks every option group, then the pipeline's own options.
void ModelOptions::validate() const {
    features.validate();
    learner.validate();
    split.validate();
    if (!(target_precision > 0 && target_precision <= 1))
        throw Error(ErrorKind::InvalidArgument, "invalid value for training option \"target_precision\"",
                    "target_precision must be a number greater than 0 and at most 1.");
}

// Every option with its effective value, in a fixed key order.
std::string ModelOptions::to_json() const {
    JsonWriter w;
    w.begin_object();
    w.key("algorithm").value(algorithm_name(learner.algorithm));
    w.key("C").value(learner.C);
    w.key("class_weight").value(learner.balanced_class_weight ? "balanced" : "none");
    w.key("tolerance").value(learner.tolerance);
    w.key("max_iterations").value(learner.max_iterations);
    w.key("word_ngram_min").value(features.word_ngram_min);
    w.key("word_ngram_max").value(features.word_ngram_max);
    w.key("char_ngrams").value(features.char_ngrams);
    w.key("char_ngram_min").value(features.char_ngram_min);
    w.key("char_ngram_max").value(features.char_ngram_max);
    w.key("max_features").value(features.max_features);
    w.key("max_char_features").value(features.max_char_features);
    w.key("min_df").value(features.min_df);
    w.key("sublinear_tf").value(features.sublinear_tf);
    w.key("smooth_idf").value(features.smooth_idf);
    w.key("lowercase").value(features.text.lowercase);
    w.key("accent_folding").value(features.text.fold_accents);
    w.key("val_fraction").value(split.val_fraction);
    w.key("test_fraction").value(split.test_fraction);
    w.key("seed").value(split.seed);
    w.key("target_precision").value(target_precision);
    w.key("max_misclassified").value(max_misclassified);
    w.end_object();
    return w.take();
}

// ============================================================ IntentModel

// Raw decision scores for every class into scratch.scores (padded length).
void IntentModel::scores(std::string_view text, PredictScratch &scratch) const {
    vectorizer_.transform_one(text, scratch.row, scratch.vec);
    const size_t k = labels_.size();
    scratch.scores.resize(padded(k));
    score_row(scratch.row, qweights_.data(), padded(k), scale_.data(), bias_.data(), k,
              scratch.scores.data());
}

void IntentModel::probabilities(std::string_view text, PredictScratch &scratch) const {
    scores(text, scratch);
    scratch.probs.resize(labels_.size());
    calibrated_probabilities(platt_, scratch.scores.data(), scratch.probs.data());
}

int IntentModel::classify(std::string_view text, PredictScratch &scratch) const {
    probabilities(text, scratch);
    size_t best = argmax(scratch.probs.data(), labels_.size());
    return scratch.probs[best] < threshold_ ? -1 : static_cast<int>(best);
}

Prediction IntentModel::predict(std::string_view text, size_t top_k, PredictScratch &scratch) const {
    probabilities(text, scratch);
    const size_t k = labels_.size();
    const float *p = scratch.probs.data();
    Prediction out;
    if (k == 0) return out;
    size_t best = argmax(p, k);
    out.label = static_cast<int>(best);
    out.confidence = p[best];
    out.uncertain = p[best] < threshold_;
    size_t n = std::min(top_k, k);
    if (n > 0) {
        scratch.order.resize(k);
        std::iota(scratch.order.begin(), scratch.order.end(), 0u);
        std::partial_sort(scratch.order.begin(), scratch.order.begin() + static_cast<std::ptrdiff_t>(n),
                          scratch.order.end(),
                          [p](uint32_t a, uint32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
        out.top.reserve(n);
        for (size_t i = 0; i < n; ++i)
            out.top.emplace_back(static_cast<int>(scratch.order[i]), p[scratch.order[i]]);
    }
    return out;
}

IntentModel IntentModel::assemble(ModelOptions options, Vectorizer vectorizer,
                                  std::vector<std::string> labels, const LinearWeights &weights,
                                  std::vector<PlattParams> platt, float threshold) {
    const size_t k = labels.size();
    if (k == 0 || weights.num_classes != k || weights.num_features != vectorizer.num_features() ||
        weights.w.size() != weights.num_features * k || weights.bias.size() != k || platt.size() != k)
        throw Error(ErrorKind::Internal, "inconsistent model parts",
                    "Labels, weights, bias and calibration disagree on the number of classes or features.");
    if (!std::isfinite(threshold) || threshold < 0 || threshold > 1)
        throw Error(ErrorKind::Internal, "invalid threshold",
                    "The abstain threshold must be between 0 and 1.");
    IntentModel m;
    m.algorithm_ = options.learner.algorithm;
    m.options_ = std::move(options);
    m.vectorizer_ = std::move(vectorizer);
    m.labels_ = std::move(labels);
    quantize(weights, m.qweights_, m.scale_);
    m.bias_.assign(padded(k), 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), m.bias_.begin());
    m.platt_ = std::move(platt);
    m.threshold_ = threshold;
    return m;
}

std::string IntentModel::serialize() const {
    const size_t k = labels_.size(), nf = vectorizer_.num_features(), stride = padded(k);
    std::string out;
    out.reserve(64 + nf * k * 2 + nf * 16 + k * 64);
    out.append(kMagic, 8);
    put_u32(out, kFormatVersion);

    std::string body;
    put_string(body, options_.to_json());
    put_section(out, kOptions, body);

    body.clear();
    put_u8(body, static_cast<uint8_t>(algorithm_));
    put_section(out, kAlgorithm, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(k));
    for (const auto &l : labels_)
        put_string(body, l);
    put_section(out, kLabels, body);

    body.clear();
    const auto &terms = vectorizer_.terms();
    const auto &kinds = vectorizer_.kinds();
    put_u32(body, static_cast<uint32_t>(nf));
    for (size_t f = 0; f < nf; ++f) {
        put_u8(body, static_cast<uint8_t>(kinds[f]));
        put_string(body, terms[f]);
    }
    put_section(out, kVocabulary, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(nf));
    for (float v : vectorizer_.idf())
        put_f32(body, v);
    put_section(out, kIdf, body);

    body.clear();
    body.reserve(8 + 4 * k + 2 * nf * k);
    put_u32(body, static_cast<uint32_t>(nf));
    put_u32(body, static_cast<uint32_t>(k));
    for (float s : scale_)
        put_f32(body, s);
    for (size_t f = 0; f < nf; ++f)
        for (size_t c = 0; c < k; ++c) {
            uint16_t u = static_cast<uint16_t>(qweights_[f * stride + c]);
            body.push_back(static_cast<char>(u & 0xFF));
            body.push_back(static_cast<char>(u >> 8));
        }
    put_section(out, kWeights, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(k));
    for (size_t c = 0; c < k; ++c)
        put_f32(body, bias_[c]);
    put_section(out, kBias, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(k));
    for (const auto &p : platt_) {
        put_f32(body, p.a);
        put_f32(body, p.b);
    }
    put_section(out, kPlatt, body);

    body.clear();
    put_f32(body, threshold_);
    put_section(out, kThreshold, body);

    put_u32(out, crc32c(reinterpret_cast<const uint8_t *>(out.data()), out.size()));
    return out;
}

IntentModel IntentModel::deserialize(const uint8_t *data, size_t size) {
    constexpr size_t kHeader = 8 + 4;
    if (data == nullptr || size < kHeader + 4)
        corrupt("The blob is " + std::to_string(size) + " bytes long, shorter than any intent model.");
    if (std::memcmp(data, kMagic, 8) != 0)
        corrupt("The blob does not start with the \"PGINTENT\" magic bytes, so it is not an intent model.");
    Reader head(data + 8, 4, "header");
    uint32_t version = head.u32("the format version");
    if (version != kFormatVersion)
        corrupt("The model has format version " + std::to_string(version) + " but this build reads version " +
                std::to_string(kFormatVersion) + ".");
    const size_t body_end = size - 4;
    uint32_t stored = 0;
    for (int i = 0; i < 4; ++i)
        stored |= static_cast<uint32_t>(data[body_end + i]) << (8 * i);
    if (crc32c(data, body_end) != stored)
        corrupt("The CRC-32C checksum does not match: the model bytes were altered or truncated.");

    Reader all(data + kHeader, body_end - kHeader, "model");
    // Returns a reader over the next section, which must carry `tag`.
    auto section = [&](uint32_t tag) {
        if (all.left() < 12)
            corrupt(std::string("The model ends before its ") + section_name(tag) + " section.");
        uint32_t got = all.u32("the section tag");
        if (got != tag)
            corrupt(std::string("Expected the ") + section_name(tag) + " section (tag " +
                    std::to_string(tag) + ") but found tag " + std::to_string(got) + ".");
        uint64_t len = all.u64("the section length");
        if (len > all.left())
            corrupt(std::string("The ") + section_name(tag) + " section declares " + std::to_string(len) +
                    " bytes but only " + std::to_string(all.left()) + " remain.");
        Reader r(all.data(), static_cast<size_t>(len), section_name(tag));
        all.skip(static_cast<size_t>(len));
        return r;
    };

    IntentModel m;

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
    // 3 labels
    size_t k = 0;
    {
        Reader r = section(kLabels);
        uint32_t n = r.u32("the label count");
        if (n == 0) corrupt("The model has no labels.");
        if (n > kMaxLabels)
            corrupt("The labels section declares " + std::to_string(n) + " labels, more than the " +
                    std::to_string(kMaxLabels) + " allowed.");
        // Each label needs at least its 4-byte length and one byte.
        if (static_cast<uint64_t>(n) * 5 > r.left())
            corrupt("The labels section declares " + std::to_string(n) + " labels but holds only " +
                    std::to_string(r.left()) + " bytes.");
        k = n;
        m.labels_.reserve(k);
        for (size_t i = 0; i < k; ++i) {
            std::string_view s = r.string("label");
            if (s.empty()) corrupt("Label " + std::to_string(i) + " is empty.");
            if (!valid_utf8(s)) corrupt("Label " + std::to_string(i) + " is not valid UTF-8.");
            m.labels_.emplace_back(s);
        }
        r.expect_end();
        std::vector<std::string_view> sorted(m.labels_.begin(), m.labels_.end());
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            corrupt("The label list contains a duplicate label.");
    }
    // 4 vocabulary
    size_t nf = 0;
    std::vector<std::string> terms;
    std::vector<FeatureKind> kinds;
    {
        Reader r = section(kVocabulary);
        uint32_t n = r.u32("the vocabulary size");
        if (n > kMaxFeatures)
            corrupt("The vocabulary declares " + std::to_string(n) + " features, more than the " +
                    std::to_string(kMaxFeatures) + " allowed.");
        if (static_cast<uint64_t>(n) * 5 > r.left())
            corrupt("The vocabulary declares " + std::to_string(n) + " features but holds only " +
                    std::to_string(r.left()) + " bytes.");
        nf = n;
        terms.reserve(nf);
        kinds.reserve(nf);
        for (size_t f = 0; f < nf; ++f) {
            uint8_t kind = r.u8("a feature kind");
            if (kind > static_cast<uint8_t>(FeatureKind::Char))
                corrupt("Feature " + std::to_string(f) + " has unknown kind " + std::to_string(kind) + ".");
            kinds.push_back(static_cast<FeatureKind>(kind));
            terms.emplace_back(r.string("term"));
        }
        r.expect_end();
    }
    // 5 idf
    std::vector<float> idf;
    {
        Reader r = section(kIdf);
        uint32_t n = r.u32("the idf count");
        if (n != nf)
            corrupt("The idf section has " + std::to_string(n) + " values for " + std::to_string(nf) +
                    " features.");
        r.need(static_cast<uint64_t>(n) * 4, "the idf values");
        idf.resize(nf);
        for (size_t f = 0; f < nf; ++f)
            idf[f] = r.f32("an idf value");
        r.expect_end();
    }
    // 6 weights
    const size_t stride = padded(k);
    {
        Reader r = section(kWeights);
        uint32_t f_count = r.u32("the feature count");
        uint32_t c_count = r.u32("the class count");
        if (f_count != nf || c_count != k)
            corrupt("The weights section is for " + std::to_string(f_count) + " features x " +
                    std::to_string(c_count) + " classes but the model has " + std::to_string(nf) + " x " +
                    std::to_string(k) + ".");
        const uint64_t need = static_cast<uint64_t>(k) * 4 + static_cast<uint64_t>(nf) * k * 2;
        if (need != r.left())
            corrupt("The weights section holds " + std::to_string(r.left()) + " bytes of values but " +
                    std::to_string(need) + " are required.");
        m.scale_.resize(k);
        for (size_t c = 0; c < k; ++c) {
            m.scale_[c] = r.f32("a weight scale");
            if (m.scale_[c] < 0) corrupt("A weight scale is negative.");
        }
        m.qweights_.assign(nf * stride, 0);
        const uint8_t *p = r.data();
        for (size_t f = 0; f < nf; ++f) {
            int16_t *dst = m.qweights_.data() + f * stride;
            const uint8_t *src = p + f * k * 2;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            std::memcpy(dst, src, k * 2); // the file is little-endian too
#else
            for (size_t c = 0; c < k; ++c)
                dst[c] = static_cast<int16_t>(static_cast<uint16_t>(src[2 * c] | (src[2 * c + 1] << 8)));
#endif
        }
        r.skip(nf * k * 2);
        r.expect_end();
    }
    // 7 bias
    {
        Reader r = section(kBias);
        uint32_t n = r.u32("the bias count");
        if (n != k)
            corrupt("The bias section has " + std::to_string(n) + " values for " + std::to_string(k) +
                    " labels.");
        r.need(static_cast<uint64_t>(n) * 4, "the bias values");
        m.bias_.assign(stride, 0.0f);
        for (size_t c = 0; c < k; ++c)
            m.bias_[c] = r.f32("a bias");
        r.expect_end();
    }
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
    }
    if (all.left() != 0)
        corrupt("The model has " + std::to_string(all.left()) + " unexpected bytes after its last section.");

    try {
        m.vectorizer_ =
            Vectorizer::from_parts(m.options_.features, std::move(terms), std::move(kinds), std::move(idf));
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::CorruptModel) throw;
        corrupt(std::string("The vocabulary is invalid: ") + e.what() + ".");
    }
    return m;
}

// ============================================================ evaluation JSON

namespace {

// Writes the "metrics" object of an EvalReport into `w` (without closing it,
// so callers can append keys).
void write_metrics_fields(JsonWriter &w, const EvalReport &r, const std::vector<std::string> &labels,
                          const std::vector<std::string> &texts, const CalibrationReport *calibration) {
    auto label_name = [&](int i) -> const std::string * {
        return (i >= 0 && static_cast<size_t>(i) < labels.size()) ? &labels[static_cast<size_t>(i)] : nullptr;
    };
    w.key("rows").value(r.rows);
    w.key("accuracy").value(r.accuracy);
    w.key("precision").value(r.macro_precision);
    w.key("recall").value(r.macro_recall);
    w.key("f1").value(r.macro_f1);
    w.key("macro_precision").value(r.macro_precision);
    w.key("macro_recall").value(r.macro_recall);
    w.key("macro_f1").value(r.macro_f1);
    w.key("per_intent").begin_object();
    for (size_t c = 0; c < r.per_class.size() && c < labels.size(); ++c) {
        const auto &m = r.per_class[c];
        w.key(labels[c]).begin_object();
        w.key("precision").value(m.precision);
        w.key("recall").value(m.recall);
        w.key("f1").value(m.f1);
        w.key("support").value(m.support);
        w.end_object();
    }
    w.end_object();
    w.key("confusion").begin_object();
    w.key("labels").begin_array();
    for (const auto &l : labels)
        w.value(l);
    w.end_array();
    w.key("matrix").begin_array();
    for (const auto &row : r.confusion) {
        w.begin_array();
        for (size_t v : row)
            w.value(v);
        w.end_array();
    }
    w.end_array();
    w.end_object();
    w.key("misclassified").begin_array();
    for (const auto &m : r.misclassified) {
        w.begin_object();
        w.key("text");
        if (m.row < texts.size())
            w.value(texts[m.row]);
        else
            w.null();
        w.key("expected");
        if (const std::string *s = label_name(m.truth))
            w.value(*s);
        else
            w.null();
        w.key("predicted");
        if (const std::string *s = label_name(m.predicted))
            w.value(*s);
        else
            w.null();
        w.key("confidence").value(static_cast<double>(m.confidence));
        w.end_object();
    }
    w.end_array();
    w.key("unknown_truth").value(r.unknown_truth);
    if (calibration) {
        w.key("calibration").begin_object();
        w.key("ece").value(calibration->ece);
        w.key("brier").value(calibration->brier);
        w.end_object();
    }
}

} // namespace

std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<std::string> &texts, const CalibrationReport *calibration) {
    JsonWriter w;
    w.begin_object();
    write_metrics_fields(w, report, labels, texts, calibration);
    w.end_object();
    return w.take();
}

EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration) {
    if (texts.size() != truth.size())
        throw Error(ErrorKind::InvalidArgument, "texts and labels differ in length",
                    "Every evaluated text needs exactly one expected label.");
    const auto &labels = model.labels();
    const size_t k = labels.size();
    std::unordered_map<std::string, int> index;
    for (size_t c = 0; c < k; ++c)
        index.emplace(labels[c], static_cast<int>(c));
    std::vector<int> y(texts.size()), pred(texts.size());
    std::vector<float> conf(texts.size());
    std::vector<float> all_probs;
    if (calibration) all_probs.reserve(texts.size() * k);
    PredictScratch scratch;
    for (size_t i = 0; i < texts.size(); ++i) {
        auto it = index.find(truth[i]);
        y[i] = it == index.end() ? -1 : it->second;
        model.probabilities(texts[i], scratch);
        size_t best = argmax(scratch.probs.data(), k);
        pred[i] = static_cast<int>(best);
        conf[i] = scratch.probs[best];
        if (calibration) all_probs.insert(all_probs.end(), scratch.probs.begin(), scratch.probs.begin() + k);
    }
    EvalReport r = evaluate(y, pred, conf, k);
    if (r.misclassified.size() > model.options().max_misclassified)
        r.misclassified.resize(model.options().max_misclassified);
    if (calibration) *calibration = calibration_report(all_probs, k, y);
    return r;
}

// ============================================================ training

std::string TrainReport::to_json(const IntentModel &model) const {
    const auto &labels = model.labels();
    JsonWriter w;
    w.begin_object();
    w.key("input_rows").value(data.input_rows);
    w.key("training_samples").value(data.train.size());
    w.key("validation_samples").value(data.val.size());
    w.key("test_samples").value(data.test.size());
    w.key("total_intents").value(labels.size());
    w.key("intents").begin_array();
    for (const auto &l : labels)
        w.value(l);
    w.end_array();
    w.key("small_classes").begin_array();
    for (const auto &l : data.small_classes)
        w.value(l);
    w.end_array();
    w.key("duplicates_removed").value(data.duplicates_removed);
    w.key("conflicts_resolved").value(data.conflicts_resolved);
    w.key("empty_removed").value(data.empty_removed);
    w.key("algorithm").value(algorithm_name(model.algorithm()));
    w.key("features").value(model.num_features());

    w.key("threshold").begin_object();
    w.key("value").value(static_cast<double>(threshold.threshold));
    w.key("precision").value(threshold.precision);
    w.key("coverage").value(threshold.coverage);
    w.key("target_precision").value(model.options().target_precision);
    w.key("target_reached").value(threshold.target_reached);
    w.end_object();

    std::vector<std::string> val_texts, test_texts;
    val_texts.reserve(data.val.size());
    for (size_t i : data.val)
        val_texts.push_back(data.texts[i]);
    test_texts.reserve(data.test.size());
    for (size_t i : data.test)
        test_texts.push_back(data.texts[i]);

    w.key("validation").begin_object();
    write_metrics_fields(w, validation, labels, val_texts, nullptr);
    w.end_object();

    w.key("metrics").begin_object();
    write_metrics_fields(w, test, labels, test_texts, &test_calibration);
    w.key("coverage").value(test_coverage);
    w.key("accepted_accuracy").value(test_accepted_accuracy);
    w.end_object();

    w.key("timings").begin_object();
    w.key("features").value(seconds_features);
    w.key("train").value(seconds_train);
    w.key("calibrate").value(seconds_calibrate);
    w.key("evaluate").value(seconds_evaluate);
    w.end_object();

    w.key("options").raw(model.options().to_json());
    w.end_object();
    return w.take();
}

TrainedModel train_model(const std::vector<LabeledText> &rows, const ModelOptions &options,
                         const TrainCallbacks &callbacks) {
    using clock = std::chrono::steady_clock;
    options.validate();
    TrainReport report;

    // --- prepare + features
    auto t0 = clock::now();
    callbacks.report("features", 0, 3);
    report.data = prepare_dataset(rows, options.features.text, options.split, &callbacks);
    PreparedDataset &d = report.data;
    const size_t k = d.labels.size();
    if (k < 2)
        throw Error(ErrorKind::InsufficientData, "not enough intents to train",
                    "Training needs at least 2 distinct intents but the data has " + std::to_string(k) + ".",
                    "Add labelled examples for more intents.");
    if (d.train.empty())
        throw Error(ErrorKind::InsufficientData, "no training rows",
                    "No usable training rows remain after cleaning.");
    callbacks.check_cancel();

    std::vector<std::string> train_texts;
    train_texts.reserve(d.train.size());
    for (size_t i : d.train)
        train_texts.push_back(d.texts[i]);
    // One pass over the training texts: counting the n-grams also records
    // each row's grams, so the texts are not normalised and hashed twice.
    SparseMatrix X;
    Vectorizer vec = Vectorizer::fit_transform(train_texts, options.features, X, &callbacks);
    callbacks.report("features", 1, 3);
    callbacks.check_cancel();
    train_texts = {}; // free the copies before the learner's peak
    callbacks.report("features", 2, 3);
    callbacks.check_cancel();
    const bool have_val = !d.val.empty();
    SparseMatrix Xval;
    if (have_val) Xval = transform_rows(vec, d, d.val, callbacks);
    callbacks.report("features", 3, 3);
    report.seconds_features = seconds_since(t0);

    // --- train
    t0 = clock::now();
    std::vector<int> y(d.train.size());
    std::vector<float> sw(d.train.size());
    for (size_t i = 0; i < d.train.size(); ++i) {
        y[i] = d.y[d.train[i]];
        sw[i] = d.weight[d.train[i]];
    }
    LinearWeights weights = train_one_vs_rest(X, y, k, sw, options.learner, callbacks);
    report.seconds_train = seconds_since(t0);

    // --- calibrate on val decision scores of the quantised weights (the
    // values the model will serve with), falling back to train scores.
    t0 = clock::now();
    callbacks.report("calibrate", 0, k);
    std::vector<int16_t> q;
    std::vector<float> scale;
    quantize(weights, q, scale);
    const size_t stride = padded(k);
    std::vector<float> bias(stride, 0.0f);
    std::copy(weights.bias.begin(), weights.bias.end(), bias.begin());
    const SparseMatrix &Xc = have_val ? Xval : X;
    std::vector<int> yc;
    if (have_val) {
        yc.reserve(d.val.size());
        for (size_t i : d.val)
            yc.push_back(d.y[i]);
    } else {
        yc = y;
    }
    const size_t nc = Xc.rows();
    std::vector<float> raw(nc * k); // row-major scores
    {
        SparseVector row;
        std::vector<float> buf(stride);
        for (size_t r = 0; r < nc; ++r) {
            row.index.assign(Xc.col.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r]),
                             Xc.col.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r + 1]));
            row.value.assign(Xc.val.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r]),
                             Xc.val.begin() + static_cast<std::ptrdiff_t>(Xc.row_ptr[r + 1]));
            score_row(row, q.data(), stride, scale.data(), bias.data(), k, buf.data());
            std::copy(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k),
                      raw.begin() + static_cast<std::ptrdiff_t>(r * k));
        }
    }
    std::vector<PlattParams> platt(k);
    {
        std::vector<float> s(nc);
        std::vector<bool> pos(nc);
        for (size_t c = 0; c < k; ++c) {
            for (size_t r = 0; r < nc; ++r) {
                s[r] = raw[r * k + c];
                pos[r] = yc[r] == static_cast<int>(c);
            }
            platt[c] = fit_platt(s, pos);
            if ((c & 15) == 15) {
                callbacks.report("calibrate", c + 1, k);
                callbacks.check_cancel();
            }
        }
    }
    // Threshold on the calibrated val predictions.
    if (have_val) {
        std::vector<float> probs(k), conf(nc);
        std::vector<int> pred(nc);
        std::vector<bool> correct(nc);
        for (size_t r = 0; r < nc; ++r) {
            calibrated_probabilities(platt, raw.data() + r * k, probs.data());
            size_t best = argmax(probs.data(), k);
            pred[r] = static_cast<int>(best);
            conf[r] = probs[best];
            correct[r] = pred[r] == yc[r];
        }
        report.threshold = choose_threshold(conf, correct, options.target_precision);
        report.validation = evaluate(yc, pred, conf, k);
        if (report.validation.misclassified.size() > options.max_misclassified)
            report.validation.misclassified.resize(options.max_misclassified);
    } else {
        report.threshold = ThresholdChoice{};
    }
    callbacks.report("calibrate", k, k);
    report.seconds_calibrate = seconds_since(t0);

    IntentModel model = IntentModel::assemble(options, std::move(vec), d.labels, weights, std::move(platt),
                                              report.threshold.threshold);

    // --- evaluate on test through the serving path
    t0 = clock::now();
    const size_t nt = d.test.size();
    callbacks.report("evaluate", 0, nt);
    std::vector<int> yt(nt), pt(nt);
    std::vector<float> ct(nt), probs_t;
    probs_t.reserve(nt * k);
    PredictScratch scratch;
    size_t accepted = 0, accepted_correct = 0;
    for (size_t i = 0; i < nt; ++i) {
        yt[i] = d.y[d.test[i]];
        model.probabilities(d.texts[d.test[i]], scratch);
        size_t best = argmax(scratch.probs.data(), k);
        pt[i] = static_cast<int>(best);
        ct[i] = scratch.probs[best];
        probs_t.insert(probs_t.end(), scratch.probs.begin(),
                       scratch.probs.begin() + static_cast<std::ptrdiff_t>(k));
        if (ct[i] >= model.threshold()) {
            ++accepted;
            accepted_correct += pt[i] == yt[i];
        }
        if ((i & 255) == 255) {
            callbacks.report("evaluate", i + 1, nt);
            callbacks.check_cancel();
        }
    }
    report.test = evaluate(yt, pt, ct, k);
    if (report.test.misclassified.size() > options.max_misclassified)
        report.test.misclassified.resize(options.max_misclassified);
    report.test_calibration = calibration_report(probs_t, k, yt);
    report.test_coverage = nt ? static_cast<double>(accepted) / static_cast<double>(nt) : 0.0;
    report.test_accepted_accuracy =
        accepted ? static_cast<double>(accepted_correct) / static_cast<double>(accepted) : 0.0;
    callbacks.report("evaluate", nt, nt);
    report.seconds_evaluate = seconds_since(t0);

    return TrainedModel{std::move(model), std::move(report)};
}

} // namespace intent
