// The counting pass of fit() (gram_counter.h).
#include "gram_counter.h"

#include "linear.h" // TrainCallbacks
#include "vectorizer_internal.h"

namespace intent {
namespace vectorizer_internal {

// Normalises each text in turn and counts the document frequency of each of
// its word and char n-grams. Only the counter's distinct n-grams are kept,
// never the texts.
void count_grams(const std::vector<std::string> &texts, const FeatureOptions &options,
                 const TrainCallbacks *callbacks, GramCounter &counter, const std::vector<uint32_t> *groups) {
    std::string doc;
    std::vector<std::string_view> tokens;
    for (size_t d = 0; d < texts.size(); ++d) {
        if (callbacks && (d & kCancelPollMask) == 0) callbacks->check_cancel();
        if (groups) counter.set_group((*groups)[d]);
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

} // namespace vectorizer_internal
} // namespace intent
