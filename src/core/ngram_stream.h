// The n-grams of text that arrives in pieces, for transform_one.
#pragma once

#include "ngrams.h"

namespace intent {
namespace vectorizer_internal {

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
// rather than check on every occurrence. With word_ngram_min 1, a token's
// word unigram goes to emit.word(hash) instead, once per token, so that the
// sink can count the message's words and the ones it does not know
// (novelty.h); the sink still treats it as an occurrence.
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
        int k = wmin_;
        if (k == 1) {
            emit.word(finish(word_[0]));
            ++k;
        }
        for (; k <= words_; ++k)
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

} // namespace vectorizer_internal
} // namespace intent
