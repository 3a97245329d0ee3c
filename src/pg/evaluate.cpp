// evaluate_intent_model(p_model_id bigint, p_query text): scores a model on
// labelled rows from any query the caller may run, and returns the metrics
// object of a training report (accuracy, macro and per-intent precision,
// recall and F1, confusion matrix, calibration) plus abstention figures.
//
// Rights. The function is SECURITY INVOKER and never switches user: the
// caller's query is parsed under the caller's search_path and runs with the
// caller's privileges and row-level security, exactly as if the caller had
// run it. The model is loaded like predict_intent() loads it: the active
// model is everyone's; any other model needs SELECT on its row of
// ai_intent_models (model_by_id()).
//
// Read-only. The query must be a single SELECT, VALUES or TABLE statement
// without data-modifying WITH or FOR UPDATE/SHARE (22023 otherwise), and is
// run through SPI with read_only = true, which refuses anything else again.
// (A function the query calls runs as it would in the caller's own SELECT:
// a volatile function of the caller's may still write, with the caller's
// rights; nothing here runs with more.)
//
// Memory. The rows are read through a cursor, kBatchRows at a time; each
// batch's values live in a memory context reset after the batch, and the
// counts live in an EvalAccumulator (src/core/eval_accumulator.h), so memory
// does not grow with the number of rows. A cancel or statement_timeout is
// honoured between batches and every 256 rows (the executor itself checks
// while it produces rows).
#include "guard.h"
#include "module.h"
#include "text_io.h"

#include "errors.h"
#include "eval_accumulator.h"
#include "evaluation.h"
#include "json.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "utils/plancache.h"
}

#include <algorithm>
#include <string>
#include <unordered_map>

namespace pg_intent {
namespace {

constexpr long kBatchRows = 1000;

const char *const kColumnsHint =
    "Select the message, then the expected intent, as two text columns, e.g. "
    "SELECT user_message, correct_intent FROM my_table (cast others with ::text).";

// CurrentMemoryContext = `to` while in scope.
class SwitchContext {
  public:
    explicit SwitchContext(MemoryContext to) : old_(MemoryContextSwitchTo(to)) {}
    ~SwitchContext() { MemoryContextSwitchTo(old_); }
    SwitchContext(const SwitchContext &) = delete;
    SwitchContext &operator=(const SwitchContext &) = delete;

