// _pg_intent_train_table(): the training run's C step, which train_run()
// (train_run.cpp) calls as the extension owner, for train_intent_model() and
// each run of train_classifier(). It takes the caller's options and the
// policy row, reads the rows (train_reader.h), trains, applies the deploy
// rule (src/core/deploy_rule.h), inserts the run's rows and returns what the
// run's record (_pg_intent_train_run_record()) reads, as typed columns
// (train_result.h): the record locks, inserts the model and activates, and
// never reads the report by path.
//
// Reviewed rows the active model never trained on, or trained on with another
// label, are marked fresh: the deploy gate scores the active model on those
// only. What the active model trained on is its run's rows in
// ai_training_run_rows, read through that table's primary key.
//
// Rows the run cannot train on (too few, one intent) are refused, not an
// error: the columns refusal, refusal_detail, refusal_hint and rows_read
// say so, the report what the reader left out of them, and the run is
// recorded failed with a SQLSTATE of its own.
//
// The per-row results (the label read, fresh, the out-of-fold fold,
// prediction and probabilities) go to ai_training_run_rows (a keyed
// classifier's to ai_classifier_run_rows) in batches (run_rows.cpp); the
// report keeps the summary only, with misclassified rows named by their
// ai_training_data id, never by text.
#include "classifier_fresh_rows.h"
#include "classifier_options.h"
#include "guard.h"
#include "intent_names.h"
#include "module.h"
#include "progress.h"
#include "relations.h"
#include "row_key.h"
#include "settings.h"
#include "text_io.h"
#include "train_memory.h"
#include "train_result.h"
#include "train_run.h"

#include "deploy_rule.h"
#include "errors.h"
#include "json.h"
#include "parallel.h"
#include "subword_auto.h"
#include "training.h"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"
}

#include "classifier_source.h"
#include "fallback_comparison.h"
#include "pg_array.h"
#include "run_rows.h"
#include "train_reader.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

