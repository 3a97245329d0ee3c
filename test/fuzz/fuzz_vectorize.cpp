// libFuzzer target for the TF-IDF vectoriser. The first byte chooses an
// option set and a mode; the rest is the input.
//   transform: the input is one message (in some runs repeated past the
//     16 KiB piece size, so tokens and code points straddle pieces). The row
//     must equal, bit for bit, the 0.1.0 algorithm's (test/unit/
//     legacy_transform.h), or both must throw the same InvalidText error;
//     indices strictly increase below num_features, values are finite, and
//     L2 rows have unit norm. One scratch serves every run, so a call that
//     leaves it dirty shows up in later runs.
//   fit: the input, split on '\n', is a training set. fit_transform must
//     equal fit + transform (terms, kinds, idf bits, rows), from_parts must
//     rebuild the same vectoriser, or all must fail with the same
//     InvalidText / InsufficientData error.
#include "../unit/legacy_transform.h"
#include "errors.h"
#include "vectorizer.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using intent::FeatureOptions;
using intent::SparseMatrix;
using intent::SparseVector;
using intent::Vectorizer;

std::vector<FeatureOptions> option_sets() {
    std::vector<FeatureOptions> sets(4);
    sets[1].word_ngram_min = 2;
    sets[1].word_ngram_max = 4;
    sets[1].char_ngram_min = 1;
    sets[1].char_ngram_max = 10;
    sets[1].sublinear_tf = false;
    sets[1].text.normalize_digits = true;
    sets[2].char_ngrams = false;
    sets[2].word_ngram_max = 8;
    sets[2].l2_normalize = false;
    sets[2].text = intent::TextOptions{false, false};
    sets[3].char_ngram_min = 4;
    sets[3].char_ngram_max = 4;
    sets[3].min_df = 2;
    sets[3].max_features = 20;
    sets[3].max_char_features = 40;
    return sets;
}

// A vocabulary rich enough that fuzzed text hits features: Spanish and
// English phrases, accents, emoji, CJK, digits.
const std::vector<std::string> kCorpus = {"¿Dónde está mi pedido?",
                                          "quiero devolver el producto",
                                          "hola buenas tardes",
                                          "me cobraron dos veces",
                                          "where is my order",
                                          "I want a refund please",
                                          "cancel my subscription",
                                          "aaaa bbbb aaaa",
                                          "envío 48h a Madrid",
                                          "Straße ÆON Œuvre ñandú",
                                          "東京 大阪 東京",
                                          "😀 gracias 👍🏽 ok",
                                          "a b c d e f",
                                          "123 4567 89",
                                          "ȺȾ ȺȾ",
                                          "pedido pedido pedido"};

struct Fitted {
    std::vector<FeatureOptions> options = option_sets();
    std::vector<Vectorizer> vectorizers;
    std::vector<legacy::Transformer> legacy;
    Fitted() {
        for (const FeatureOptions &o : options)
            vectorizers.push_back(Vectorizer::fit(kCorpus, o));
        for (const Vectorizer &v : vectorizers)
            legacy.emplace_back(v);
    }
};

// "" when no error, else kind and detail.
template <class Fn> std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const intent::Error &e) {
        if (e.kind() != intent::ErrorKind::InvalidText && e.kind() != intent::ErrorKind::InsufficientData)
            std::abort();
        return std::to_string(static_cast<int>(e.kind())) + e.detail();
    }
    return "";
}

bool same_row(const SparseVector &a, const SparseVector &b) {
    return a.index == b.index && a.value.size() == b.value.size() &&
           (a.value.empty() ||
            std::memcmp(a.value.data(), b.value.data(), a.value.size() * sizeof(float)) == 0);
}

void check_row(const SparseVector &row, const Vectorizer &v) {
    if (row.index.size() != row.value.size()) std::abort();
    double sum_sq = 0;
    for (size_t i = 0; i < row.index.size(); ++i) {
        if (row.index[i] >= v.num_features()) std::abort();
        if (i > 0 && row.index[i] <= row.index[i - 1]) std::abort();
        if (!std::isfinite(row.value[i]) || row.value[i] <= 0) std::abort();
        sum_sq += static_cast<double>(row.value[i]) * row.value[i];
    }
    if (v.options().l2_normalize && !row.index.empty() && std::fabs(sum_sq - 1.0) > 1e-4) std::abort();
}

void fuzz_transform(const Fitted &f, size_t which, std::string text) {
    static intent::VectorizerScratch scratch; // shared across runs on purpose
    const Vectorizer &v = f.vectorizers[which];
    SparseVector a, b;
    const std::string ea = error_of([&] { f.legacy[which].transform_one(text, a); });
    const std::string eb = error_of([&] { v.transform_one(text, b, scratch); });
    if (ea != eb) std::abort();
    if (!ea.empty()) return;
    if (!same_row(a, b)) std::abort();
    check_row(b, v);
}

void fuzz_fit(const FeatureOptions &o, const std::string &input) {
    std::vector<std::string> texts;
    size_t start = 0;
    for (size_t i = 0; i <= input.size(); ++i)
        if (i == input.size() || input[i] == '\n') {
            texts.push_back(input.substr(start, i - start));
            start = i + 1;
        }
    Vectorizer a, b;
    SparseMatrix ma, mb;
    const std::string ea = error_of([&] {
        a = Vectorizer::fit(texts, o);
        ma = a.transform(texts);
    });
    const std::string eb = error_of([&] { b = Vectorizer::fit_transform(texts, o, mb); });
    if (ea != eb) std::abort();
    if (!ea.empty()) return;
    if (a.terms() != b.terms() || a.kinds() != b.kinds() || a.idf() != b.idf()) std::abort();
    if (ma.row_ptr != mb.row_ptr || ma.col != mb.col || ma.val != mb.val || ma.cols != mb.cols) std::abort();
    for (size_t t = 0; t < a.num_features(); ++t)
        if (a.terms()[t].empty() || !std::isfinite(a.idf()[t]) || a.idf()[t] < 1.0f) std::abort();
    Vectorizer c = Vectorizer::from_parts(o, a.terms(), a.kinds(), a.idf());
    if (c.transform(texts).val != ma.val) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const Fitted fitted;
    if (size == 0 || size > 4096) return 0;
    const uint8_t control = data[0];
    const size_t which = control & 3;
    std::string input(reinterpret_cast<const char *>(data + 1), size - 1);
    if (control & 4) {
        fuzz_fit(fitted.options[which], input);
        return 0;
    }
    if ((control & 0xF8) == 0xF8 && !input.empty()) {
        // Long message: repeat past two piece boundaries.
        const std::string unit = input;
        while (input.size() < 2 * Vectorizer::kPieceBytes + 100)
            input += unit;
    }
    fuzz_transform(fitted, which, input);
    return 0;
}