  private:
    MemoryContext old_;
};

// What the prepared query looks like.
struct QueryShape {
    int statements = 0;
    bool read_only = true;
    bool returns_rows = false;
    bool two_text_columns = false;
    std::string columns; // "name type, name type" for the error detail
};

// Prepares the caller's query (SPI connected) and describes it.
SPIPlanPtr prepare_query(const std::string &sql, QueryShape &shape) {
    SPIPlanPtr plan = nullptr;
    const char *column_names = nullptr;
    size_t column_names_size = 0;
    pg_call([&]() noexcept {
        plan = SPI_prepare(sql.c_str(), 0, nullptr);
        if (!plan) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        List *sources = SPI_plan_get_plan_sources(plan);
        shape.statements = list_length(sources);
        if (shape.statements != 1) return;
        auto *source = static_cast<CachedPlanSource *>(linitial(sources));
        ListCell *lc;
        foreach (lc, source->query_list) {
            Query *query = lfirst_node(Query, lc);
            if (query->commandType != CMD_SELECT || query->hasModifyingCTE || query->rowMarks != NIL)
                shape.read_only = false;
        }
        TupleDesc desc = source->resultDesc;
        if (!desc) return;
        shape.returns_rows = true;
        int columns = 0, text_columns = 0;
        StringInfoData names;
        initStringInfo(&names);
        for (int i = 0; i < desc->natts; ++i) {
            Form_pg_attribute att = TupleDescAttr(desc, i);
            if (att->attisdropped) continue;
            const Oid base = getBaseType(att->atttypid);
            text_columns += base == TEXTOID || base == VARCHAROID;
            appendStringInfo(&names, "%s%s %s", columns ? ", " : "", quote_identifier(NameStr(att->attname)),
                             format_type_be(att->atttypid));
            ++columns;
        }
        shape.two_text_columns = columns == 2 && text_columns == 2 && desc->natts == 2;
        column_names = names.data; // freed with the call's memory context
        column_names_size = static_cast<size_t>(names.len);
    });
    // Copied outside pg_call(), whose noexcept callable must not allocate
    // through C++ (a std::bad_alloc there would terminate the backend).
    if (column_names) shape.columns.assign(column_names, column_names_size);
    return plan;
}

struct Counts {
    uint64_t query_rows = 0, skipped = 0, abstained = 0, accepted = 0, accepted_right = 0;
    uint64_t out_of_scope = 0, out_of_scope_caught = 0;
};

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// evaluate_intent_model(p_model_id bigint, p_query text) RETURNS jsonb
PG_INTENT_FUNCTION(pg_intent_evaluate_model) {
    if (PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "p_query must not be null", nullptr, kColumnsHint);
    Oid schema = InvalidOid;
    const char *query = nullptr;
    size_t query_size = 0;
    pg_call([&]() noexcept {
        schema = get_func_namespace(fcinfo->flinfo->fn_oid);
        text *t = PG_GETARG_TEXT_PP(1);
        query = VARDATA_ANY(t);
        query_size = VARSIZE_ANY_EXHDR(t);
    });
    // Copied outside pg_call(): a std::bad_alloc thrown inside its noexcept
    // callable would terminate the backend (the query is the caller's, of
    // any size).
    const std::string sql(query, query_size);
    LoadedModel loaded = PG_ARGISNULL(0) ? active_model(schema) : model_by_id(schema, PG_GETARG_INT64(0));
    const intent::IntentModel &model = *loaded.model;
    const auto &labels = model.labels();
    std::unordered_map<std::string, int> label_index;
    for (size_t c = 0; c < labels.size(); ++c)
        label_index.emplace(labels[c], static_cast<int>(c));
    const std::string &out_of_scope_intent = model.out_of_scope_intent();

    pg_call([&]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    // From here until SPI_finish() an error leaves the SPI connection and the
    // cursor to the (sub)transaction's abort, which releases both.
    QueryShape shape;
    SPIPlanPtr plan = prepare_query(sql, shape);
    if (shape.statements != 1)
        throw SqlError(
            ERRCODE_INVALID_PARAMETER_VALUE, "invalid value for parameter \"p_query\": expected one query",
            ("It holds " + std::to_string(shape.statements) + " statements.").c_str(), kColumnsHint);
    if (!shape.read_only || !shape.returns_rows)
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       "invalid value for parameter \"p_query\": the query must only read",
                       "evaluate_intent_model() runs a SELECT, VALUES or TABLE query; data-modifying WITH, "
                       "FOR UPDATE/SHARE and other statements are refused.",
                       kColumnsHint);
    if (!shape.two_text_columns)
        throw SqlError(ERRCODE_DATATYPE_MISMATCH,
                       "p_query must return two text columns: the message and the expected intent",
                       ("It returns (" + shape.columns + ").").c_str(), kColumnsHint);

    Portal portal = nullptr;
    MemoryContext batch_context = nullptr;
    pg_call([&]() noexcept {
        portal = SPI_cursor_open(nullptr, plan, nullptr, nullptr, true);
        batch_context =
            AllocSetContextCreate(CurrentMemoryContext, "pg_intent evaluate batch", ALLOCSET_DEFAULT_SIZES);
    });

    intent::EvalAccumulator acc(labels.size(), model.options().max_misclassified);
    // Polls inside one long message, as predict_intent() does: the per-row
    // checks below could not interrupt a message of a gigabyte.
    intent::PredictScratch scratch = polling_scratch();
    Counts n;
    std::string converted, label;
    const size_t max_bytes = static_cast<size_t>(guc_max_message_bytes);
    for (;;) {
        if (interrupt_pending()) throw intent::Error(intent::ErrorKind::Cancelled, "evaluation cancelled");
        SPITupleTable *batch = nullptr;
        uint64 fetched = 0;
        pg_call([&]() noexcept {
            SPI_cursor_fetch(portal, true, kBatchRows);
            batch = SPI_tuptable;
            fetched = SPI_processed;
        });
        if (fetched == 0) break;
        size_t longest = 0;
        {
            SwitchContext in_batch(batch_context);
            for (uint64 i = 0; i < fetched; ++i) {
                if ((i & 255) == 255 && interrupt_pending())
                    throw intent::Error(intent::ErrorKind::Cancelled, "evaluation cancelled");
                const uint64_t row = ++n.query_rows; // 1-based position in the query's result
                bool message_null = true, expected_null = true;
                Datum message = 0, expected = 0;
                pg_call([&]() noexcept {
                    message = SPI_getbinval(batch->vals[i], batch->tupdesc, 1, &message_null);
                    expected = SPI_getbinval(batch->vals[i], batch->tupdesc, 2, &expected_null);
                });
                if (message_null || expected_null) {
                    ++n.skipped;
                    continue;
                }
                TextRef expected_text = text_ref(expected);
                if (expected_text.size == 0) { // no label, as in training
                    ++n.skipped;
                    continue;
                }
                label.assign(server_to_utf8(expected_text.data, expected_text.size, converted));
                // The message as predict_intent() reads it: at most pg_intent.max_message_bytes.
                TextSlice slice = text_prefix(message, max_bytes);
                std::string_view utf8 = server_to_utf8(slice.data, slice.size, converted);
                longest = std::max(longest, utf8.size());
                const intent::Prediction p = model.predict_with_probabilities(utf8, scratch);
                if (!out_of_scope_intent.empty() && label == out_of_scope_intent) {
                    ++n.out_of_scope;
                    n.out_of_scope_caught += p.uncertain;
                    continue;
                }
                auto it = label_index.find(label);
                const int truth = it == label_index.end() ? -1 : it->second;
                acc.add(truth, p.label, scratch.probs.data(), static_cast<size_t>(row));
                if (p.uncertain) {
                    ++n.abstained;
                } else {
                    ++n.accepted;
                    n.accepted_right += truth == p.label;
                }
            }
        }
        pg_call([&]() noexcept {
            SPI_freetuptable(batch);
            MemoryContextReset(batch_context);
        });
        // Scratch grows with the longest message; do not keep it after a huge one.
        if (longest > 64 * 1024) scratch = polling_scratch();
    }
    pg_call([&]() noexcept {
        SPI_cursor_close(portal);
        SPI_finish();
    });

    if (acc.rows() == 0 && n.out_of_scope == 0) {
        const std::string detail =
            n.query_rows == 0 ? std::string("The query returned no rows.")
                              : "The query returned " + std::to_string(n.query_rows) +
                                    " rows, each with a NULL message or a NULL or empty expected intent.";
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "p_query returned no labelled rows to evaluate",
                       detail.c_str(),
                       "Check the query's WHERE clause, and that the role may read the rows.");
    }

