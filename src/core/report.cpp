// The training report as JSON (the SQL layer stores it as jsonb).
//
// Keys 0.1.0's SQL reads (it may call this library until users run ALTER
// EXTENSION), and what they mean now:
//   training_samples    rows the returned model was trained on: every usable
//                       distinct text (out-of-scope examples included). 0.1.0
//                       trained on 70 % of them.
//   validation_samples  rows with an out-of-fold prediction (calibration and
//                       threshold were fitted on these): every usable row in
//                       cross-validation, the holdout part otherwise.
//   test_samples        in-scope rows the metrics are computed on (the
//                       out-of-fold predictions of in-scope rows). 0.1.0
//                       used a separate 15 % test split; there is none now,
//                       so the three counts no longer add up to the rows.
//   total_intents, intents   the model's intents (never the out-of-scope label).
//   metrics.{accuracy, precision, recall, f1, macro_f1}   out-of-fold figures
//                       of the served label (the raw argmax), macro over
//                       intents; precision/recall/f1 equal their macro_
//                       forms. They are typically lower than the deployed
//                       model's accuracy (fold models saw fewer rows).
//   threshold.value     the global abstain threshold in [0, 1] (0: the model
//                       never abstains on confidence); per-intent values are
//                       in threshold.per_intent. Answers without enough
//                       evidence abstain whatever it is (evidence.floor), and
//                       so do answers their words do not support
//                       (support.floor), messages of too many unknown
//                       words (unknown_words.limit) and messages with an
//                       unknown word and too many words new to the answered
//                       label (label_unknown_words.limit).
//   options.algorithm   the learner.
//   gate.reason_code, threshold.reason_code, evaluation.reason_code   why
//                       the gate could decide, how the threshold was chosen,
//                       why this many folds, as codes (gate.h, threshold.h,
//                       folds.h) that the HTML report words in the reader's
//                       language; each `reason` beside it is the same in
//                       English, for programs that read 0.3.1's reports.
//   subword_auto        (with subword_vectors "auto", the default) the
//                       automatic mode's decision (subword_auto.h): on,
//                       reason_code, reason, and the counts it read.
//   subword_weight      (with subword_vectors only) the weight of the
//                       subword block: value (0: no vectors, the model the
//                       option off trains), selected (chosen out of fold;
//                       false: as given), grid and accuracy (each weight's
//                       out-of-fold accuracy, as C's), gain_se (the
//                       standard error of each one's gain over 0, paired
//                       per row), seconds, reason.
// 0.1.0's report also had baseline_metrics (the active model scored on the
// new test split, which it had mostly trained on); there is no such
// comparison any more. The gate object carries the fair one, on fresh rows.
//
// Misclassified rows and per-row results reference input row indices
// (positions in the rows passed to train_model), never texts.
#include "training.h"

#include "evaluation.h"
#include "json.h"

