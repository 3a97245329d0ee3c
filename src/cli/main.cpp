// pg-intent: train, evaluate and query intent models offline from CSV files
// with columns split,text,intent. Used for experiments and the benchmark.
#include "crc32c.h"
#include "csv.h"
#include "errors.h"
#include "evaluation.h"
#include "json.h"
#include "model.h"
#include "training.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace {

using intent_cli::CsvRow;
using clock_type = std::chrono::steady_clock;

// Thrown for bad command lines (exit code 2).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char kUsage[] =
    "usage:\n"
    "  pg-intent train   --data F.csv [--split train[,S2...]] --model OUT.bin [--options JSON]\n"
    "                    [--report R.json] [--oos-label L] [--active M.bin --fresh-split S[,S2...]]\n"
    "                    [--partitions N] [--split-weight S=W[,S2=W2...]]\n"
    "                    [--unlabelled-data U.csv [--unlabelled-split S[,S2...]]]\n"
    "  pg-intent eval    --data F.csv --split val [--oos-split oos_val] --model M.bin [--timing no]\n"
    "  pg-intent predict --model M.bin [--top K] [--scores yes] [TEXT ...]   (no TEXT: one message per line\n"
    "                    of stdin; --scores adds every raw decision score)\n"
    "\n"
    "train: rows of the given splits, trained in the order the server trains its rows (text, then\n"
    "intent, in byte order), so the same rows train the model a server trains, whatever the file's\n"
    "order (the report numbers rows as the file does); rows whose intent is --oos-label are relabelled\n"
    "with the out_of_scope_intent option; with --active, rows of --fresh-split are fresh (not in\n"
    "the active model's training set) and the report carries the gate evidence. --partitions N\n"
    "puts row i in synthetic partition i mod N (for min_feature_partitions: 2, the fallback rule).\n"
    "--split-weight gives the rows of split S the sample weight W (a positive finite number;\n"
    "default 1).\n"
    "--unlabelled-data: the texts (never the labels) of U.csv's rows of --unlabelled-split (default\n"
    "train) are added to those the subword_vectors option trains its vectors on; with its default,\n"
    "\"auto\", they are what it counts (without --unlabelled-data the vectors stay off).\n";

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open \"" + path + "\"");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write \"" + path + "\"");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("error writing \"" + path + "\"");
}

// --name value flags plus positional arguments.
struct Args {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;

    bool has(const std::string &k) const { return flags.count(k) != 0; }
    std::string get(const std::string &k, const std::string &def = {}) const {
        auto it = flags.find(k);
        return it == flags.end() ? def : it->second;
    }
    std::string need(const std::string &k) const {
        if (!has(k)) throw UsageError("missing --" + k);
        return get(k);
    }
};

Args parse_args(int argc, char **argv, int first, const std::vector<std::string> &known) {
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "--") {
            for (++i; i < argc; ++i)
                a.positional.emplace_back(argv[i]);
            break;
        }
        if (s.size() > 2 && s.compare(0, 2, "--") == 0) {
            std::string name = s.substr(2);
            if (std::find(known.begin(), known.end(), name) == known.end())
                throw UsageError("unknown flag " + s);
            if (i + 1 >= argc) throw UsageError("flag " + s + " needs a value");
            a.flags[name] = argv[++i];
        } else {
            a.positional.push_back(std::move(s));
        }
    }
    return a;
}

