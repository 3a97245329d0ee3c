// Loading the shared benchmark datasets (split,text,intent CSV) for the
// kernel benchmarks. Looked up in $INTENT_DATASETS, then ../shared/datasets
// beside the repository, then /work/shared/datasets (as bench/bench.py does).
#pragma once

#include "../../src/cli/csv.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

struct Split {
    std::vector<std::string> texts;
    std::vector<int> y;
    std::vector<std::string> labels; // y indexes this (sorted)
};

inline std::string dataset_path(const std::string &file) {
    std::vector<std::string> dirs;
    if (const char *env = std::getenv("INTENT_DATASETS")) dirs.emplace_back(env);
#ifdef INTENT_SOURCE_DIR
    dirs.emplace_back(std::string(INTENT_SOURCE_DIR) + "/../shared/datasets");
#endif
    dirs.emplace_back("/work/shared/datasets");
    for (const auto &d : dirs)
        if (std::filesystem::exists(d + "/" + file)) return d + "/" + file;
    throw std::runtime_error("dataset " + file + " not found (set INTENT_DATASETS)");
}

// Rows of `split` from a dataset file. Labels are those of the file's
// "train" split, sorted, for every split (so train and test y agree); a row
// whose label train does not have gets y = -1.
inline Split load_split(const std::string &file, const std::string &split) {
    std::ifstream in(dataset_path(file), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto rows = intent_cli::read_intent_csv(data);
    std::map<std::string, int> index;
    for (const auto &r : rows)
        if (r.split == "train") index.emplace(r.intent, 0);
    Split s;
    for (auto &kv : index) {
        kv.second = static_cast<int>(s.labels.size());
        s.labels.push_back(kv.first);
    }
    for (const auto &r : rows)
        if (r.split == split) {
            s.texts.push_back(r.text);
            auto it = index.find(r.intent);
            s.y.push_back(it == index.end() ? -1 : it->second);
        }
    return s;
}

} // namespace bench