namespace intent {

namespace {

// The deploy gate's evidence, or null when there was no active model.
Json gate_json(const GateReport &gate) {
    if (!gate.evaluated) return nullptr;
    auto score = [&gate](const GateModelScore &s) {
        return Json{
            {"accuracy", s.accuracy},
            {"macro_f1", s.macro_f1},
            {"uncertain", s.uncertain},
            {"out_of_scope_recall", gate.out_of_scope_rows ? Json(s.out_of_scope_recall) : Json(nullptr)}};
    };
    return Json{{"rows", gate.rows},
                {"out_of_scope_rows", gate.out_of_scope_rows},
                {"sufficient", gate.sufficient},
                {"min_rows", gate.min_rows},
                {"folds", gate.folds},
                {"method", "fresh_folds"},
                {"candidate", score(gate.candidate)},
                {"active", score(gate.active)},
                {"candidate_only_correct", gate.candidate_only_correct},
                {"active_only_correct", gate.active_only_correct},
                {"input_rows", gate.input_rows},
                {"reason", gate.reason},
                {"reason_code", gate_reason_code(gate.reason_code)}};
}

// Per input row, column-wise (compact for thousands of rows).
Json row_results_json(const std::vector<RowResult> &rows, const std::vector<std::string> &labels) {
    Json row = Json::array(), fold = Json::array(), pred = Json::array(), conf = Json::array(),
         own = Json::array(), unc = Json::array();
    for (size_t i = 0; i < rows.size(); ++i) {
        const RowResult &r = rows[i];
        row.push_back(i); // rows are in input order
        fold.push_back(r.fold);
        if (r.predicted >= 0) {
            pred.push_back(labels[static_cast<size_t>(r.predicted)]);
            conf.push_back(static_cast<double>(r.confidence));
            own.push_back(static_cast<double>(r.label_probability));
            unc.push_back(r.uncertain);
        } else {
            pred.push_back(nullptr);
            conf.push_back(nullptr);
            own.push_back(nullptr);
            unc.push_back(nullptr);
        }
    }
    return Json{{"row", std::move(row)},
                {"fold", std::move(fold)},
                {"predicted", std::move(pred)},
                {"confidence", std::move(conf)},
                {"label_probability", std::move(own)},
                {"uncertain", std::move(unc)}};
}

} // namespace

TrainReport::Summary TrainReport::summary(const IntentModel &model) const {
    Summary s;
    s.training_samples = data.y.size();
    for (size_t e = 0; e < plan.fold.size(); ++e)
        s.validation_samples += plan.fold[e] >= 0;
    s.test_samples = oof.rows;
    s.total_intents = model.labels().size();
    s.accuracy = oof.accuracy;
    s.precision = oof.macro_precision;
    s.recall = oof.macro_recall;
    s.f1 = oof.macro_f1;
    s.threshold = static_cast<double>(threshold.global);
    s.evaluation_method = evaluation_method_name(plan.method);
    return s;
}

std::string TrainReport::to_json(const IntentModel &model) const {
    return dump_json(to_json_object(model));
}

Json TrainReport::to_json_object(const IntentModel &model) const {
    const auto &labels = model.labels();
    const Summary sum = summary(model);
    Json w = Json::object();
    const size_t in_scope = data.y.size() - data.out_of_scope_entries;
    const size_t predicted = sum.validation_samples;
    // A rate with nothing to divide by is null, not 0: a dashboard would
    // read 0 as "every out-of-scope message got an intent".
    auto out_of_scope_recall_json = [this] {
        return out_of_scope_evaluated ? Json(out_of_scope_recall) : Json(nullptr);
    };
    w["input_rows"] = data.input_rows;
    w["usable_rows"] = data.y.size();
    w["training_samples"] = sum.training_samples;
    w["validation_samples"] = sum.validation_samples;
    w["test_samples"] = sum.test_samples;
    w["total_intents"] = sum.total_intents;
    w["intents"] = labels;
    std::vector<std::string> small;
    for (size_t c : threshold.thin_intents)
        small.push_back(data.labels[c]);
    w["small_classes"] = small;
    w["duplicates_removed"] = data.duplicates_removed;
    w["conflicts_resolved"] = data.conflicts_resolved;
    w["empty_removed"] = data.empty_removed;
    w["in_scope_rows"] = in_scope;
    w["out_of_scope"] = {{"intent", data.out_of_scope_intent},
                         {"rows", data.out_of_scope_entries},
                         {"mode", out_of_scope_mode_name(model.options().out_of_scope_mode)},
                         {"internal_class", model.has_out_of_scope_class()},
                         {"evaluated", out_of_scope_evaluated},
                         {"recall", out_of_scope_recall_json()}};
    w["algorithm"] = algorithm_name(model.algorithm());
    w["features"] = model.num_features();
    w["format_version"] = model.format_version();
    w["typo"] = {{"variants", typo_variants}, {"rows", typo_rows}};

    w["evaluation"] = {{"method", sum.evaluation_method},
                       {"folds", plan.folds},
                       {"rows", predicted},
                       {"work", plan.work},
                       {"reason", plan.reason},
                       {"reason_code", evaluation_reason_code(plan.reason_code)},
                       {"vectorizer", "fitted once on every usable row (texts only, no labels)"},
                       {"fold_tolerance", fold_tolerance},
                       {"unseen_intent_rows", unseen_intent_rows}};
    w["refit"] = {{"rows", "every usable row"},
                  {"warm_start", refit_warm_start ? "the folds' mean dual solution" : "none (cold)"},
                  {"coordinate_steps", refit_stats.coordinate_steps},
                  {"passes", refit_stats.max_passes}};
    w["C"] = {{"value", c_selection.chosen},
              {"selected", c_selection.selected},
              {"grid", c_selection.grid},
              {"accuracy", c_selection.accuracy},
              {"reason", c_selection.reason}};
    if (subword_weight.used)
        w["subword_weight"] = {{"value", subword_weight.chosen},    {"selected", subword_weight.selected},
                               {"grid", subword_weight.grid},       {"accuracy", subword_weight.accuracy},
                               {"gain_se", subword_weight.gain_se}, {"seconds", subword_weight.seconds},
                               {"reason", subword_weight.reason}};
    if (subword_auto.used)
        w["subword_auto"] = {{"on", subword_auto.on},
                             {"reason_code", subword_auto_reason_code(subword_auto.reason)},
                             {"reason", subword_auto.reason_text()},
                             {"labelled_rows", subword_auto.labelled_rows},
                             {"labels", subword_auto.labels},
                             {"unlabelled_texts", subword_auto.unlabelled_texts},
                             {"min_rows_per_label", subword_auto.min_rows_per_label},
                             {"unlabelled_ratio", kSubwordAutoUnlabelledRatio}};

    std::vector<size_t> row_ids;
    row_ids.reserve(oof_entries.size());
    for (size_t e : oof_entries)
        row_ids.push_back(data.source_row[e]);
    Json metrics = metrics_json(oof, labels, row_ids, &calibration);
    metrics["evaluation"] = evaluation_method_name(plan.method);
    metrics["coverage"] = coverage;
    metrics["accepted_accuracy"] = coverage > 0 ? Json(accepted_accuracy) : Json(nullptr);
    metrics["out_of_scope_recall"] = out_of_scope_recall_json();
    w["metrics"] = std::move(metrics);
    w["calibration"] = {{"method", "temperature"},
                        {"scale", static_cast<double>(calibrator.scale)},
                        {"temperature", 1.0 / static_cast<double>(calibrator.scale)},
                        {"ece", calibration.ece},
                        {"brier", calibration.brier},
                        {"rows", calibration.rows}};

    Json per_intent = Json::object();
    for (size_t c = 0; c < labels.size() && c < threshold.per_intent.size(); ++c)
        per_intent[labels[c]] = static_cast<double>(threshold.per_intent[c]);
    w["threshold"] = {{"value", sum.threshold},
                      {"target_precision", model.options().target_precision},
                      {"threshold_floor", model.options().threshold_floor},
                      {"precision", threshold.precision},
                      {"coverage", threshold.coverage},
                      {"target_reached", threshold.choice.target_reached},
                      {"precision_rule_value", static_cast<double>(threshold.choice.threshold)},
                      {"floor_binds", threshold.floor_binds},
                      {"abstains", threshold.abstains},
                      {"rows", threshold.rows},
                      {"min_threshold_rows", model.options().min_threshold_rows},
                      {"min_intent_rows", model.options().min_intent_rows},
                      {"no_abstain_intents", small},
                      {"per_intent", std::move(per_intent)},
                      {"reason", threshold.reason},
                      {"reason_code", threshold_reason_code(threshold.reason_code)},
                      // The coverage cap (threshold.h): `value` above is the
                      // threshold after it; precision and coverage are the
                      // precision rule's, before it.
                      {"min_coverage", model.options().min_coverage},
                      {"coverage_cap",
                       {{"binds", coverage_cap.binds},
                        {"coverage_before", coverage_cap.coverage_before},
                        {"coverage_after", coverage_cap.coverage_after},
                        {"released", coverage_cap.released},
                        {"reason", coverage_cap.reason}}}};
    // The novelty rule (format 3, novelty.h): answers whose evidence is at or
    // below `floor` are uncertain; `uncertain` counts the in-scope
    // out-of-fold answers it made uncertain.
    w["evidence"] = {{"floor", static_cast<double>(evidence.floor)},
                     {"evidence_quantile", model.options().evidence_quantile},
                     {"learned", evidence.learned},
                     {"rows", evidence.rows},
                     {"uncertain", evidence.uncertain},
                     {"reason", evidence.reason}};
    // Its floor on the answer's own support (novelty.h): null when not
    // learned or when no answer can be at or below it (-infinity).
    w["support"] = {
        {"floor", std::isfinite(support.floor) ? Json(static_cast<double>(support.floor)) : Json()},
        {"evidence_quantile", model.options().evidence_quantile},
        {"learned", support.learned},
        {"rows", support.rows},
        {"uncertain", support.uncertain},
        {"reason", support.reason}};
    // Its limit on unknown words (novelty.h): answers whose share of unknown
    // words is above it are uncertain.
    w["unknown_words"] = {{"limit", static_cast<double>(unknown_words.limit)},
                          {"unknown_word_quantile", model.options().unknown_word_quantile},
                          {"learned", unknown_words.learned},
                          {"rows", unknown_words.rows},
                          {"uncertain", unknown_words.uncertain},
                          {"reason", unknown_words.reason}};
    // Its limit on words new to the answered label (novelty.h): answers with
    // an unknown word whose share of words no row of their label holds is
    // above it are uncertain; the model carries it only below 1 (format 5).
    w["label_unknown_words"] = {{"limit", static_cast<double>(label_unknown_words.limit)},
                                {"unknown_word_quantile", model.options().unknown_word_quantile},
                                {"learned", label_unknown_words.learned},
                                {"rows", label_unknown_words.rows},
                                {"uncertain", label_unknown_words.uncertain},
                                {"reason", label_unknown_words.reason}};

    // recall_label's rule (label_recall.h): the offset on its score and its
    // out-of-fold recall and precision before and after; only when set.
    if (!model.options().recall_label.empty()) {
        w["recall_rule"] = {{"label", model.options().recall_label},
                            {"target", recall.target},
                            {"offset", static_cast<double>(recall.offset)},
                            {"rows", recall.rows},
                            {"recall_before", recall.recall_before},
                            {"recall_after", recall.recall_after},
                            {"precision_before", recall.precision_before},
                            {"precision_after", recall.precision_after},
                            {"exempt_from_threshold", recall.exempt},
                            {"reason", recall.reason},
                            {"reason_code", recall_reason_code(recall.reason_code)}};
    }

    w["gate"] = gate_json(gate);

    w["row_results"] = row_results_json(rows, labels);

    w["timings"] = {{"features", seconds_features},   {"evaluate", seconds_evaluate},
                    {"calibrate", seconds_calibrate}, {"refit", seconds_refit},
                    {"gate", seconds_gate},           {"total", seconds_total}};
    w["options"] = model.options().as_json();
    return w;
}

} // namespace intent