intent::IntentModel load_model(const std::string &path, double *load_ms = nullptr) {
    std::string bytes = read_file(path);
    auto t0 = clock_type::now();
    intent::IntentModel m =
        intent::IntentModel::deserialize(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    if (load_ms) *load_ms = seconds_since(t0) * 1000.0;
    return m;
}

// Splits "a,b,c" into its parts.
std::vector<std::string> split_list(const std::string &s) {
    std::vector<std::string> out;
    size_t at = 0;
    for (;;) {
        const size_t comma = s.find(',', at);
        out.push_back(s.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos) return out;
        at = comma + 1;
    }
}

std::vector<CsvRow> rows_of_split(const std::vector<CsvRow> &all, const std::string &split) {
    const std::vector<std::string> wanted = split_list(split);
    std::vector<CsvRow> out;
    for (const auto &r : all)
        if (std::find(wanted.begin(), wanted.end(), r.split) != wanted.end()) out.push_back(r);
    return out;
}

// Sorts the rows into the order the server gives its rows to the core
// (intent::compare_training_order()), rows equal in it in file order, and
// returns each one's place in the file: the model depends on the order of
// its rows, and the CLI must train the model a server trains from the same
// rows, whatever the order of the file. In place (a cycle at a time), so
// that no second vector of the rows is ever held.
std::vector<uint32_t> into_training_order(std::vector<intent::LabeledText> &rows) {
    if (rows.size() > std::numeric_limits<uint32_t>::max()) throw std::runtime_error("too many rows");
    std::vector<uint32_t> file_row(rows.size());
    std::iota(file_row.begin(), file_row.end(), 0u);
    std::stable_sort(file_row.begin(), file_row.end(), [&rows](uint32_t a, uint32_t b) {
        return intent::compare_training_order(rows[a], rows[b]) < 0;
    });
    // Row i takes the row at file_row[i].
    std::vector<bool> placed(rows.size(), false);
    for (size_t start = 0; start < rows.size(); ++start) {
        if (placed[start]) continue;
        intent::LabeledText first = std::move(rows[start]);
        size_t at = start;
        for (;;) {
            placed[at] = true;
            const size_t from = file_row[at];
            if (from == start) break;
            rows[at] = std::move(rows[from]);
            at = from;
        }
        rows[at] = std::move(first);
    }
    return file_row;
}

// The report's rows as the file numbers them (the rows of its split, from
// 0): the per-row results, the rows the misclassified texts were taken from
// and the gate's input rows were numbered in training order.
void rows_in_file_order(intent::TrainReport &report, const std::vector<uint32_t> &file_row) {
    if (report.rows.size() == file_row.size()) {
        std::vector<intent::RowResult> by_file(report.rows.size());
        for (size_t i = 0; i < report.rows.size(); ++i)
            by_file[file_row[i]] = report.rows[i];
        report.rows = std::move(by_file);
    }
    for (uint32_t &r : report.data.source_row)
        r = file_row[r];
    if (report.data.entry_of_row.size() == file_row.size()) {
        std::vector<int32_t> by_file(file_row.size());
        for (size_t i = 0; i < file_row.size(); ++i)
            by_file[file_row[i]] = report.data.entry_of_row[i];
        report.data.entry_of_row = std::move(by_file);
    }
    for (size_t &r : report.gate.input_rows)
        r = file_row[r];
    std::sort(report.gate.input_rows.begin(), report.gate.input_rows.end());
}

int cmd_train(const Args &a) {
    if (!a.positional.empty()) throw UsageError("train takes no positional arguments");
    const std::string split = a.get("split", "train");
    auto all = intent_cli::read_intent_csv(read_file(a.need("data")));
    std::string model_path = a.need("model");
    intent::ModelOptions options;
    if (a.has("options")) options.apply_json(a.get("options"));
    std::vector<std::string> fresh_splits;
    if (a.has("fresh-split")) fresh_splits = split_list(a.get("fresh-split"));
    long partitions = 0;
    if (a.has("partitions")) {
        // Parsed whole: std::stol() took "3x" for 3 and ended the CLI with
        // "stol" on "abc" or an out-of-range value.
        const std::string s = a.get("partitions");
        char *end = nullptr;
        errno = 0;
        partitions = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || errno == ERANGE || partitions < 1)
            throw UsageError("--partitions must be a positive integer");
    }
    std::map<std::string, float> split_weight;
    if (a.has("split-weight"))
        for (const std::string &item : split_list(a.get("split-weight"))) {
            const size_t eq = item.find('=');
            if (eq == std::string::npos) throw UsageError("--split-weight takes S=W items");
            // Parsed whole, as --partitions (std::stof() ended the CLI with "stof").
            const std::string v = item.substr(eq + 1);
            char *end = nullptr;
            const float w = std::strtof(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !(w > 0) || !std::isfinite(w))
                throw UsageError("--split-weight: a weight must be a positive finite number");
            split_weight[item.substr(0, eq)] = w;
        }
    // The training rows take the CSV rows' strings, and the CSV rows go
    // before training: held through it they were a second copy of every
    // text (some 190 MB at 1,000,000 rows).
    const std::vector<std::string> wanted = split_list(split);
    const auto is_wanted = [&wanted](const CsvRow &r) {
        return std::find(wanted.begin(), wanted.end(), r.split) != wanted.end();
    };
    std::vector<intent::LabeledText> rows;
    rows.reserve(static_cast<size_t>(std::count_if(all.begin(), all.end(), is_wanted)));
    for (auto &r : all) {
        if (!is_wanted(r)) continue;
        const auto weight = split_weight.find(r.split);
        intent::LabeledText t{std::move(r.text), std::move(r.intent),
                              weight == split_weight.end() ? 1.0f : weight->second, false};
        if (partitions) t.group = static_cast<uint32_t>(rows.size() % static_cast<size_t>(partitions));
        if (a.has("oos-label") && t.label == a.get("oos-label")) t.label = options.out_of_scope_intent;
        t.fresh = std::find(fresh_splits.begin(), fresh_splits.end(), r.split) != fresh_splits.end();
        rows.push_back(std::move(t));
    }
    std::vector<CsvRow>().swap(all);
    if (rows.empty()) throw std::runtime_error("no rows with split \"" + split + "\"");
    const std::vector<uint32_t> file_row = into_training_order(rows);
    std::unique_ptr<intent::IntentModel> active;
    if (a.has("active")) active = std::make_unique<intent::IntentModel>(load_model(a.get("active")));
    std::vector<std::string> unlabelled;
    if (a.has("unlabelled-data"))
        for (auto &r : rows_of_split(intent_cli::read_intent_csv(read_file(a.get("unlabelled-data"))),
                                     a.get("unlabelled-split", "train")))
            unlabelled.push_back(std::move(r.text));

    // The core frees the rows once it has built their features.
    const size_t num_rows = rows.size();
    auto t0 = clock_type::now();
    intent::TrainedModel trained =
        intent::train_model_taking_rows(std::move(rows), options, intent::TrainCallbacks{}, active.get(),
                                        a.has("unlabelled-data") ? &unlabelled : nullptr);
    std::string blob = trained.model.serialize();
    double train_seconds = seconds_since(t0);
    write_file(model_path, blob);
    rows_in_file_order(trained.report, file_row);
    const intent::TrainReport &rep = trained.report;
    if (a.has("report")) write_file(a.get("report"), rep.to_json(trained.model) + "\n");

    intent::Json w = intent::Json::object();
    w["rows"] = num_rows;
    w["labels"] = trained.model.labels().size();
    w["features"] = trained.model.num_features();
    w["train_seconds"] = train_seconds;
    w["model_bytes"] = blob.size();
    w["evaluation"] = intent::evaluation_method_name(rep.plan.method);
    w["folds"] = rep.plan.folds;
    w["C"] = rep.c_selection.chosen;
    w["C_selected"] = rep.c_selection.selected;
    if (rep.subword_weight.used)
        w["subword_weight"] = {
            {"value", rep.subword_weight.chosen},    {"selected", rep.subword_weight.selected},
            {"grid", rep.subword_weight.grid},       {"accuracy", rep.subword_weight.accuracy},
            {"gain_se", rep.subword_weight.gain_se}, {"seconds", rep.subword_weight.seconds}};
    if (rep.subword_auto.used)
        w["subword_auto"] = {{"on", rep.subword_auto.on},
                             {"reason_code", intent::subword_auto_reason_code(rep.subword_auto.reason)},
                             {"unlabelled_texts", rep.subword_auto.unlabelled_texts}};
    w["typo_variants"] = rep.typo_variants;
    w["oof_rows"] = rep.oof.rows;
    w["oof_accuracy"] = rep.oof.accuracy;
    w["oof_macro_f1"] = rep.oof.macro_f1;
    w["oof_ece"] = rep.calibration.ece;
    w["oof_brier"] = rep.calibration.brier;
    w["oof_coverage"] = rep.coverage;
    w["oof_accepted_accuracy"] = rep.accepted_accuracy;
    w["oof_out_of_scope_recall"] =
        rep.out_of_scope_evaluated ? intent::Json(rep.out_of_scope_recall) : intent::Json(nullptr);
    w["calibration_scale"] = static_cast<double>(rep.calibrator.scale);
    w["threshold"] = static_cast<double>(rep.threshold.global);
    w["threshold_target_reached"] = rep.threshold.choice.target_reached;
    if (rep.gate.evaluated)
        w["gate"] = {{"rows", rep.gate.rows},
                     {"sufficient", rep.gate.sufficient},
                     {"candidate_accuracy", rep.gate.candidate.accuracy},
                     {"active_accuracy", rep.gate.active.accuracy},
                     {"candidate_macro_f1", rep.gate.candidate.macro_f1},
                     {"active_macro_f1", rep.gate.active.macro_f1}};
    w["timings"] = {{"features", rep.seconds_features},   {"evaluate", rep.seconds_evaluate},
                    {"calibrate", rep.seconds_calibrate}, {"refit", rep.seconds_refit},
                    {"gate", rep.seconds_gate},           {"total", rep.seconds_total}};
    std::cout << intent::dump_json(w) << "\n";
    return 0;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

int cmd_eval(const Args &a) {
    if (!a.positional.empty()) throw UsageError("eval takes no positional arguments");
    const std::string split = a.need("split");
    auto all = intent_cli::read_intent_csv(read_file(a.need("data")));
    double load_ms = 0;
    intent::IntentModel model = load_model(a.need("model"), &load_ms);
    auto rows = rows_of_split(all, split);
    if (rows.empty()) throw std::runtime_error("no rows with split \"" + split + "\"");
    std::vector<std::string> texts, truth;
    for (auto &r : rows) {
        texts.push_back(r.text);
        truth.push_back(r.intent);
    }
    intent::CalibrationReport cal;
    intent::EvalReport rep = intent::evaluate_model(model, texts, truth, &cal);

    // Single-message latency and the threshold's effect, one predict() per row.
    const bool timing = a.get("timing", "yes") != "no";
    intent::PredictScratch scratch;
    for (size_t i = 0; timing && i < std::min<size_t>(texts.size(), 200); ++i)
        model.predict(texts[i], 3, scratch); // warm
    std::vector<double> us;
    us.reserve(texts.size());
    size_t accepted = 0, accepted_correct = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
        auto t0 = clock_type::now();
        intent::Prediction p = model.predict(texts[i], 3, scratch);
        us.push_back(seconds_since(t0) * 1e6);
        if (!p.uncertain) {
            ++accepted;
            accepted_correct += model.labels()[static_cast<size_t>(p.label)] == truth[i];
        }
    }
    // Batch throughput with classify(), repeated until at least 0.5 s.
    size_t done = 0;
    volatile int sink = 0;
    auto tb = clock_type::now();
    double batch_s = 0;
    while (timing) {
        for (const auto &t : texts)
            sink = sink + model.classify(t, scratch);
        done += texts.size();
        batch_s = seconds_since(tb);
        if (batch_s >= 0.5) break;
    }

    const double n = static_cast<double>(texts.size());
    intent::Json w = intent::Json::object();
    w["rows"] = texts.size();
    w["accuracy"] = rep.accuracy;
    w["macro_f1"] = rep.macro_f1;
    w["macro_precision"] = rep.macro_precision;
    w["macro_recall"] = rep.macro_recall;
    w["coverage"] = static_cast<double>(accepted) / n;
    w["accepted_accuracy"] =
        accepted ? static_cast<double>(accepted_correct) / static_cast<double>(accepted) : 0.0;
    w["in_scope_accuracy_with_threshold"] = static_cast<double>(accepted_correct) / n;
    w["threshold"] = static_cast<double>(model.threshold());
    w["ece"] = cal.ece;
    w["brier"] = cal.brier;
    w["format_version"] = model.format_version();
    if (timing) {
        w["load_ms"] = load_ms;
        w["single_predict_us_median"] = percentile(us, 0.5);
        w["single_predict_us_p99"] = percentile(us, 0.99);
        w["batch_rows_per_s"] = static_cast<double>(done) / batch_s;
    }
    if (a.has("oos-split")) {
        auto oos = rows_of_split(all, a.get("oos-split"));
        size_t abstained = 0;
        for (const auto &r : oos)
            abstained += model.classify(r.text, scratch) < 0;
        w["oos"] = {
            {"rows", oos.size()},
            {"recall", oos.empty() ? 0.0 : static_cast<double>(abstained) / static_cast<double>(oos.size())}};
    }
    std::cout << intent::dump_json(w) << "\n";
    return 0;
}