    const intent::CalibrationReport calibration = acc.calibration();
    intent::Json metrics = intent::metrics_json(acc.report(), labels, {}, &calibration);
    // A rate with nothing to divide by is null, not 0 (no out-of-scope row
    // scored is not a recall of 0).
    auto ratio = [](uint64_t a, uint64_t b) {
        return b ? intent::Json(static_cast<double>(a) / static_cast<double>(b)) : intent::Json(nullptr);
    };
    metrics["evaluation"] = "query";
    metrics["model_id"] = loaded.id;
    metrics["query_rows"] = n.query_rows;
    metrics["skipped"] = n.skipped;
    metrics["threshold"] = static_cast<double>(model.threshold());
    intent::Json per_intent_threshold = intent::Json::object();
    for (size_t c = 0; c < labels.size() && c < model.thresholds().size(); ++c)
        per_intent_threshold[labels[c]] = static_cast<double>(model.thresholds()[c]);
    metrics["threshold_per_intent"] = std::move(per_intent_threshold);
    metrics["abstained"] = n.abstained;
    metrics["coverage"] = ratio(n.accepted, acc.rows());
    metrics["accepted_accuracy"] = ratio(n.accepted_right, n.accepted);
    metrics["out_of_scope_intent"] =
        out_of_scope_intent.empty() ? intent::Json(nullptr) : intent::Json(out_of_scope_intent);
    metrics["out_of_scope_rows"] = n.out_of_scope;
    metrics["out_of_scope_recall"] = ratio(n.out_of_scope_caught, n.out_of_scope);
    return utf8_json_to_jsonb(intent::dump_json(metrics));
}
