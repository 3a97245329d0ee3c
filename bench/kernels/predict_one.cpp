// One IntentModel::predict() per message, timed, or every prediction dumped
// bit for bit: to compare two builds of the core on the same model file
// (only public API that 0.2.0's core has, so it builds against an older
// checkout's libintent_core.a too; bench/results/2026-11-23-vm-predict-path.md).
//
//   predict_one MODEL.bin MESSAGES.txt dump
//       label, confidence (%a), uncertain, classify() and the top-k (index:%a)
//       of every message (one per line) at top_k 1, 3 and 150
//   predict_one MODEL.bin MESSAGES.txt time ITERATIONS POLLUTE_KB TOP_K
//       median [p25 p75] ns of predict() over ITERATIONS calls cycling
//       through the messages; with POLLUTE_KB > 0 a buffer of that size is
//       written before each call, so the model's tables come from L3 or
//       memory as between two statements in the database
//
// A model file: pg-intent train --data clinc150_dev.csv --model clinc.bin
#include "model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s MODEL MESSAGES dump | time ITERATIONS POLLUTE_KB TOP_K\n", argv[0]);
        return 2;
    }
    std::ifstream f(argv[1], std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string bytes = ss.str();
    const intent::IntentModel m =
        intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    std::vector<std::string> messages;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);)
        messages.push_back(line);
    if (messages.empty()) return 2;
    const std::string mode = argv[3];
    intent::PredictScratch s;
    if (mode == "dump") {
        for (size_t k : {size_t{1}, size_t{3}, size_t{150}})
            for (const std::string &t : messages) {
                const intent::Prediction p = m.predict(t, k, s);
                std::printf("%d %a %d %d |", p.label, static_cast<double>(p.confidence), p.uncertain ? 1 : 0,
                            m.classify(t, s));
                for (const auto &e : p.top)
                    std::printf(" %d:%a", e.first, static_cast<double>(e.second));
                std::printf("\n");
            }
        return 0;
    }
    if (mode != "time" || argc < 7) return 2;
    const size_t iterations = std::strtoul(argv[4], nullptr, 10), kb = std::strtoul(argv[5], nullptr, 10),
                 top_k = std::strtoul(argv[6], nullptr, 10);
    std::vector<char> junk(kb * 1024 + 64, 1);
    std::vector<double> ns;
    ns.reserve(iterations);
    size_t sink = 0;
    for (size_t i = 0; i < iterations; ++i) {
        const std::string &t = messages[i % messages.size()];
        if (kb)
            for (size_t j = 0; j < junk.size(); j += 64)
                junk[j]++;
        const auto t0 = std::chrono::steady_clock::now();
        const intent::Prediction p = m.predict(t, top_k, s);
        const auto t1 = std::chrono::steady_clock::now();
        sink += static_cast<size_t>(p.label);
        ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    std::sort(ns.begin(), ns.end());
    std::printf("median %.0f ns [p25 %.0f, p75 %.0f] (labels %zu)\n", ns[ns.size() / 2], ns[ns.size() / 4],
                ns[3 * ns.size() / 4], sink);
    return 0;
}
