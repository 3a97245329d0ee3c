// The bundled CSV data (data/*.csv) as the unit tests read it: one loader,
// shared by the tests that compare implementations on real texts.
#pragma once

#include "../../src/cli/csv.h"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace bundled {

// The rows of data/<name>.
inline std::vector<intent_cli::CsvRow> rows(const char *name) {
    std::ifstream in(std::string(INTENT_SOURCE_DIR "/data/") + name, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return intent_cli::read_intent_csv(data);
}

// Every text of the three bundled datasets (Spanish e-commerce, nlp.js
// Spanish, a CLINC150 subset), in file order.
inline std::vector<std::string> texts() {
    std::vector<std::string> out;
    for (const char *name : {"ecommerce_es.csv", "nlpjs_corpus50_es.csv", "clinc150_small.csv"})
        for (const auto &row : rows(name))
            out.push_back(row.text);
    return out;
}

} // namespace bundled
