// Prediction on one long message: time and the memory it adds. Loads a
// model (pg-intent train --model M.bin), builds a message of MB megabytes
// by repeating CLINC150 val texts, predicts it once, and prints seconds and
// the growth of peak RSS over the RSS before the call. Built against an
// older tree, it measures that tree's prediction the same way.
//
//   long_message MODEL.bin MB [CANCEL_AFTER_S]
//
// With CANCEL_AFTER_S (new trees only), scratch.vec.cancelled starts
// answering true after that many seconds; the program prints how long the
// call took to stop after the first true.
#include "bench_data.h"
#include "errors.h"
#include "model.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>

namespace {

double rss_mb(const char *field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0) return std::atof(line.c_str() + std::strlen(field)) / 1024.0;
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL.bin MB [CANCEL_AFTER_S]\n", argv[0]);
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    const std::string blob((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const intent::IntentModel model =
        intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(blob.data()), blob.size());
    const size_t bytes = static_cast<size_t>(std::atof(argv[2]) * 1024 * 1024);
    const bench::Split val = bench::load_split("clinc150_dev.csv", "val");
    std::string text;
    text.reserve(bytes + 256);
    for (size_t i = 0; text.size() < bytes; ++i)
        text += val.texts[i % val.texts.size()] + ". ";
    intent::PredictScratch scratch;
    model.predict("warm up", 3, scratch);
#ifdef INTENT_CANCEL_HOOK
    if (argc == 4) {
        using clock = std::chrono::steady_clock;
        const double after = std::atof(argv[3]);
        const auto start = clock::now();
        scratch.vec.cancelled = [&] {
            return std::chrono::duration<double>(clock::now() - start).count() >= after;
        };
        try {
            model.predict(text, 3, scratch);
            std::printf("{\"cancelled\": false}\n");
        } catch (const intent::Error &e) {
            // From the moment the hook would first say yes to the throw:
            // the wait for the next poll plus the unwinding.
            const double late_ms =
                std::chrono::duration<double, std::milli>(clock::now() - start).count() - after * 1000.0;
            std::printf(
                "{\"message_mb\": %.1f, \"cancel_after_s\": %.3f, \"stopped_ms_after_deadline\": %.3f, "
                "\"error\": \"%s\"}\n",
                static_cast<double>(text.size()) / (1024.0 * 1024.0), after, late_ms, e.what());
        }
        return 0;
    }
#endif
    const double before = rss_mb("VmRSS:");
    const auto t0 = std::chrono::steady_clock::now();
    const intent::Prediction p = model.predict(text, 3, scratch);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double peak = rss_mb("VmHWM:");
    std::printf("{\"message_mb\": %.1f, \"seconds\": %.3f, \"peak_rss_growth_mb\": %.1f, \"label\": \"%s\", "
                "\"confidence\": %.9g}\n",
                static_cast<double>(text.size()) / (1024.0 * 1024.0), seconds, peak - before,
                model.labels()[static_cast<size_t>(p.label)].c_str(), static_cast<double>(p.confidence));
    return 0;
}
