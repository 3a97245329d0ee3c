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
// states them (src/sql/40_training.sql), each one read by the run's record
// (_pg_intent_train_run_record(); rows_read by train_run()). One list gives
// the enum and the check below, so a declaration that drifts from it is an
// error naming the column before anything is read, not a value read as
// another type.
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
    X(kRightMore, "fresh_rows_right_more", INT4OID)

// COMPAT(0.3.1) 0.3.0's and 0.3.1's declaration, which their SQL calls until
// ALTER EXTENSION UPDATE, has the run's rows after those columns as nine
// arrays, which their PL/pgSQL worker inserts (set_rows() in
// train_entry.cpp); 0.3.2's trainer inserts them itself (run_rows.cpp).
#define PG_INTENT_TRAIN_TABLE_ROW_COLUMNS_031(X)                                                             \
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
enum Column {
    PG_INTENT_TRAIN_TABLE_COLUMNS(PG_INTENT_COLUMN_ENUM)
        PG_INTENT_TRAIN_TABLE_ROW_COLUMNS_031(PG_INTENT_COLUMN_ENUM) kColumnsWithRows031
};
#undef PG_INTENT_COLUMN_ENUM
// The current declaration's columns: those before the row arrays.
constexpr int kColumns = kRowIds;

// Which declaration the call has: the current one, or (COMPAT(0.3.1)) 0.3.1's
// with the row arrays, whose values only that SQL's worker reads.
enum class ResultShape { Current, WithRowArrays031 };

struct ResultRow {
    Datum values[kColumnsWithRows031] = {};
    bool nulls[kColumnsWithRows031];
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
// differs, or the number of columns. The current declaration, or while the
// extension's SQL is older than 0.3.2 (no intent_internal of its own), 0.3.1's
// with the row arrays; says which. PostgreSQL calls only: use inside pg_call().
ResultShape check_result_columns(FunctionCallInfo fcinfo) noexcept;

// The row as the call's result; `blob`, when given, is the model column,
// compressed with the method of the model column of `models`
// (ai_intent_models), as storing it there would.
Datum form_result(FunctionCallInfo fcinfo, ResultRow &row, const std::string *blob = nullptr,
                  Oid models = InvalidOid);

} // namespace pg_intent
