// Deploy-gate evidence by fresh folds (see gate.h).
#include "gate.h"

#include "calibration.h"
#include "errors.h"
#include "metrics.h"
#include "model.h"
#include "novelty.h"
#include "scoring.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

namespace intent {

namespace {

// Macro-F1 over string labels (the two models may know different intents):
// classes present in the truth or the predictions, 0/0 counting as 0.
double macro_f1(const std::vector<std::string> &truth, const std::vector<std::string> &predicted) {
    std::map<std::string, std::array<size_t, 3>> counts; // tp, predicted, true
    for (size_t i = 0; i < truth.size(); ++i) {
        ++counts[truth[i]][2];
        ++counts[predicted[i]][1];
        if (truth[i] == predicted[i]) ++counts[truth[i]][0];
    }
    if (counts.empty()) return 0;
    double sum = 0;
    for (const auto &kv : counts) {
        const double tp = static_cast<double>(kv.second[0]);
        const double p = kv.second[1] ? tp / static_cast<double>(kv.second[1]) : 0.0;
        const double r = kv.second[2] ? tp / static_cast<double>(kv.second[2]) : 0.0;
        sum += p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
    return sum / static_cast<double>(counts.size());
}

} // namespace

const char *gate_reason_code(GateReason reason) {
    switch (reason) {
    case GateReason::NoFreshRows:
        return "no_fresh_rows";
    case GateReason::EnoughFreshRows:
        return "enough_fresh_rows";
    case GateReason::TooFewFreshRows:
        return "too_few_fresh_rows";
    }
    return "unknown";
}

GateReport evaluate_gate(const GateInputs &in, const IntentModel &active, const ModelOptions &options,
                         size_t threads, const TrainCallbacks &callbacks) {
    const PreparedDataset &d = *in.data;
    const TrainingSet &set = *in.set;
    const size_t n = d.texts.size(), k = d.labels.size();
    GateReport g;
    g.evaluated = true;
    g.min_rows = options.min_gate_rows;

    std::vector<size_t> fresh;
    std::vector<int> strata;
    for (size_t e = 0; e < n; ++e)
        if (d.fresh[e]) {
            fresh.push_back(e);
            strata.push_back(d.y[e]);
        }
    for (size_t e : fresh)
        (d.y[e] == kOutOfScope ? g.out_of_scope_rows : g.rows) += 1;
    if (fresh.empty()) {
        g.reason_code = GateReason::NoFreshRows;
        g.reason = "no fresh rows: every row was in the active model's training set";
        return g;
    }

    size_t folds = options.gate_folds > 0      ? static_cast<size_t>(options.gate_folds)
                   : in.work <= kFiveFoldWork  ? 5
                   : in.work <= kThreeFoldWork ? 3
                                               : 2;
    folds = std::max<size_t>(1, std::min(folds, fresh.size()));
    g.folds = folds;
    std::vector<int> fold(n, -1); // non-fresh entries: in every fold model's training rows
    const std::vector<int> fresh_fold =
        stratified_folds(strata, folds, options.evaluation.seed ^ 0x6A7E5EEDULL);
    for (size_t i = 0; i < fresh.size(); ++i)
        fold[fresh[i]] = fresh_fold[i];
    // With one fresh entry there is one fold and its model trains on the
    // non-fresh entries alone: exactly the active model's rows.
    // The fold models, not an entries x columns score array: each fresh
    // entry is scored by its fold's model as it is compared.
    const std::vector<FoldModels> cv =
        cross_validate_models(set, fold, folds, {in.learner.C}, in.learner, threads, callbacks, "gate",
                              /*keep_refit_start=*/false, in.refit_duals);
    const FoldModels &fm = cv.front();
    std::vector<float> scores(padded(set.columns));
    SparseVector row;
    // A fresh row's words are known when a row outside its fresh fold holds
    // them. Without a learned limit (1) no share exceeds it: no counts.
    // The words of each label likewise, for the label-word rule.
    std::optional<FoldWords> words;
    if (in.unknown_word_limit < 1 || in.label_word_limit < 1)
        words.emplace(set, fold, folds, callbacks.memory, in.label_word_limit < 1 ? k : 0);

    ScoreCalibrator cal;
    cal.scale = in.calibration_scale;
    std::vector<float> probs(k);
    PredictScratch scratch;
    std::vector<std::string> truth, cand, act;
    size_t cand_unc = 0, act_unc = 0, cand_oos = 0, act_oos = 0;
    for (size_t e : fresh) {
        if ((truth.size() & 63) == 63) callbacks.check_cancel();
        fm.score(set, e, row, scores.data());
        in.recall.apply(scores.data());
        const float *s = scores.data();
        const int label = static_cast<int>(argmax(s, k));
        cal.probabilities(s, in.served_columns, k, probs.data());
        const bool oos_wins = in.served_columns > k && s[k] > s[label];
        const bool c_unc =
            oos_wins ||
            lacks_evidence(
                message_evidence(set.recognises(e), s, fm.bias(e), k, in.recall.label, in.recall.offset),
                in.evidence_floor) ||
            lacks_support(
                label_support(s, fm.bias(e), static_cast<size_t>(label), in.recall.label, in.recall.offset),
                in.support_floor) ||
            (words && too_many_unknown_words(words->unknown_share(e, row), in.unknown_word_limit)) ||
            (words && in.label_word_limit < 1 &&
             too_many_label_unknown_words(words->unknown_share(e, row),
                                          words->label_unknown_share(e, static_cast<size_t>(label), row),
                                          in.label_word_limit)) ||
            probs[static_cast<size_t>(label)] < in.thresholds[static_cast<size_t>(label)];
        const Prediction p = active.predict(d.texts[e], 0, scratch);
        if (d.y[e] == kOutOfScope) {
            cand_oos += c_unc;
            act_oos += p.uncertain;
            continue;
        }
        truth.push_back(d.labels[static_cast<size_t>(d.y[e])]);
        cand.push_back(d.labels[static_cast<size_t>(label)]);
        act.push_back(active.labels()[static_cast<size_t>(p.label)]);
        cand_unc += c_unc;
        act_unc += p.uncertain;
        const bool c_ok = cand.back() == truth.back(), a_ok = act.back() == truth.back();
        g.candidate_only_correct += c_ok && !a_ok;
        g.active_only_correct += a_ok && !c_ok;
    }
    auto score = [&](const std::vector<std::string> &pred, size_t unc, size_t oos) {
        GateModelScore s;
        size_t right = 0;
        for (size_t i = 0; i < truth.size(); ++i)
            right += pred[i] == truth[i];
        const double m = static_cast<double>(truth.size());
        s.accuracy = truth.empty() ? 0.0 : static_cast<double>(right) / m;
        s.macro_f1 = macro_f1(truth, pred);
        s.uncertain = truth.empty() ? 0.0 : static_cast<double>(unc) / m;
        s.out_of_scope_recall =
            g.out_of_scope_rows ? static_cast<double>(oos) / static_cast<double>(g.out_of_scope_rows) : 0.0;
        return s;
    };
    g.candidate = score(cand, cand_unc, cand_oos);
    g.active = score(act, act_unc, act_oos);
    g.sufficient = g.rows >= options.min_gate_rows;
    for (size_t r = 0; r < d.entry_of_row.size(); ++r)
        if (d.entry_of_row[r] >= 0 && d.fresh[static_cast<size_t>(d.entry_of_row[r])])
            g.input_rows.push_back(r);
    g.reason_code = g.sufficient ? GateReason::EnoughFreshRows : GateReason::TooFewFreshRows;
    g.reason = g.sufficient ? "enough fresh rows to compare the candidate with the active model"
                            : "fewer in-scope fresh rows than min_gate_rows (" +
                                  std::to_string(options.min_gate_rows) +
                                  "): the comparison is too noisy to decide on";
    return g;
}

} // namespace intent
