// Novelty scores from subword sentence vectors (issue 34, point 1; a study:
// nothing here is served). Built against the core's objects:
//   g++ -O2 -std=c++17 -Isrc/core bench/quality/subword_oos.cpp src/core/*.o -lpthread -o /tmp/subword_oos
// Usage: subword_oos TRAIN.tsv QUERY.txt DIM EPOCHS > SCORES.tsv
// TRAIN.tsv: "label<TAB>text" lines (the set's train split); QUERY.txt: one
// text per line. The vectors are trained on TRAIN's texts alone (no label),
// as core's subword_vectors option does. Prints one line per train row
// (leave one out: the row's own vector taken out of its label's centroid and
// of its neighbours), then one per query text:
//   centroid  1 - the largest cosine with a label's centroid (mean unit vector)
//   nn1       1 - the largest cosine with a train row
//   knn10     1 - the mean cosine of the 10 nearest train rows
//   the labels of the 10 nearest train rows, comma-separated ("-" for a
//   text without a vector), for the vote score (subword_oos.py)
#include "subword_vectors.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace intent;

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    std::vector<std::string> texts, labels, query;
    std::ifstream tf(argv[1]);
    for (std::string line; std::getline(tf, line);) {
        size_t tab = line.find('\t');
        labels.push_back(line.substr(0, tab));
        texts.push_back(line.substr(tab + 1));
    }
    std::ifstream qf(argv[2]);
    for (std::string line; std::getline(qf, line);)
        query.push_back(line);
    SubwordOptions o;
    o.dim = static_cast<uint32_t>(std::stoul(argv[3]));
    o.epochs = static_cast<uint32_t>(std::stoul(argv[4]));
    const SubwordVectors sv = SubwordVectors::train(texts, o, TextOptions{});
    const size_t d = o.dim, n = texts.size();
    std::vector<float> tv(n * d), qv(query.size() * d);
    for (size_t i = 0; i < n; ++i)
        sv.text_vector(texts[i], &tv[i * d]);
    for (size_t i = 0; i < query.size(); ++i)
        sv.text_vector(query[i], &qv[i * d]);
    std::map<std::string, size_t> ids;
    std::vector<size_t> lab(n);
    for (size_t i = 0; i < n; ++i)
        lab[i] = ids.emplace(labels[i], ids.size()).first->second;
    const size_t k = ids.size();
    std::vector<double> sum(k * d, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j)
            sum[lab[i] * d + j] += tv[i * d + j];
    auto scores = [&](const float *v, long self) {
        double best = -2;
        for (size_t c = 0; c < k; ++c) {
            double dot = 0, nn = 0;
            for (size_t j = 0; j < d; ++j) {
                double s = sum[c * d + j] - (self >= 0 && lab[self] == c ? tv[self * d + j] : 0.0);
                dot += s * v[j];
                nn += s * s;
            }
            if (nn > 0) best = std::max(best, dot / std::sqrt(nn));
        }
        std::vector<std::pair<float, size_t>> cos;
        cos.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            if (static_cast<long>(i) == self) continue;
            float dot = 0;
            for (size_t j = 0; j < d; ++j)
                dot += tv[i * d + j] * v[j];
            cos.emplace_back(dot, i);
        }
        const size_t kk = std::min<size_t>(10, cos.size());
        // Ties by row number: the same neighbours on every run.
        std::partial_sort(cos.begin(), cos.begin() + kk, cos.end(), [](const auto &a, const auto &b) {
            return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        double mean = 0;
        std::string near;
        for (size_t i = 0; i < kk; ++i) {
            mean += cos[i].first;
            near += (i ? "," : "") + labels[cos[i].second];
        }
        mean /= kk;
        bool zero = true;
        for (size_t j = 0; j < d; ++j)
            zero = zero && v[j] == 0;
        if (zero) return std::printf("1\t1\t1\t-\n");
        return std::printf("%.6f\t%.6f\t%.6f\t%s\n", 1 - best, 1 - static_cast<double>(cos[0].first),
                           1 - mean, near.c_str());
    };
    for (size_t i = 0; i < n; ++i)
        scores(&tv[i * d], static_cast<long>(i));
    for (size_t i = 0; i < query.size(); ++i)
        scores(&qv[i * d], -1);
    return 0;
}