// One TSV line: label, confidence, uncertain, top-k JSON; with `scores`, a
// fifth column with every raw decision score (intents in label order, then
// an internal out-of-scope class), for analysis.
void print_prediction(const intent::IntentModel &model, const intent::Prediction &p,
                      const intent::PredictScratch *scores) {
    intent::Json top = intent::Json::array();
    for (const auto &t : p.top)
        top.push_back({{"intent", model.labels()[static_cast<size_t>(t.first)]},
                       {"probability", static_cast<double>(t.second)}});
    std::cout << model.labels()[static_cast<size_t>(p.label)] << '\t'
              << intent::dump_json(static_cast<double>(p.confidence)) << '\t'
              << (p.uncertain ? "true" : "false") << '\t' << intent::dump_json(top);
    if (scores) {
        const size_t n = model.labels().size() + (model.has_out_of_scope_class() ? 1 : 0);
        std::cout << '\t';
        for (size_t c = 0; c < n; ++c)
            std::cout << (c ? " " : "") << intent::dump_json(static_cast<double>(scores->scores[c]));
    }
    std::cout << '\n';
}

int cmd_predict(const Args &a) {
    intent::IntentModel model = load_model(a.need("model"));
    long top = 3;
    if (a.has("top")) {
        char *end = nullptr;
        std::string s = a.get("top");
        top = std::strtol(s.c_str(), &end, 10);
        if (s.empty() || *end != '\0' || top < 0 || top > 100000)
            throw UsageError("--top must be a non-negative integer");
    }
    const std::string raw = a.get("scores", "no");
    if (raw != "yes" && raw != "no") throw UsageError("--scores must be yes or no");
    intent::PredictScratch scratch;
    const intent::PredictScratch *with_scores = raw == "yes" ? &scratch : nullptr;
    if (!a.positional.empty()) {
        for (const auto &t : a.positional)
            print_prediction(model, model.predict(t, static_cast<size_t>(top), scratch), with_scores);
        return 0;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        print_prediction(model, model.predict(line, static_cast<size_t>(top), scratch), with_scores);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    std::ios::sync_with_stdio(false);
    try {
        if (argc < 2) throw UsageError("missing command");
        std::string cmd = argv[1];
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            std::cout << kUsage;
            return 0;
        }
        if (cmd == "train")
            return cmd_train(parse_args(argc, argv, 2,
                                        {"data", "split", "model", "options", "report", "oos-label", "active",
                                         "fresh-split", "partitions", "split-weight", "unlabelled-data",
                                         "unlabelled-split"}));
        if (cmd == "eval")
            return cmd_eval(parse_args(argc, argv, 2, {"data", "split", "oos-split", "model", "timing"}));
        if (cmd == "predict") return cmd_predict(parse_args(argc, argv, 2, {"model", "top", "scores"}));
        throw UsageError("unknown command \"" + cmd + "\"");
    } catch (const UsageError &e) {
        std::cerr << "pg-intent: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const intent::Error &e) {
        std::cerr << "pg-intent: " << e.what() << "\n";
        if (!e.detail().empty()) std::cerr << "DETAIL: " << e.detail() << "\n";
        if (!e.hint().empty()) std::cerr << "HINT: " << e.hint() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "pg-intent: " << e.what() << "\n";
        return 1;
    }
}
