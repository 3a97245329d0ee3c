// The model's bytes: IntentModel::serialize(), in the layout of
// model_format.h (the loader is model_loader.cpp).
#include "model_format.h"
#include "model.h"

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

} // namespace

std::string IntentModel::serialize() const {
    const bool v1 = format_version_ == kLegacyFormatVersion;
    const size_t k = labels_.size(), n = columns(), nf = vectorizer_.num_features(), stride = padded(n);
    std::string out;
    out.reserve(64 + nf * n * 2 + nf * 16 + k * 64);
    out.append(kMagic, 8);
    put_u32(out, format_version_);

    std::string body;
    // Formats 1 and 2 keep the options JSON they were loaded with, byte for byte.
    put_string(body, format_version_ < kFormatVersion && !options_json_.empty() ? options_json_
                                                                                : options_.to_json());
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
    const size_t n_terms = vectorizer_.tfidf_features(); // nf less the subword block
    put_u32(body, static_cast<uint32_t>(n_terms));
    for (size_t f = 0; f < n_terms; ++f) {
        put_u8(body, static_cast<uint8_t>(kinds[f]));
        put_string(body, terms[f]);
    }
    put_section(out, kVocabulary, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(n_terms));
    for (float v : vectorizer_.idf())
        put_f32(body, v);
    put_section(out, kIdf, body);

    body.clear();
    body.reserve(8 + 4 * n + 2 * nf * n);
    put_u32(body, static_cast<uint32_t>(nf));
    put_u32(body, static_cast<uint32_t>(n));
    for (float s : scale_)
        put_f32(body, s);
    // Millions of weights: written through a pointer into the sized buffer,
    // which is faster than appending them byte by byte (the same bytes).
    const size_t weights_at = body.size();
    body.resize(weights_at + 2 * nf * n);
    char *w = body.data() + weights_at;
    for (size_t f = 0; f < nf; ++f)
        for (size_t c = 0; c < n; ++c) {
            uint16_t u = static_cast<uint16_t>(qweights_[f * stride + c]);
            *w++ = static_cast<char>(u & 0xFF);
            *w++ = static_cast<char>(u >> 8);
        }
    put_section(out, kWeights, body);

    body.clear();
    put_u32(body, static_cast<uint32_t>(n));
    for (size_t c = 0; c < n; ++c)
        put_f32(body, bias_[c]);
    put_section(out, kBias, body);

    if (v1) {
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
    } else {
        body.clear();
        put_u8(body, kCalibrationTemperature);
        put_f32(body, calibrator_.scale);
        put_section(out, kCalibration, body);

        body.clear();
        put_f32(body, threshold_);
        put_u32(body, static_cast<uint32_t>(k));
        for (float t : thresholds_)
            put_f32(body, t);
        put_section(out, kThresholds, body);

        body.clear();
        put_u8(body, has_oos_class_ ? kOosClass : kOosNoClass);
        put_string(body, oos_label_);
        put_section(out, kOutOfScope, body);

        if (checks_evidence()) {
            body.clear();
            put_f32(body, evidence_floor_);
            if (evidence_fields_ >= 2) put_f32(body, unknown_word_limit_);
            if (evidence_fields_ >= 3) {
                const bool learned = std::isfinite(support_floor_);
                put_u8(body, learned ? 1 : 0);
                if (learned) put_f32(body, support_floor_);
            }
            put_section(out, kEvidence, body);
        }
        if (has_subword_section()) {
            const SubwordVectors &sv = *vectorizer_.subword();
            body.clear();
            put_u32(body, static_cast<uint32_t>(sv.words().size()));
            for (const std::string &word : sv.words())
                put_string(body, word);
            put_u32(body, static_cast<uint32_t>(sv.input_table().size()));
            const size_t at = body.size();
            body.resize(at + 4 * sv.input_table().size());
            char *p = body.data() + at;
            for (float v : sv.input_table()) {
                uint32_t bits;
                std::memcpy(&bits, &v, 4);
                for (int i = 0; i < 4; ++i)
                    *p++ = static_cast<char>((bits >> (8 * i)) & 0xFF);
            }
            put_section(out, kSubword, body);
        }
        if (format_version_ == kLabelWordsFormatVersion) {
            body.clear();
            put_f32(body, label_words_.limit);
            put_u32(body, static_cast<uint32_t>(label_words_.words.size()));
            for (const std::vector<uint32_t> &words : label_words_.words) {
                put_u32(body, static_cast<uint32_t>(words.size()));
                for (uint32_t j : words)
                    put_u32(body, j);
            }
            put_section(out, kLabelWords, body);
        }
    }

    put_u32(out, crc32c(reinterpret_cast<const uint8_t *>(out.data()), out.size()));
    return out;
}

} // namespace intent
