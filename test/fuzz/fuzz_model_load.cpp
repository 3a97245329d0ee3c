// libFuzzer target for the model loader: any byte string must either load
// or throw intent::Error(CorruptModel), never crash, read out of bounds or
// allocate beyond what the input describes.
#include "crc32c.h"
#include "errors.h"
#include "model.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Loads `data`; a model that loads must also predict and re-serialise.
void try_load(const uint8_t *data, size_t size) {
    try {
        intent::IntentModel m = intent::IntentModel::deserialize(data, size);
        intent::PredictScratch scratch;
        intent::Prediction p = m.predict("hola, ¿dónde está mi pedido? 123", 3, scratch);
        if (p.label < 0 || static_cast<size_t>(p.label) >= m.labels().size()) std::abort();
        if (!(p.confidence >= 0.0f && p.confidence <= 1.0f)) std::abort();
        // What else a loaded model serves: every top_intents entry
        // (pg_intent.top_k goes to 1000), classify_intent() and
        // explain_intent() with its largest p_top, for the predicted and
        // for a named intent, on an empty, an unknown and a long message.
        std::string long_message;
        for (int i = 0; i < 2000; ++i)
            long_message += "Quiero DEVOLVER el pedido ñandú 😀 ";
        for (std::string_view text :
             {std::string_view(""), std::string_view("zzzz qqqq 7"), std::string_view(long_message)}) {
            intent::Prediction all = m.predict(text, 1000, scratch);
            if (all.top.size() > m.labels().size()) std::abort();
            if (m.classify(text, scratch) >= static_cast<int>(m.labels().size())) std::abort();
            for (int label : {-1, static_cast<int>(m.labels().size()) - 1}) {
                intent::Explanation e = m.explain(text, label, 1000, scratch);
                if (e.label < 0 || static_cast<size_t>(e.label) >= m.labels().size()) std::abort();
            }
        }
        std::string again = m.serialize();
        intent::IntentModel m2 =
            intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(again.data()), again.size());
        if (m2.serialize() != again) std::abort(); // serialisation is canonical after one round trip
    } catch (const intent::Error &e) {
        // Text errors cannot happen for the fixed valid-UTF-8 message above.
        if (e.kind() != intent::ErrorKind::CorruptModel) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try_load(data, size);
    // Most mutations die at the checksum; also try the input with its CRC
    // repaired so the fuzzer reaches the section parsers.
    if (size >= 4) {
        std::vector<uint8_t> fixed(data, data + size);
        uint32_t crc = intent::crc32c(fixed.data(), size - 4);
        for (int i = 0; i < 4; ++i)
            fixed[size - 4 + static_cast<size_t>(i)] = static_cast<uint8_t>(crc >> (8 * i));
        try_load(fixed.data(), fixed.size());
    }
    return 0;
}
