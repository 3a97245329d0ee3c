// Subword skipgram vectors: vocabulary, training, and a text's vector.
#include "subword_vectors.h"

#include "dataset.h"
#include "errors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace intent {

namespace {

// The core's generator (Rng, dataset.h: splitmix64, the same sequence on
// every standard library, which std::uniform_*_distribution is not), read
// as a double: uniform in [0, 1).
double uniform(Rng &rng) {
    return static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0);
}
// Uniform in [0, n), from uniform().
uint32_t uniform_below(Rng &rng, uint32_t n) {
    return static_cast<uint32_t>(uniform(rng) * n);
}

uint32_t fnv1a(std::string_view s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

float sigmoid(float x) {
    if (x > 8.f) return 1.f;
    if (x < -8.f) return 0.f;
    return 1.f / (1.f + std::exp(-x));
}

void words_of(std::string_view text, const TextOptions &options, std::string &normalized,
              std::vector<std::string_view> &tokens) {
    normalized.clear();
    tokens.clear();
    normalize_append(text, options, normalized);
    split_tokens(normalized, tokens);
}

} // namespace

bool SubwordOptions::operator==(const SubwordOptions &o) const {
    return dim == o.dim && epochs == o.epochs && buckets == o.buckets && learning_rate == o.learning_rate &&
           min_n == o.min_n && max_n == o.max_n && window == o.window && negatives == o.negatives &&
           sample == o.sample && seed == o.seed;
}

void SubwordVectors::validate(const SubwordOptions &o) {
    auto bad = [](const std::string &what) { throw Error(ErrorKind::InvalidArgument, what); };
    // The option ranges are the header's constants, which the option
    // parser reads too.
    auto between = [](uint32_t lo, uint32_t hi) {
        return "between " + std::to_string(lo) + " and " + std::to_string(hi);
    };
    if (o.dim < kMinDim || o.dim > kMaxDim) bad("subword dim must be " + between(kMinDim, kMaxDim));
    if (o.epochs < kMinEpochs || o.epochs > kMaxEpochs)
        bad("subword epochs must be " + between(kMinEpochs, kMaxEpochs));
    if (o.buckets < kMinBuckets || o.buckets > kMaxBuckets)
        bad("subword buckets must be " + between(kMinBuckets, kMaxBuckets));
    if (!(o.learning_rate > 0 && o.learning_rate <= kMaxLearningRate))
        bad("subword learning_rate must be above 0 and at most " + number_arg(kMaxLearningRate));
    if (o.min_n < kMinN || o.max_n > kMaxN || o.min_n > o.max_n)
        bad("subword n-gram lengths must satisfy " + std::to_string(kMinN) +
            " <= min_n <= max_n <= " + std::to_string(kMaxN));
    if (o.window < 1 || o.window > 20) bad("subword window must be between 1 and 20");
    if (o.negatives < 1 || o.negatives > 50) bad("subword negatives must be between 1 and 50");
    if (!(o.sample >= 0 && o.sample <= 1)) bad("subword sample must be between 0 and 1");
    // Room for the buckets and at least one word in both tables.
    if ((size_t{o.buckets} + 2) * o.dim > kMaxTableFloats)
        bad("subword buckets x dim exceeds the table cap of " + std::to_string(kMaxTableFloats) + " floats");
}

void SubwordVectors::index_words() {
    ids_.clear();
    ids_.reserve(words_.size());
    for (size_t i = 0; i < words_.size(); ++i)
        ids_.emplace(words_[i], static_cast<int32_t>(i));
}

void SubwordVectors::rows_of(std::string_view word, int32_t id, std::vector<uint32_t> &rows) const {
    rows.clear();
    if (id >= 0) rows.push_back(static_cast<uint32_t>(id));
    std::string bracketed;
    bracketed.reserve(word.size() + 2);
    bracketed += '<';
    bracketed.append(word);
    bracketed += '>';
    // Code-point starts, plus the end.
    std::vector<size_t> starts;
    for (size_t i = 0; i < bracketed.size(); ++i)
        if ((static_cast<unsigned char>(bracketed[i]) & 0xC0) != 0x80) starts.push_back(i);
    const size_t chars = starts.size();
    starts.push_back(bracketed.size());
    const uint32_t base = static_cast<uint32_t>(words_.size());
    for (size_t i = 0; i < chars; ++i) {
        for (size_t n = options_.min_n; n <= options_.max_n && i + n <= chars; ++n) {
            if (n == 1 && (i == 0 || i + 1 == chars)) continue; // "<" or ">" alone
            const std::string_view gram(bracketed.data() + starts[i], starts[i + n] - starts[i]);
            rows.push_back(base + fnv1a(gram) % options_.buckets);
        }
    }
}