namespace pg_intent {
namespace {

// Why rows were refused, as an error would say it: in the reader's language
// (words()), as the run records it and the SQL side raises it.
struct Refusal {
    std::string message, detail, hint;
};

// What the dataset must satisfy before any training starts: enough rows,
// at least two intents, and no row labelled "uncertain", the word
// classify_intent() answers below its threshold (an intent of that name
// would make its answers ambiguous). No stored row can reach the last
// check: training_label is never "uncertain" (is_valid_intent_name()); it
// stays as a guard of the core's input, should the generated column ever be
// redefined. The rule is one for every classifier; the hints name where
// a named classifier's rows and its min_samples_for_training come from (its
// source, its options over ai_training_policy), not intent's.
std::optional<Refusal> refuse_dataset(const std::vector<DataRow> &data, int min_rows, bool intent_rows) {
    if (static_cast<int64_t>(data.size()) < min_rows)
        return Refusal{
            words({N_("not enough training data: %s usable rows, at least %s needed"),
                   {std::to_string(data.size()), std::to_string(min_rows)}}),
            {},
            intent_rows
                ? N_("Record more interactions, or lower ai_training_policy.min_samples_for_training.")
                : N_("Add labelled rows to the classifier's source, or lower its "
                     "min_samples_for_training (its options, else ai_training_policy's).")};
    size_t uncertain = 0;
    std::set<std::string_view> intents;
    for (const DataRow &row : data) {
        uncertain += row.label == intent::kUncertainLabel;
        if (intents.size() < 2) intents.insert(row.label);
    }
    if (intents.size() < 2)
        return Refusal{
            words({intent_rows ? N_("not enough training data: %s distinct intents, at least 2 needed")
                               : N_("not enough training data: %s distinct labels, at least 2 needed"),
                   {std::to_string(intents.size())}}),
            {},
            intent_rows ? N_("A classifier needs examples of at least two intents.")
                        : N_("The classifier's source needs rows of at least two labels.")};
    if (uncertain > 0)
        return Refusal{words({N_("invalid intent name \"uncertain\""), {}}),
                       std::to_string(uncertain) +
                           " usable rows are labelled \"uncertain\", which classify_intent() returns for "
                           "predictions below the abstain threshold.",
                       N_("Relabel those rows (submit_intent_correction()) or reject them.")};
    return std::nullopt;
}

// The run's request: the caller's options (train_intent_model() has
// validated them), then the policy's keys, which a caller cannot set (the
// worker refuses them in the options) and which override as the worker's
// merge of 0.2.1 did, and the policy's bounds on the rows read.
intent::TrainingRequest run_request(Datum options, const TrainingPolicy &policy) {
    intent::TrainingRequest request;
    request.apply_json(jsonb_to_utf8(options));
    intent::Json keys = {{"min_gate_rows", policy.min_gate_rows},
                         {"out_of_scope_intent", policy.out_of_scope_intent},
                         {"out_of_scope_mode", policy.out_of_scope_mode}};
    if (policy.only_reviewed) keys["only_reviewed"] = true;
    request.apply_json(intent::dump_json(keys));
    // The policy's window (reviewed rows first, then the newest): a run may
    // read fewer.
    if (policy.max_training_rows && request.run.limit > *policy.max_training_rows)
        request.run.limit = *policy.max_training_rows;
    // The policy caps the threads. 0 is the core's automatic count (the
    // cores, at most 4), capped too: on a 2-core server the cap of 4 must
    // not turn "automatic" into 4 threads fighting for 2 cores.
    intent::LearnerOptions &learner = request.model.learner;
    learner.threads = static_cast<int>(
        std::min<size_t>(intent::training_threads(learner.threads), policy.max_training_threads));
    return request;
}

// Loads the active model (args 3, 4: its id and run) and marks the rows it
// never trained on as fresh, what it holds for that charged to `budget`.
// Sets `error` when its bytes do not load.
LoadedModel load_active(FunctionCallInfo fcinfo, Oid schema, std::vector<DataRow> &data,
                        std::string &active_model_error, bool intent_rows, intent::MemoryBudget *budget) {
    LoadedModel active;
    if (!PG_ARGISNULL(3)) {
        try {
            // As the owner, for the extension's own gate: not a caller's
            // by-id use, so without model_by_id()'s caller checks.
            size_t stored_bytes = 0;
            active = load_model_row(schema, PG_GETARG_INT64(3), &stored_bytes);
        } catch (const SqlError &e) {
            // The baseline was deleted, or its bytes removed, after the run
            // chose it: an operator deployed another model meanwhile (only an
            // inactive model can go). Train without fresh-row evidence; the
            // run's deploy step then finds another active model and records
            // baseline_changed, instead of the whole training being lost.
            if (e.sqlstate() != ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE &&
                e.sqlstate() != ERRCODE_NO_DATA_FOUND)
                throw;
        } catch (const intent::Error &e) {
            // The active model's bytes do not load (XX001): it cannot serve
            // a single prediction, and failing every run here left no way to
            // replace it (retraining was the error's own hint). Train without
            // fresh-row evidence, as above, and say why.
            if (e.kind() != intent::ErrorKind::CorruptModel) throw;
            active_model_error = e.what();
            const std::string detail = e.detail();
            const int64 active_id = PG_GETARG_INT64(3);
            pg_call([&]() noexcept {
                ereport(WARNING,
                        (errmsg("the active intent model %lld cannot be loaded: %s",
                                static_cast<long long>(active_id), active_model_error.c_str()),
                         errdetail("%s", detail.c_str()),
                         errhint("This run is not compared with it on fresh rows; deploy the new model, "
                                 "e.g. with {\"deploy\": \"always\"}.")));
            });
        }
        if (active.model && !PG_ARGISNULL(4) && intent_rows) {
            // Only reviewed rows judge the active model. An unreviewed row's
            // label is the detected intent its writer sent: usually the
            // active model's own answer (which no new model can beat on that
            // row), and a role allowed only to log interactions writes it, so
            // it must not steer which model is served.
            // The label the active model's run trained each of them with: a
            // map of this run's reviewed rows, charged to the run's budget,
            // whatever the size of that run (as a classifier's keys,
            // classifier_fresh_rows.cpp; 0.3.2 before this copied every row
            // of that run, uncharged).
            size_t reviewed = 0;
            for (const DataRow &row : data)
                reviewed += row.reviewed ? 1 : 0;
            RunRowLabels trained_on;
            intent::MemoryCharge trained_on_charge(budget);
            bool recorded = false;
            if (reviewed > 0) {
                trained_on_charge.add(reviewed * hashed_entry_bytes<RunRowLabels::value_type>(),
                                      "the ids of this run's reviewed rows");
                trained_on.reserve(reviewed);
                for (const DataRow &row : data)
                    if (row.reviewed) trained_on.emplace(row.id, std::string());
                recorded = run_labels(schema, PG_GETARG_DATUM(4), trained_on, trained_on_charge);
            }
            for (DataRow &row : data) {
                if (!row.reviewed || !recorded) continue;
                // Every reviewed row is in the map: "" where the active
                // model's run did not record it (a label is never "").
                const auto it = trained_on.find(row.id);
                row.fresh = it == trained_on.end() || it->second != row.label;
            }
        }
        // Without a record, no row is known to be fresh and the gate
        // compares estimates: no run (a model inserted by hand), or a run
        // that recorded no row (0.1.0's runs, which kept no list: run_labels();
        // 0.3.2 before this took every reviewed row for fresh, those the
        // 0.1.0 model trained on too).
    }

    return active;
}

// The core's copy of the rows takes the UTF-8 texts read: no second copy of
// every text, no second conversion. What the results need of the rest of
// each DataRow is then kept as RunRows (train_reader.h), both forms of its
// label among it: the server encoding's for the run's rows, UTF-8 for
// comparing with the models' labels (compare_with_fallback()).
std::vector<intent::LabeledText> core_rows(std::vector<DataRow> &data, float corrected_weight) {
    std::vector<intent::LabeledText> rows(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        DataRow &row = data[i];
        rows[i].text = row.utf8.text().empty() ? std::move(row.text) : row.utf8.take_text();
        std::string().swap(row.text);
        rows[i].label = row.label_utf8();
        rows[i].corrected = row.corrected;
        rows[i].weight = row.corrected ? corrected_weight : row.weight;
        rows[i].fresh = row.fresh;
    }
    return rows;
}

std::string uuid_text(const Uuid &id) {
    char buf[UUID_LEN * 2 + 5];
    const uint8_t *b = id.b;
    snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return std::string(buf);
}

// What the reader left out or cut of the run's rows, as the run's metrics
// state it (each key absent when 0): in a trained run's report, and in a
// refused run's (refused()), whose failed run keeps them.
intent::Json read_counts_json(const ReadCounts &counts) {
    intent::Json out = intent::Json::object();
    if (counts.skipped_invalid_text > 0) out["rows_skipped_invalid_utf8"] = counts.skipped_invalid_text;
    if (counts.skipped_untranslatable > 0) out["rows_skipped_untranslatable"] = counts.skipped_untranslatable;
    if (counts.truncated_messages > 0) out["messages_truncated"] = counts.truncated_messages;
    if (counts.skipped_long_label > 0) out["rows_skipped_long_label"] = counts.skipped_long_label;
    if (counts.skipped_invalid_label > 0) out["rows_skipped_invalid_label"] = counts.skipped_invalid_label;
    if (counts.skipped_rare_intent > 0) out["rows_skipped_rare_intent"] = counts.skipped_rare_intent;
    if (counts.skipped_intent_limit > 0) out["rows_skipped_intent_limit"] = counts.skipped_intent_limit;
    if (counts.skipped_long_partition > 0) out["rows_skipped_long_partition"] = counts.skipped_long_partition;
    if (counts.skipped_long_key > 0) out["rows_skipped_long_key"] = counts.skipped_long_key;
    if (counts.skipped_null_key > 0) out["rows_skipped_null_key"] = counts.skipped_null_key;
    if (counts.duplicate_key > 0) out["rows_duplicate_key"] = counts.duplicate_key;
    return out;
}

// What a run with the subword vectors says of the texts without a label
// (UnlabelledTexts): those it used, and those the bounds left out (past
// unlabelled_rows or unlabelled_bytes, or the budget) or that were not
// UTF-8 (each of these absent when 0). One statement for a trained run's
// report, a refused one's and a failed one's (TrainerCall::read_counts).
void add_unlabelled_counts(intent::Json &out, const UnlabelledTexts &unlabelled) {
    out["unlabelled_texts"] = unlabelled.texts.size();
    if (unlabelled.left_out > 0) out["unlabelled_texts_left_out"] = unlabelled.left_out;
    if (unlabelled.skipped_invalid > 0) out["unlabelled_texts_skipped_invalid"] = unlabelled.skipped_invalid;
}

// The report the run records (ai_training_runs.metrics, with the deploy
// decision the worker adds). Takes the per-row results out of `trained`.
intent::Json stored_report(intent::TrainedModel &trained, const RunRows &data, const ReadCounts &counts,
                           const std::string &active_model_error, std::vector<intent::RowResult> &results,
                           bool intent_rows) {
    // The stored report: per-row results go to ai_training_run_rows, so the
    // column-wise row_results and the gate's row list are left out;
    // misclassified rows are named by their ai_training_data id. The per-row
    // results are set aside while the report is written, so that it never
    // holds them (written, parsed back and erased, they cost more than the
    // rest of the report at 15,000 rows); they are only ever read into the
    // arrays below.
    results = std::move(trained.report.rows);
    trained.report.rows.clear();
    intent::Json report = trained.report.to_json_object(trained.model);
    report.erase("row_results");
    if (report["gate"].is_object()) report["gate"].erase("input_rows");
    const intent::Json skipped = read_counts_json(counts);
    for (auto it = skipped.begin(); it != skipped.end(); ++it)
        report[it.key()] = *it;
    if (!active_model_error.empty()) report["active_model_error"] = active_model_error;
    if (report.contains("metrics") && report["metrics"].contains("misclassified"))
        for (intent::Json &m : report["metrics"]["misclassified"]) {
            if (m.contains("row") && m["row"].is_number_unsigned() && m["row"].get<size_t>() < data.size()) {
                const size_t row = m["row"].get<size_t>();
                const std::string_view key = data.key(row);
                if (intent_rows)
                    m["training_data_id"] = uuid_text(data.id(row));
                else if (data.has_keys()) { // '' too: a key, as NULL never is
                    std::string storage;    // the key as JSON holds it, UTF-8
                    m["row_key"] = std::string(server_to_utf8(key.data(), key.size(), storage));
                }
            }
            m.erase("row");
        }
    return report;
}

// A figure as the recorded report states it: NaN and infinities are null
// there (dump_json()), and absent from the run's columns.
std::optional<double> recorded(double value) {
    return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
}

// The deploy rule's inputs (src/core/deploy_rule.h), from the trainer's
// typed report: the gate's evidence on fresh rows, or for a partition's
// first model its comparison with the fallback (compare_with_fallback()).
intent::DeployDecision decide(const intent::TrainReport &report, const intent::TrainReport::Summary &summary,
                              const std::optional<intent::GateEvidence> &against_fallback,
                              const intent::TrainingRequest &request, bool has_active,
                              std::optional<double> active_estimate, const TrainingPolicy &policy) {
    intent::DeployInputs in;
    in.mode = request.run.deploy;
    in.has_active = has_active;
    in.test_samples = static_cast<int64_t>(summary.test_samples);
    in.oof_f1 = recorded(summary.f1);
    if (const intent::GateReport &gate = report.gate; gate.evaluated) {
        in.gate.sufficient = gate.sufficient;
        in.gate.candidate_f1 = recorded(gate.candidate.macro_f1);
        in.gate.active_f1 = recorded(gate.active.macro_f1);
        in.gate.candidate_accuracy = recorded(gate.candidate.accuracy);
        in.gate.active_accuracy = recorded(gate.active.accuracy);
        in.gate.candidate_only_correct = static_cast<int64_t>(gate.candidate_only_correct);
        in.gate.active_only_correct = static_cast<int64_t>(gate.active_only_correct);
    }
    in.active_estimate = active_estimate;
    in.max_f1_regression = policy.max_f1_regression;
    // A partition's first model: the fallback is the baseline, on the rows
    // both answered out of fold.
    if (!has_active && against_fallback) {
        in.has_active = true;
        in.baseline_is_fallback = true;
        in.gate = *against_fallback;
        in.oof_f1 = in.gate.candidate_f1;
        in.active_estimate = in.gate.active_f1;
    }
    return intent::decide_deploy(in);
}

// The refused rows' result: why, how many rows were read, and (its report)
// what the reader left out or cut of them: too few rows may be few because
// of those. A run of train_run() records the same in its failed run's
// metrics (TrainerCall, as for any failure once the rows were read).
Datum refused(FunctionCallInfo fcinfo, const Refusal &why, size_t rows_read, const intent::Json &counts) {
    ResultRow row;
    row.set(kReport, counts);
    row.set(kRefusal, why.message);
    if (!why.detail.empty()) row.set(kRefusalDetail, fixed_words(why.detail));
    if (!why.hint.empty()) row.set(kRefusalHint, fixed_words(why.hint));
    row.set(kRowsRead, std::optional<int64_t>(static_cast<int64_t>(rows_read)));
    return form_result(fcinfo, row, nullptr);
}

// What the worker records of the run: the model row's columns, the run
// row's headline figures and the deploy decision. The recorded report
// (`report`) gives the JSON columns; the figures come typed (`summary`).
void set_summary(ResultRow &row, const intent::Json &report, const intent::TrainReport::Summary &summary,
                 const intent::IntentModel &model, const intent::TrainingRequest &request,
                 const intent::DeployDecision &d) {
    const intent::Json none;
    const intent::Json metrics = report.value("metrics", none), options = report.value("options", none);
    // model_config: the model's options as trained, and the run's.
    intent::Json config = options.is_object() ? options : intent::Json::object();
    const intent::Json effective = request.as_json();
    for (const char *key : {"deploy", "min_confidence", "only_reviewed", "limit"})
        config[key] = effective.at(key);
    row.set(kModelConfig, config);
    // The model row's metrics: the out-of-fold metrics with the threshold,
    // the evidence floor, the calibration and the evaluation.
    intent::Json model_metrics = metrics.is_object() ? metrics : intent::Json::object();
    model_metrics["threshold"] = report.value("threshold", none);
    model_metrics["evidence"] = report.value("evidence", none);
    model_metrics["support"] = report.value("support", none);
    model_metrics["unknown_words"] = report.value("unknown_words", none);
    model_metrics["label_unknown_words"] = report.value("label_unknown_words", none);
    if (const intent::Json rule = report.value("recall_rule", none); !rule.is_null())
        model_metrics["recall_rule"] = rule; // recall_label's offset, when set
    if (const intent::Json weight = report.value("subword_weight", none); !weight.is_null())
        model_metrics["subword_weight"] = weight; // subword_vectors' weight and its choice, when on
    if (const intent::Json decision = report.value("subword_auto", none); !decision.is_null())
        model_metrics["subword_auto"] = decision; // subword_vectors "auto": the rule's decision
    model_metrics["calibration"] = metrics.is_object() ? metrics.value("calibration", none) : none;
    model_metrics["evaluation"] = report.value("evaluation", none);
    row.set(kModelMetrics, model_metrics);
    const intent::Json algorithm = options.is_object() ? options.value("algorithm", none) : none;
    row.set(kAlgorithm, algorithm.is_string() ? algorithm.get<std::string>() : std::string("unknown"));
    const std::vector<std::string> &intents = model.labels();
    row.set(kIntents,
            make_array(intents.size(), TEXTOID, [&](size_t i, bool &) { return utf8_to_text(intents[i]); }));
    row.set(kThreshold, recorded(summary.threshold));
    row.set(kEvaluationMethod, std::string(summary.evaluation_method));
    row.set(kTrainingSamples, std::optional<int64_t>(static_cast<int64_t>(summary.training_samples)));
    row.set(kValidationSamples, std::optional<int64_t>(static_cast<int64_t>(summary.validation_samples)));
    row.set(kTestSamples, std::optional<int64_t>(static_cast<int64_t>(summary.test_samples)));
    row.set(kTotalIntents, std::optional<int64_t>(static_cast<int64_t>(summary.total_intents)));
    row.set(kAccuracy, recorded(summary.accuracy));
    row.set(kPrecision, recorded(summary.precision));
    row.set(kRecall, recorded(summary.recall));
    row.set(kF1, recorded(summary.f1));
    row.set(kDeployMode, std::string(intent::deploy_mode_name(request.run.deploy)));
    row.set(kDeploy, BoolGetDatum(d.deploy));
    row.set(kDeployReason, d.reason);
    row.set(kDeployEvidence, d.evidence);
    row.set(kCandidateF1, d.candidate_f1);
    row.set(kBaselineF1, d.baseline_f1);
    row.set(kBaselineAccuracy, d.baseline_accuracy);
    row.set(kRightMore, d.right_more);
}

// COMPAT(0.3.1) The per-row results as the result row's arrays, which only
// 0.3.1's declaration has and only its worker reads (0.3.2's trainer records
// them from C: record_rows()).
void set_rows(ResultRow &row, const RunRows &data, const std::vector<intent::RowResult> &results,
              const std::vector<std::string> &labels, bool intent_rows, bool keyed) {
    const RunRowArrays a = run_row_arrays(data, results, labels, intent_rows, keyed, 0, data.size());
    // The built-in classifier's rows are named by their ai_training_data id,
    // another classifier's by its key_column (none without one).
    if (intent_rows)
        row.set(kRowIds, a.key);
    else if (keyed)
        row.set(kRowKeys, a.key);
    row.set(kRowIntents, a.label);
    row.set(kRowFresh, a.fresh);
    row.set(kRowFolds, a.fold);
    row.set(kRowPredicted, a.predicted);
    row.set(kRowConfidence, a.confidence);
    row.set(kRowLabelProbability, a.label_probability);
    row.set(kRowUncertain, a.uncertain);
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

namespace pg_intent {
namespace {

// A text argument's bytes.
std::string text_to_std_string(Datum d) {
    const TextRef ref = text_ref(d);
    return std::string(ref.data, ref.size);
}

} // namespace
} // namespace pg_intent

// _pg_intent_train_table(p_run_id uuid, p_options jsonb, p_policy
// ai_training_policy, p_active_model_id bigint, p_active_run_id uuid,
// p_active_estimate double precision, p_classifier text, p_partition text).
// p_options are the run's (the run's keys select the rows, the rest are the
// model's); p_policy is the policy row, read once by the worker (for a
// classifier, ai_training_policy with the classifier's keys over it). The
// built-in classifier "intent" reads ai_training_data; any other takes the
// rows train_classifier() read and passes to this call itself
// (train_classifier_rows(), never from SQL), of partition p_partition
// (NULL: all).
namespace {

// Writes to `out`, when the run ends however it ends, how far the run took
// the budget's peak above what was in use when it began: of a budget the
// call shares (a classifier's), 0 when the run's charges stayed below an
// earlier run's peak (its freed memory was that run's, which the next run
// reuses).
struct PeakCharge {
    const intent::MemoryBudget &budget;
    size_t &out;
    const size_t start_used = budget.used();
    const size_t start_peak = budget.peak();
    ~PeakCharge() { out = budget.peak() > start_peak ? budget.peak() - start_used : 0; }
};

Datum train_table(FunctionCallInfo fcinfo, size_t &peak_charged, const StagedSource *given,
                  TrainerCall *record) {
    // COMPAT(0.2.x) 0.2.0's and 0.2.1's SQL call it with seven arguments (five policy
    // columns in place of the row), 0.2.2's with six, until ALTER EXTENSION
    // UPDATE runs: their third would be read as a row.
    if (PG_NARGS() != 8)
        throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                       intent::Message{N_("_pg_intent_train_table() was called with another signature"), {}},
                       N_("The pg_intent library is newer than the extension's SQL objects."),
                       N_("Run ALTER EXTENSION pg_intent UPDATE."));
    for (int i : {0, 1, 2, 6})
        if (PG_ARGISNULL(i))
            throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                           intent::Message{N_("arguments must not be null"), {}});
    const std::string classifier = text_to_std_string(PG_GETARG_DATUM(6));
    const bool intent_rows = classifier == intent::kBuiltinClassifier;
    std::optional<std::string> partition;
    if (!PG_ARGISNULL(7)) partition = text_to_std_string(PG_GETARG_DATUM(7));
    const StagedSource *staged = intent_rows ? nullptr : given ? given : compat031_staged_source(classifier);
    if (!intent_rows && !staged)
        throw SqlError(
            ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            intent::Message{N_("no rows of classifier \"%s\" were read for this run"), {classifier}},
            N_("A classifier's rows are read by train_classifier(), with its caller's rights."),
            N_("Call train_classifier()."));
    Oid schema = InvalidOid;
    ResultShape shape = ResultShape::Current;
    char run_id_text[UUID_LEN * 2 + 5] = {0};
    pg_call([&]() noexcept {
        shape = check_result_columns(fcinfo);
        schema = calling_function(fcinfo).schema;
        char *s = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0)));
        strlcpy(run_id_text, s, sizeof run_id_text);
    });
    const TrainingPolicy policy = training_policy(PG_GETARG_DATUM(2));
    intent::TrainingRequest request = run_request(PG_GETARG_DATUM(1), policy);
    // What one tenant can learn of another's text (issue 31, item 9;
    // docs/classifiers.md): every model of a partitioned classifier
    // normalises digit runs, so no n-gram names a number, and its shared
    // fallback keeps only the n-grams that the rows of two partitions (rows
    // without one count as one) both contain, so a string of one tenant's
    // rows is no feature of the model every tenant may explain. Only this
    // decides min_feature_partitions: every run refuses it in its options
    // (classifier_options.h; a named classifier's own keys were refused
    // where they were set).
    refuse_reserved_options(request, OptionsOf::AnyTraining);
    const bool partitioned = staged && staged->partitioned;
    const bool by_group = partitioned && !partition;
    if (partitioned) request.model.features.text.normalize_digits = true;
    if (by_group) request.model.features.min_feature_partitions = 2;
    Selection sel;
    sel.min_confidence = request.run.min_confidence;
    sel.only_reviewed = request.run.only_reviewed;
    sel.limit = request.run.limit;
    sel.unreviewed = policy.unreviewed;

    // The policy's memory limit: the rows read are charged as they are read,
    // then the core charges its own buffers (53200 when they would not fit).
    // A classifier's run charges its call's budget, which still holds the
    // rows the call read (StagedSource::budget): one limit for the whole
    // call, never one for the read and another for each run.
    intent::MemoryBudget own_budget(policy.memory_limit);
    intent::MemoryBudget &budget = staged && staged->budget ? *staged->budget : own_budget;
    const PeakCharge peak{budget, peak_charged};
    intent::MemoryCharge data_charge(&budget);
    TrainingProgress progress(run_id_text, 0, classifier, partition ? &*partition : nullptr);
    ReadCounts counts;
    std::vector<uint32_t> groups; // by_group: each row's partition
    std::string fresh_rule;       // a classifier's: which rule judged the fresh rows
    std::vector<DataRow> data = intent_rows
                                    ? read_training_rows(schema, sel, progress, data_charge, counts)
                                    : classifier_rows(schema, fcinfo, *staged, partition, policy, data_charge,
                                                      counts, by_group ? &groups : nullptr, fresh_rule);
    // train_run()'s failed run keeps them, whatever fails from here on
    // (with the texts without a label, once they are read: below).
    intent::Json read_report = read_counts_json(counts);
    if (record) {
        record->rows_read = static_cast<int32>(data.size());
        record->read_counts = read_report.dump();
    }
    if (std::optional<Refusal> why = refuse_dataset(data, policy.min_samples_for_training, intent_rows))
        return refused(fcinfo, *why, data.size(), read_report);

    // The fallback's out-of-fold answers are this call's fallback run's only.
    if (by_group) {
        staged->fallback_answers.clear();
        staged->fallback_labels.clear();
    }
    std::string active_model_error; // why the active model could not be loaded
    LoadedModel active = load_active(fcinfo, schema, data, active_model_error, intent_rows, &budget);

    intent::MemoryCharge rows_charge(&budget, data.size() * sizeof(intent::LabeledText), "the training rows");
    std::vector<intent::LabeledText> rows = core_rows(data, policy.corrected_weight);
    for (size_t i = 0; i < groups.size() && i < rows.size(); ++i)
        rows[i].group = groups[i];
    std::vector<uint32_t>().swap(groups);
    // The DataRows, which held 152 bytes a row through the refit, go now;
    // the results keep what they read of them (RunRows).
    const RunRows kept(std::move(data), intent_rows, staged && staged->has_key, !intent_rows);
    data_charge.reset();
    data_charge.add(kept.bytes(), "the training rows");
    // The texts moved from the DataRows to `rows`: still charged, now as
    // the rows' (their DataRows' charge was just given back), until the
    // core takes them over below.
    rows_charge.resize(intent::labeled_rows_bytes(rows), "the training rows");
    intent::TrainCallbacks callbacks;
    callbacks.cancelled = [] { return training_should_stop(); };
    callbacks.progress = [&progress](const intent::TrainProgress &p) { progress.report(p); };
    callbacks.memory = &budget;
    // With subword_vectors, the texts of the rows that do not train feed the
    // vectors too (never a label). For the built-in classifier: rows anyone
    // may log: the newest within the option's rows and bytes, each read as
    // an unreviewed message, charged to the budget only where they fit.
    // Without the option nothing is read.
    // With subword_vectors "auto" (the default), they are read only where
    // the labels are thin (subword_auto.h: fewer than min_intent_rows rows
    // per label), so a run with enough rows per label never scans for them;
    // the core then counts what was read against the rule's ratio. Never
    // for a partitioned classifier (neither its partitions nor its shared
    // fallback): every tenant would carry megabytes of vectors; its runs
    // turn the vectors on only when the option says so.
    // The rows' labels are counted once, here, in the automatic mode, for
    // both halves of the rule: whether to read the texts, and what the run
    // does with them (below, and the core's decision: `labels`, which
    // train_model_taking_rows() takes instead of counting them again).
    std::optional<size_t> labels;
    if (request.model.subword_auto_mode())
        labels = intent::distinct_labels(
            rows, [](const intent::LabeledText &r) -> std::string_view { return r.label; });
    const bool auto_reads =
        labels && !partitioned &&
        intent::subword_auto_labels_thin(rows.size(), *labels, request.model.min_intent_rows);
    const bool read_unlabelled = request.model.subword_vectors || auto_reads;
    std::optional<UnlabelledTexts> unlabelled;
    intent::MemoryCharge unlabelled_charge(&budget);
    if (read_unlabelled && intent_rows) {
        UnlabelledBounds bounds;
        bounds.max_rows =
            std::min<int64_t>(request.model.subword_unlabelled_rows, policy.unreviewed.max_rows);
        bounds.max_bytes = request.model.subword_unlabelled_bytes;
        pg_call([&]() noexcept { bounds.message_bytes = message_bytes_to_read(false, policy.unreviewed); });
        unlabelled = read_unlabelled_texts(schema, bounds, unlabelled_charge);
    } else if (read_unlabelled && (request.model.subword_vectors || staged->unlabelled_read)) {
        // A classifier's: those train_classifier() staged (its source's rows
        // that train under no label, trains_under_no_label(), read with the
        // labelled ones), of this partition; all of them for a classifier
        // without partitions. None for a partitioned classifier's shared
        // fallback, which every tenant is served and explains: one tenant's
        // unlabelled words stay out of it. With "auto", none given where the read found the labels not
        // thin and read none (the rule then says so, never "0 texts").
        // What the bounds left out: of this partition's texts, or of every
        // text for the run that reads every row (`counts`, the read's of
        // this run's rows: StagedSource::read_counts()).
        unlabelled.emplace();
        unlabelled->left_out = counts.unlabelled_left_out;
        unlabelled->skipped_invalid = counts.unlabelled_skipped_invalid;
        if (!by_group)
            for (const StagedText &t : staged->unlabelled)
                if (!partition || (!t.partition_null && t.partition == *partition)) {
                    unlabelled_charge.add(t.text.size() + sizeof(std::string), "the texts without a label");
                    unlabelled->texts.push_back(t.text);
                }
    }
    // Whether the run learns from them: with the option, or where "auto"
    // turns the vectors on. Decided once, here, by the decision the core
    // takes on the same rows and texts (intent::subword_auto_decision()), and
    // read twice: a run that fails or is refused from here on keeps what it
    // says of them, as a trained run's report does (below). Without the
    // option, texts were read only where auto_reads counted `labels`.
    const std::vector<std::string> *unlabelled_texts = unlabelled ? &unlabelled->texts : nullptr;
    const bool reports_unlabelled =
        unlabelled &&
        (request.model.subword_vectors ||
         intent::subword_auto_decision(rows.size(), labels.value_or(0), request.model, unlabelled_texts).on);
    if (reports_unlabelled) {
        add_unlabelled_counts(read_report, *unlabelled);
        if (record) record->read_counts = read_report.dump();
    }
    std::optional<intent::TrainedModel> trained;
    try {
        // The core frees the rows once it has built their features, and
        // charges them until then: this charge goes to it, never twice.
        rows_charge.reset();
        trained.emplace(intent::train_model_taking_rows(std::move(rows), request.model, callbacks,
                                                        active.model.get(), unlabelled_texts, labels));
    } catch (const intent::Error &e) {
        // What the core finds too little to train on (every row of an
        // intent dropped, no features left) is refused rows as well.
        if (e.kind() != intent::ErrorKind::InsufficientData) throw;
        return refused(
            fcinfo,
            Refusal{e.message().pattern ? words(e.message()) : std::string(e.what()), e.detail(), e.hint()},
            kept.size(), read_report);
    }

    std::vector<intent::RowResult> results;
    intent::Json report = stored_report(*trained, kept, counts, active_model_error, results, intent_rows);
    // Which rule said which rows the active model never trained on (see
    // classifier_rows()), so that the report never claims more.
    if (!intent_rows) {
        report["fresh_rows_rule"] = fresh_rule;
        // The gate's reason for no fresh rows, by that rule, with the
        // gate_window_days window (the core's speaks of intent's rule).
        const auto gate = report.find("gate");
        if (gate != report.end() && gate->is_object() &&
            gate->value("reason_code", std::string()) == "no_fresh_rows")
            (*gate)["reason"] =
                fresh_rule == "key" ? "no fresh rows: the active model's run trained on every reviewed row "
                                      "(of the gate_window_days window, when set)"
                : fresh_rule == "time_column"
                    ? "no fresh rows: no reviewed row is later than the start of the active model's run and "
                      "not dated in the future (and within the gate_window_days window, when set)"
                    : "no fresh rows: neither keys recorded by the active model's run nor a time_column tell "
                      "which rows are new to it";
    }
    // What the subword vectors learned from besides the run's rows: every
    // run with the option says it, and a run without it says nothing.
    if (reports_unlabelled) add_unlabelled_counts(report, *unlabelled);
    if (results.size() != kept.size())
        throw SqlError(ERRCODE_INTERNAL_ERROR,
                       intent::Message{N_("the trainer returned results for another number of rows"), {}});
    if (by_group) keep_fallback_answers(*staged, kept, results, trained->model.labels());
    std::optional<intent::GateEvidence> against_fallback;
    if (partition && PG_ARGISNULL(3))
        against_fallback = compare_with_fallback(*staged, kept, results, trained->model, policy, report);
    const std::optional<double> active_estimate =
        PG_ARGISNULL(5) ? std::nullopt : std::optional<double>(PG_GETARG_FLOAT8(5));
    const intent::TrainReport::Summary summary = trained->report.summary(trained->model);
    const intent::DeployDecision decision = decide(trained->report, summary, against_fallback, request,
                                                   !PG_ARGISNULL(3), active_estimate, policy);

    ResultRow row;
    row.set(kReport, report);
    set_summary(row, report, summary, trained->model, request, decision);
    const bool keyed = staged && staged->has_key;
    if (record) {
        // A run of train_run(): the rows go to their table now, in bounded
        // batches, and the row says how many (the failed run's rows_read,
        // should the insert or the record fail: record->rows_read).
        if (intent_rows || keyed) {
            record_rows(schema, PG_GETARG_DATUM(0), kept, results, trained->model.labels(), intent_rows,
                        keyed, counts.duplicate_key == 0);
            row.set(kRowsRead, std::optional<int64_t>(static_cast<int64_t>(kept.size())));
        }
    } else if (shape == ResultShape::WithRowArrays031) {
        // COMPAT(0.3.1) its PL/pgSQL worker calls this function by SQL and
        // inserts the rows from these arrays, until ALTER EXTENSION UPDATE.
        set_rows(row, kept, results, trained->model.labels(), intent_rows, keyed);
    } // else called by SQL under 0.3.2's declaration, by no run: the rows are
      // recorded nowhere, and the result holds the run's figures only.
    Oid models = InvalidOid;
    pg_call([&]() noexcept { models = extension_relation(schema, "ai_intent_models"); });
    const std::string blob = trained->model.serialize();
    return form_result(fcinfo, row, &blob, models);
}

} // namespace

