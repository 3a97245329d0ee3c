// The comparison of a partition's first model with the fallback
// (fallback_comparison.h).
#include "fallback_comparison.h"

#include "text_io.h"

#include "deferral.h"
#include "metrics.h"

#include <map>

namespace pg_intent {

void keep_fallback_answers(const StagedSource &staged, const RunRows &data,
                           const std::vector<intent::RowResult> &results,
                           const std::vector<std::string> &labels) {
    staged.fallback_labels = labels;
    staged.fallback_answers.assign(staged.rows.size(), StagedSource::FallbackAnswer{});
    for (size_t i = 0; i < data.size() && i < results.size(); ++i) {
        const intent::RowResult &r = results[i];
        if (data.staged_index(i) >= staged.rows.size() || r.fold < 0 || r.predicted < 0 ||
            static_cast<size_t>(r.predicted) >= labels.size())
            continue;
        staged.fallback_answers[data.staged_index(i)] = {r.predicted, r.uncertain};
    }
}

std::optional<intent::GateEvidence> compare_with_fallback(const StagedSource &staged, const RunRows &data,
                                                          const std::vector<intent::RowResult> &results,
                                                          const intent::IntentModel &model,
                                                          const TrainingPolicy &policy,
                                                          intent::Json &report) {
    if (staged.fallback_answers.size() != staged.rows.size()) return std::nullopt;
    const std::vector<std::string> &labels = model.labels();
    const bool defer = model.options().defer_to_fallback;
    std::map<std::string, int> ids;
    auto id_of = [&ids](const std::string &label) {
        return ids.emplace(label, static_cast<int>(ids.size())).first->second;
    };
    std::vector<int> truth, candidate, fallback;
    intent::Json keys = intent::Json::array();
    size_t deferred = 0, unreviewed = 0;
    for (size_t i = 0; i < data.size() && i < results.size(); ++i) {
        const intent::RowResult &r = results[i];
        if (data.staged_index(i) >= staged.rows.size()) continue;
        const StagedSource::FallbackAnswer &f = staged.fallback_answers[data.staged_index(i)];
        if (f.label < 0 || r.fold < 0 || r.predicted < 0 || static_cast<size_t>(r.predicted) >= labels.size())
            continue;
        const std::string &fallback_label = staged.fallback_labels[static_cast<size_t>(f.label)];
        const std::string &label = data.label_utf8(i);
        if (label == policy.out_of_scope_intent) continue; // in-scope rows, as the gate's
        if (!data.reviewed(i)) { // rows no one vouched for judge no model, as the gate's fresh rows
            ++unreviewed;
            continue;
        }
        const bool defers = intent::fallback_answers(defer, r.uncertain, [&] { return f.uncertain; });
        deferred += defers ? 1 : 0;
        truth.push_back(id_of(label));
        candidate.push_back(defers ? id_of(fallback_label) : id_of(labels[static_cast<size_t>(r.predicted)]));
        fallback.push_back(id_of(fallback_label));
        if (const std::string_view key = data.key(i);
            data.has_keys() && keys.size() < 100) { // as UTF-8, as JSON holds it; '' is a key
            std::string storage;
            keys.push_back(std::string(server_to_utf8(key.data(), key.size(), storage)));
        }
    }
    if (truth.empty() && unreviewed == 0) return std::nullopt;
    if (truth.empty()) {
        // Rows to compare on, none of them reviewed: no evidence either way,
        // so the fallback keeps the partition (insufficient_evidence).
        report["fallback_comparison"] = {
            {"rule", "out_of_fold"},
            {"rows", 0},
            {"min_rows", policy.min_gate_rows},
            {"sufficient", false},
            {"unreviewed_rows_left_out", unreviewed},
        };
        return intent::GateEvidence{};
    }
    // Macro F1 over the labels of the partition's rows: a label the
    // partition never has, which only the fallback knows, would otherwise
    // count as a class of F1 0 against the fallback (a wrong answer counts
    // already, in its row's label's recall).
    auto macro_f1 = [](const intent::EvalReport &r) {
        double sum = 0;
        size_t n = 0;
        for (const intent::ClassMetrics &m : r.per_class)
            if (m.support > 0) {
                sum += m.f1;
                ++n;
            }
        return n ? sum / static_cast<double>(n) : 0.0;
    };
    const intent::EvalReport c = intent::evaluate(truth, candidate, {}, ids.size());
    const intent::EvalReport b = intent::evaluate(truth, fallback, {}, ids.size());
    int64_t candidate_only = 0, fallback_only = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        const bool cr = candidate[i] == truth[i], fr = fallback[i] == truth[i];
        candidate_only += cr && !fr ? 1 : 0;
        fallback_only += fr && !cr ? 1 : 0;
    }
    intent::GateEvidence evidence; // the fallback is the gate's "active" model
    evidence.sufficient = truth.size() >= static_cast<size_t>(policy.min_gate_rows);
    evidence.candidate_accuracy = c.accuracy;
    evidence.candidate_f1 = macro_f1(c);
    evidence.active_accuracy = b.accuracy;
    evidence.active_f1 = macro_f1(b);
    evidence.candidate_only_correct = candidate_only;
    evidence.active_only_correct = fallback_only;
    report["fallback_comparison"] = {
        {"rule", "out_of_fold"},
        {"rows", truth.size()},
        {"min_rows", policy.min_gate_rows},
        {"sufficient", evidence.sufficient},
        {"defer_to_fallback", defer},
        {"candidate_deferred", deferred},
        {"candidate", {{"accuracy", *evidence.candidate_accuracy}, {"macro_f1", *evidence.candidate_f1}}},
        {"fallback", {{"accuracy", *evidence.active_accuracy}, {"macro_f1", *evidence.active_f1}}},
        {"candidate_only_correct", candidate_only},
        {"fallback_only_correct", fallback_only},
        {"unreviewed_rows_left_out", unreviewed},
        {"row_keys", keys},
    };
    return evidence;
}

} // namespace pg_intent