SubwordVectors SubwordVectors::train(const std::vector<std::string> &texts, const SubwordOptions &options,
                                     const TextOptions &text, const std::function<bool()> &cancelled) {
    return train(std::vector<const std::vector<std::string> *>{&texts}, options, text, cancelled, nullptr);
}

SubwordVectors SubwordVectors::train(const std::vector<const std::vector<std::string> *> &parts,
                                     const SubwordOptions &options, const TextOptions &text,
                                     const std::function<bool()> &cancelled, MemoryBudget *budget) {
    validate(options);
    SubwordVectors v;
    v.options_ = options;
    v.text_ = text;
    const size_t dim = options.dim;
    auto each_text = [&parts](auto &&f) {
        for (const std::vector<std::string> *part : parts)
            for (const std::string &t : *part)
                f(t);
    };
    size_t text_count = 0;
    for (const std::vector<std::string> *part : parts)
        text_count += part->size();

    // Count the words; keep the most frequent that fit the cap (ties by the
    // word's bytes, so the order does not depend on the hash map). Every
    // new word is charged before it is added: its entry and characters.
    using CountEntry = std::pair<const std::string, uint64_t>;
    MemoryCharge counts_charge(budget);
    std::unordered_map<std::string, uint64_t> counts;
    size_t words_heap = 0; // the counted words' characters
    std::string normalized;
    std::vector<std::string_view> tokens;
    each_text([&](const std::string &t) {
        words_of(t, text, normalized, tokens);
        for (std::string_view w : tokens) {
            std::string word(w);
            auto it = counts.find(word);
            if (it == counts.end()) {
                counts_charge.add(hashed_entry_bytes<CountEntry>() + string_heap_bytes(word),
                                  "the subword word counts");
                words_heap += string_heap_bytes(word);
                it = counts.emplace(std::move(word), 0).first;
            }
            ++it->second;
        }
    });
    MemoryCharge vocab_charge(budget, counts.size() * sizeof(std::pair<std::string, uint64_t>) + words_heap,
                              "the subword vocabulary");
    std::vector<std::pair<std::string, uint64_t>> vocab(counts.begin(), counts.end());
    std::unordered_map<std::string, uint64_t>().swap(counts);
    counts_charge.reset();
    std::sort(vocab.begin(), vocab.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    const size_t max_words = (kMaxTableFloats / dim - options.buckets) / 2;
    if (vocab.size() > max_words) vocab.resize(max_words);
    // The words kept, their counts and their index (which copies them).
    size_t kept_heap = 0;
    for (const auto &entry : vocab)
        kept_heap += string_heap_bytes(entry.first);
    MemoryCharge words_charge(budget,
                              vocab.size() * (sizeof(std::string) + sizeof(uint64_t) +
                                              hashed_entry_bytes<std::pair<const std::string, int32_t>>()) +
                                  2 * kept_heap,
                              "the subword vocabulary");
    v.words_.reserve(vocab.size());
    std::vector<uint64_t> freq(vocab.size());
    for (size_t i = 0; i < vocab.size(); ++i) {
        v.words_.push_back(std::move(vocab[i].first));
        freq[i] = vocab[i].second;
    }
    std::vector<std::pair<std::string, uint64_t>>().swap(vocab);
    vocab_charge.reset();
    v.index_words();
    const size_t nwords = v.words_.size();
    if (nwords == 0) return v; // no word: untrained, every text's vector is zero
    // Both tables: the input rows (words and buckets) and the output rows.
    MemoryCharge tables_charge(budget, (2 * nwords + options.buckets) * dim * sizeof(float),
                               "the subword vectors");
    v.input_.assign((nwords + options.buckets) * dim, 0.f);

    Rng rng(options.seed ^ 0x5375627764566563ull);
    const float init = 1.f / static_cast<float>(dim);
    for (float &x : v.input_)
        x = static_cast<float>((uniform(rng) * 2 - 1) * init);

    // Texts as word ids (words cut by the cap are skipped), each line
    // charged before it is kept.
    MemoryCharge lines_charge(budget, text_count * sizeof(std::vector<int32_t>),
                              "the subword training texts");
    std::vector<std::vector<int32_t>> lines;
    lines.reserve(text_count);
    uint64_t ntokens = 0;
    std::vector<int32_t> ids;
    each_text([&](const std::string &t) {
        words_of(t, text, normalized, tokens);
        ids.clear();
        for (std::string_view w : tokens) {
            auto it = v.ids_.find(std::string(w));
            if (it != v.ids_.end()) ids.push_back(it->second);
        }
        lines_charge.add(ids.size() * sizeof(int32_t), "the subword training texts");
        ntokens += ids.size();
        lines.emplace_back(ids.begin(), ids.end());
    });
    // The order the texts are learned in is a function of the texts alone:
    // sorted (equal lines are interchangeable), then shuffled by a generator
    // of their own. The same texts give the same vectors however they were
    // read (a server reads texts logged together in no order of theirs; the
    // CLI in the file's), and the learning rate, which falls as the texts
    // go by, is not spent on one end of an order that groups similar texts.
    std::sort(lines.begin(), lines.end());
    {
        Rng order(options.seed ^ 0x4f72646572546578ull);
        for (size_t i = lines.size(); i > 1; --i)
            std::swap(lines[i - 1], lines[static_cast<size_t>(uniform(order) * static_cast<double>(i))]);
    }

    // Keep-probability per word (subsampling of frequent words), the
    // negative-sampling distribution (count^0.5) and each word's rows.
    MemoryCharge rows_charge(budget, nwords * (2 * sizeof(double) + sizeof(std::vector<uint32_t>)),
                             "the subword words' rows");
    std::vector<double> keep(nwords, 1.0);
    if (options.sample > 0)
        for (size_t i = 0; i < nwords; ++i) {
            const double f = static_cast<double>(freq[i]) / static_cast<double>(ntokens);
            keep[i] = std::sqrt(options.sample / f) + options.sample / f;
        }
    std::vector<double> cumulative(nwords);
    double total = 0;
    for (size_t i = 0; i < nwords; ++i)
        cumulative[i] = (total += std::sqrt(static_cast<double>(freq[i])));
    auto negative = [&]() {
        const double u = uniform(rng) * total;
        const size_t k = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) -
                                             cumulative.begin());
        return static_cast<int32_t>(std::min(k, nwords - 1));
    };
    std::vector<std::vector<uint32_t>> rows(nwords);
    std::vector<uint32_t> word_rows;
    for (size_t i = 0; i < nwords; ++i) {
        v.rows_of(v.words_[i], static_cast<int32_t>(i), word_rows);
        rows_charge.add(word_rows.size() * sizeof(uint32_t), "the subword words' rows");
        rows[i].assign(word_rows.begin(), word_rows.end());
    }

    std::vector<float> output(nwords * dim, 0.f);
    std::vector<float> hidden(dim), grad(dim);
    float *in = v.input_.data();
    auto update = [&](const std::vector<uint32_t> &input, int32_t target, float lr) {
        std::fill(hidden.begin(), hidden.end(), 0.f);
        for (uint32_t r : input)
            for (size_t k = 0; k < dim; ++k)
                hidden[k] += in[r * dim + k];
        const float scale = 1.f / static_cast<float>(input.size());
        for (size_t k = 0; k < dim; ++k)
            hidden[k] *= scale;
        std::fill(grad.begin(), grad.end(), 0.f);
        for (uint32_t n = 0; n <= options.negatives; ++n) {
            int32_t t = target;
            if (n > 0) {
                do
                    t = negative();
                while (t == target && nwords > 1);
                if (t == target) continue;
            }
            float *out = output.data() + static_cast<size_t>(t) * dim;
            float dot = 0;
            for (size_t k = 0; k < dim; ++k)
                dot += out[k] * hidden[k];
            const float a = lr * ((n == 0 ? 1.f : 0.f) - sigmoid(dot));
            for (size_t k = 0; k < dim; ++k) {
                grad[k] += a * out[k];
                out[k] += a * hidden[k];
            }
        }
        for (uint32_t r : input)
            for (size_t k = 0; k < dim; ++k)
                in[r * dim + k] += grad[k];
    };

    const double total_tokens = static_cast<double>(options.epochs) * static_cast<double>(ntokens);
    double processed = 0;
    std::vector<int32_t> kept;
    for (uint32_t epoch = 0; epoch < options.epochs; ++epoch) {
        for (const std::vector<int32_t> &line : lines) {
            if (cancelled && cancelled())
                throw Error(ErrorKind::Cancelled, "training of the subword vectors was cancelled");
            const float lr = static_cast<float>(options.learning_rate * (1.0 - processed / total_tokens));
            processed += static_cast<double>(line.size());
            kept.clear();
            for (int32_t w : line)
                if (keep[w] >= 1.0 || uniform(rng) < keep[w]) kept.push_back(w);
            const size_t n = kept.size();
            for (size_t w = 0; w < n; ++w) {
                const size_t b = 1 + uniform_below(rng, options.window);
                const size_t lo = w >= b ? w - b : 0, hi = std::min(n - 1, w + b);
                for (size_t c = lo; c <= hi; ++c)
                    if (c != w) update(rows[kept[w]], kept[c], lr);
            }
        }
    }
    return v;
}