// A run that charged less skips release_freed_heap(): malloc_trim() walks
// every free chunk of the heap (tens of milliseconds on a fragmented one),
// and a partitioned classifier trains hundreds of small runs in one call,
// whose freed memory the next one reuses.
constexpr size_t kReleaseHeapAfterBytes = size_t{32} << 20;

namespace {

Datum train_table_releasing(FunctionCallInfo fcinfo, const StagedSource *staged, TrainerCall *record) {
    size_t peak_charged = 0;
    const Datum result = train_table(fcinfo, peak_charged, staged, record);
    if (peak_charged >= kReleaseHeapAfterBytes) release_freed_heap(); // every C++ object of the run is gone
    return result;
}

} // namespace

// From SQL: intent's rows; a classifier has none to give (refused above).
// COMPAT(0.3.1) only 0.3.1's worker calls it so, and records the rows itself
// from the result's arrays.
PG_INTENT_FUNCTION(pg_intent_train_table) {
    return train_table_releasing(fcinfo, nullptr, nullptr);
}

namespace pg_intent {

Datum train_classifier_rows(FunctionCallInfo fcinfo, void *call) {
    TrainerCall *trainer = static_cast<TrainerCall *>(call);
    return train_table_releasing(fcinfo, static_cast<const StagedSource *>(trainer->rows), trainer);
}

Datum train_intent_rows(FunctionCallInfo fcinfo, void *call) {
    return train_table_releasing(fcinfo, nullptr, static_cast<TrainerCall *>(call));
}

} // namespace pg_intent
