// The result row of _pg_intent_train_table() (train_entry.cpp): its columns,
// as the SQL declaration states them (src/sql/40_training.sql), and how the
// row is built and returned.
#pragma once

#include "pg_headers.h"
#include "text_io.h"

#include "json.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>

namespace pg_intent {

// The result row's columns: name, type and position as the SQL declaration
// states them (src/sql/40_training.sql). One list gives the enum and the
// check below, so a declaration that drifts from it is an error naming the
// column before anything is read, not a value read as another type.
#define PG_INTENT_TRAIN_TABLE_COLUMNS(X)                                                                     \
    X(kModel, "model", BYTEAOID)                                                                             \
    X(kReport, "report", JSONBOID)                                                                           \
    X(kRefusal, "refusal", TEXTOID)                                                                          \
    X(kRefusalDetail, "refusal_detail", TEXTOID)                                                             \
    X(kRefusalHint, "refusal_hint", TEXTOID)                                                                 \
    X(kRowsRead, "rows_read", INT4OID)                                                                       \
    X(kModelConfig, "model_config", JSONBOID)                                                                \
    X(kModelMetrics, "model_metrics", JSONBOID)                                                              \
    X(kAlgorithm, "algorithm", TEXTOID)                                                                      \
    X(kIntents, "intents", TEXTARRAYOID)                                                                     \
    X(kThreshold, "threshold", FLOAT8OID)                                                                    \
    X(kEvaluationMethod, "evaluation_method", TEXTOID)                                                       \
    X(kTrainingSamples, "training_samples", INT4OID)                                                         \
    X(kValidationSamples, "validation_samples", INT4OID)                                                     \
    X(kTestSamples, "test_samples", INT4OID)                                                                 \
    X(kTotalIntents, "total_intents", INT4OID)                                                               \
    X(kAccuracy, "intent_accuracy", FLOAT8OID)                                                               \
    X(kPrecision, "intent_precision", FLOAT8OID)                                                             \
    X(kRecall, "intent_recall", FLOAT8OID)                                                                   \
    X(kF1, "intent_f1_score", FLOAT8OID)                                                                     \
    X(kDeployMode, "deploy_mode", TEXTOID)                                                                   \
    X(kDeploy, "deploy", BOOLOID)                                                                            \
    X(kDeployReason, "deploy_reason", TEXTOID)                                                               \
    X(kDeployEvidence, "deploy_evidence", TEXTOID)                                                           \
    X(kCandidateF1, "candidate_f1", FLOAT8OID)                                                               \
    X(kBaselineF1, "baseline_f1", FLOAT8OID)                                                                 \
    X(kBaselineAccuracy, "baseline_accuracy", FLOAT8OID)                                                     \
    X(kRightMore, "fresh_rows_right_more", INT4OID)                                                          \
    X(kRowIds, "row_ids", UUIDARRAYOID)                                                                      \
    X(kRowIntents, "row_intents", TEXTARRAYOID)                                                              \
    X(kRowFresh, "row_fresh", BOOLARRAYOID)                                                                  \
    X(kRowFolds, "row_folds", INT2ARRAYOID)                                                                  \
    X(kRowPredicted, "row_predicted", TEXTARRAYOID)                                                          \
    X(kRowConfidence, "row_confidence", FLOAT4ARRAYOID)                                                      \
    X(kRowLabelProbability, "row_label_probability", FLOAT4ARRAYOID)                                         \
    X(kRowUncertain, "row_uncertain", BOOLARRAYOID)                                                          \
    X(kRowKeys, "row_keys", TEXTARRAYOID)

#define PG_INTENT_COLUMN_ENUM(id, name, type) id,
enum Column { PG_INTENT_TRAIN_TABLE_COLUMNS(PG_INTENT_COLUMN_ENUM) kColumns };
#undef PG_INTENT_COLUMN_ENUM

struct ResultRow {
    Datum values[kColumns] = {};
    bool nulls[kColumns];
    ResultRow() { std::fill(std::begin(nulls), std::end(nulls), true); }
    void set(Column c, Datum d) {
        values[c] = d;
        nulls[c] = false;
    }
    void set(Column c, std::optional<double> v) {
        if (v) set(c, Float8GetDatum(*v));
    }
    void set(Column c, std::optional<int64_t> v) {
        if (v) set(c, Int32GetDatum(static_cast<int32>(*v)));
    }
    void set(Column c, const std::string &utf8) { set(c, utf8_to_text(utf8)); }
    void set(Column c, const intent::Json &json) { set(c, utf8_json_to_jsonb(intent::dump_json(json))); }
};

// Checks the call's declared result against the column list before
// anything is read: ERROR (XX000) naming the first column whose name or type
// differs. PostgreSQL calls only: use inside pg_call().
void check_result_columns(FunctionCallInfo fcinfo) noexcept;

// The row as the call's result; `blob`, when given, is the model column.
Datum form_result(FunctionCallInfo fcinfo, ResultRow &row, const std::string *blob);

} // namespace pg_intent