SubwordVectors SubwordVectors::from_parts(const SubwordOptions &options, const TextOptions &text,
                                          std::vector<std::string> words, std::vector<float> input) {
    try {
        validate(options);
    } catch (const Error &e) {
        throw Error(ErrorKind::CorruptModel, std::string("corrupt model: ") + e.what());
    }
    const size_t max_words = (kMaxTableFloats / options.dim - options.buckets) / 2;
    if (words.size() > max_words ||
        (words.empty() ? !input.empty() : input.size() != (words.size() + options.buckets) * options.dim))
        throw Error(ErrorKind::CorruptModel,
                    "corrupt model: the subword table does not match its vocabulary");
    for (float x : input)
        if (!std::isfinite(x))
            throw Error(ErrorKind::CorruptModel, "corrupt model: non-finite subword vector");
    SubwordVectors v;
    v.options_ = options;
    v.text_ = text;
    v.words_ = std::move(words);
    v.input_ = std::move(input);
    v.index_words();
    if (v.ids_.size() != v.words_.size())
        throw Error(ErrorKind::CorruptModel, "corrupt model: a subword vocabulary word is repeated");
    return v;
}

void SubwordVectors::word_vector(std::string_view word, float *out) const {
    const size_t dim = options_.dim;
    std::fill(out, out + dim, 0.f);
    if (!trained()) return;
    auto it = ids_.find(std::string(word));
    std::vector<uint32_t> rows;
    rows_of(word, it == ids_.end() ? -1 : it->second, rows);
    if (rows.empty()) return;
    for (uint32_t r : rows)
        for (size_t k = 0; k < dim; ++k)
            out[k] += input_[r * dim + k];
    const float scale = 1.f / static_cast<float>(rows.size());
    for (size_t k = 0; k < dim; ++k)
        out[k] *= scale;
}

void SubwordVectors::text_vector(std::string_view text, float *out) const {
    const size_t dim = options_.dim;
    std::fill(out, out + dim, 0.f);
    if (!trained()) return;
    std::string normalized;
    std::vector<std::string_view> tokens;
    words_of(text, text_, normalized, tokens);
    std::vector<float> w(dim);
    size_t count = 0;
    for (std::string_view word : tokens) {
        word_vector(word, w.data());
        double norm = 0;
        for (float x : w)
            norm += static_cast<double>(x) * x;
        if (norm <= 0) continue;
        const float inv = static_cast<float>(1.0 / std::sqrt(norm));
        for (size_t k = 0; k < dim; ++k)
            out[k] += w[k] * inv;
        ++count;
    }
    if (count == 0) return;
    // The mean's direction: dividing by the count first changes nothing.
    double norm = 0;
    for (size_t k = 0; k < dim; ++k)
        norm += static_cast<double>(out[k]) * out[k];
    if (norm <= 0) {
        std::fill(out, out + dim, 0.f);
        return;
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (size_t k = 0; k < dim; ++k)
        out[k] *= inv;
}

} // namespace intent
