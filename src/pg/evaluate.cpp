// evaluate_intent_model(p_model_id bigint, p_query text): scores a model on
// labelled rows from any query the caller may run, and returns the metrics
// object of a training report (accuracy, macro and per-intent precision,
// recall and F1, confusion matrix, calibration) plus abstention figures.
//
// Rights. The function is SECURITY INVOKER and never switches user: the
// caller's query is parsed under the caller's search_path and runs with the
// caller's privileges and row-level security, exactly as if the caller had
// run it, inside a security-restricted operation, so that it cannot switch
// role either (SET ROLE is checked against the session user's memberships,
// which behind PostgREST are the authenticator's: every API role). The model is loaded like predict_intent()
// loads it: the active model is everyone's; any other model needs SELECT on its row of ai_intent_models
// (model_by_id()), and a partition's own model the right evaluate_label() needs for that partition.
//
// Read-only. The query must be a single SELECT, VALUES or TABLE statement
// without data-modifying WITH or FOR UPDATE/SHARE (22023 otherwise), and is
// run through SPI with read_only = true, which refuses anything else again,
// in a read-only transaction for its duration (XactReadOnly), so
// that a volatile function it calls cannot write either (25006).
//
// Memory. The executor hands the query's rows to a receiver one at a time
// (SPI_execute_plan_extended() with a DestReceiver, so no batch of rows is
// ever held); each row's values are read into a memory context reset at the
// next row, the message up to pg_intent.max_message_bytes and the expected
// intent only as far as any of the model's intents could reach (a longer one
// matches none), and the counts live in an EvalAccumulator
// (src/core/eval_accumulator.h). So memory does not grow with the number of
// rows nor with the size of their values. (Until 0.2.0 the rows were fetched
// 1,000 at a time through a cursor and every expected intent detoasted whole
// into a context reset per batch: 1,000 rows with 4 MB labels, 48 MB on
// disk, took a backend to 4.1 GB.) A cancel or statement_timeout is honoured
// at every row, and inside a long message by the vectoriser.
#include "classifier_cache.h"
#include "guard.h"
#include "model_cache.h"
#include "predict.h"
#include "relations.h"
#include "settings.h"
#include "spi.h"
#include "text_io.h"
#include "train_reader.h"

#include "errors.h"
#include "eval_accumulator.h"
#include "evaluation.h"
#include "json.h"

extern "C" {
#include "access/xact.h"
#include "executor/tuptable.h"
#include "nodes/parsenodes.h"
#include "tcop/dest.h"
#include "utils/plancache.h"
}

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pg_intent {
namespace {

const char *const kColumnsHint =
    N_("Select the message, then the expected intent, as two text columns, e.g. "
       "SELECT user_message, correct_intent FROM my_table (cast others with ::text).");
// evaluate_label()'s: the same rule, in a classifier's words (text, label).
const char *const kLabelColumnsHint =
    N_("Select the text, then the expected label, as two text columns, e.g. "
       "SELECT body, label FROM my_table (cast others with ::text).");

// The hint for the function called: evaluate_label() words its errors as
// the rest of a classifier's functions do (a text, a label).
const char *columns_hint(bool label_words) {
    return label_words ? kLabelColumnsHint : kColumnsHint;
}

// The SQL function an evaluation runs for, as its errors name it, and
// whether they word a row as a classifier's (a text, a label): each entry
// point's, given once, below.
struct EvaluateCaller {
    const char *function_name;
    bool label_words;
};
constexpr EvaluateCaller kEvaluateIntentModel{"evaluate_intent_model", false};
constexpr EvaluateCaller kEvaluateLabel{"evaluate_label", true};

// What the prepared query looks like.
struct QueryShape {
    int statements = 0;
    bool read_only = true;
    bool returns_rows = false;
    bool two_text_columns = false;
    std::string columns; // "name type, name type" for the error detail
};

// Prepares the caller's query and describes it.
SPIPlanPtr prepare_query(SpiConnection &spi, const std::string &sql, QueryShape &shape) {
    SPIPlanPtr plan = spi.prepare(sql.c_str());
    const char *column_names = nullptr;
    size_t column_names_size = 0;
    pg_call([&]() noexcept {
        List *sources = SpiConnection::plan_sources_in_pg(plan);
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
        column_names = names.data; // freed when the SPI connection ends
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
    uint64_t deferred = 0; // rows the fallback answered (defers_to_fallback())
};

// One row of the caller's query as the receiver read it: slices in the row's
// memory context.
struct RowInput {
    bool message_null, expected_null;
    TextSlice message, expected;
    Datum expected_value; // the whole value, for the label rule
};

// The scoring of the rows, one call per row. add_row() is called by the executor
// (through receive_row()): it must not throw, so the first exception is kept
// and the query stopped, and the function rethrows it once the executor has
// returned. A PostgreSQL error is not kept: the executor must not run on
// after one, so receive_row() raises it again at once.
class Evaluation {
  public:
    // `label_index`: the model's labels, then (with a fallback) the
    // fallback's that the model lacks; `fallback_labels` maps the fallback's
    // label indexes into it. `found` and `fallback`: evaluate_label()'s
    // partition model and its fallback, which answers where
    // defers_to_fallback() says so, as in predict_label().
    Evaluation(const intent::IntentModel &model, const std::unordered_map<std::string, int> &label_index,
               FmgrInfo *label_rule, const ClassifierModel *found = nullptr,
               const intent::IntentModel *fallback = nullptr, std::vector<int> fallback_labels = {})
        : model_(model), label_index_(label_index), label_rule_(label_rule),
          label_valid_(label_index.size(), -1), found_(found), fallback_(fallback),
          fallback_labels_(std::move(fallback_labels)),
          acc_(label_index.size(), model.options().max_misclassified), scratch_(polling_scratch()),
          fallback_scratch_(polling_scratch()), probs_(label_index.size(), 0.0f) {}

    // Scores one row; false stops the query.
    bool add_row(const RowInput &in) noexcept {
        try {
            score(in);
            return true;
        } catch (const PgError &e) {
            postgres_error_ = e.data();
            return false;
        } catch (...) {
            failure_ = std::current_exception();
            return false;
        }
    }
    void rethrow_if_failed() const {
        if (failure_) std::rethrow_exception(failure_);
    }
    // The PostgreSQL error the last row raised, if any.
    ErrorData *postgres_error() const noexcept { return postgres_error_; }
    const Counts &counts() const { return n_; }
    const intent::EvalAccumulator &accumulator() const { return acc_; }

  private:
    void score(const RowInput &in) {
        const uint64_t row = ++n_.query_rows; // 1-based position in the query's result
        // No message, no label (no_label(), train_reader.h), or a label
        // is_valid_intent_name() refuses: training's rules, the rows no run
        // trains on. Such a row is skipped and counted, never scored: rows
        // anyone may log ("uncertain", a label with a control character or
        // over 256 bytes) may not judge a model (0.3.2; before, a refused
        // label was scored as an unknown intent, a miss).
        if (in.message_null ||
            no_label(in.expected_null, std::string_view(in.expected.data, in.expected.size))) {
            ++n_.skipped;
            return;
        }
        // A label that is none of the model's counts as an unknown intent.
        int truth = -1;
        bool out_of_scope = false, valid = false;
        // One the receiver did not read whole is longer than
        // max_expected_bytes >= kMaxLabelBytes: refused unread.
        if (!in.expected.truncated) {
            label_.assign(server_to_utf8(in.expected.data, in.expected.size, converted_));
            const std::string &oos = model_.out_of_scope_intent();
            out_of_scope = !oos.empty() && label_ == oos;
            auto it = label_index_.find(label_);
            if (it != label_index_.end()) truth = it->second;
            // The rule's answer for one of the model's labels (or its
            // out-of-scope intent) is asked once per call and kept: the same
            // label is the same bytes. Another label is asked each time.
            int8_t *known = truth >= 0     ? &label_valid_[static_cast<size_t>(truth)]
                            : out_of_scope ? &out_of_scope_valid_
                                           : nullptr;
            if (known && *known >= 0) {
                valid = *known != 0;
            } else {
                pg_call([&]() noexcept {
                    valid = DatumGetBool(FunctionCall1Coll(label_rule_, InvalidOid, in.expected_value));
                });
                if (known) *known = valid ? 1 : 0;
            }
        }
        if (!valid) {
            ++n_.skipped;
            return;
        }
        // The message as predict_intent() reads it: at most pg_intent.max_message_bytes.
        const std::string_view utf8 = server_to_utf8(in.message.data, in.message.size, converted_);
        intent::Prediction p = model_.predict_with_probabilities(utf8, scratch_);
        const float *probs = scratch_.probs.data();
        intent::Prediction fallback;
        if (fallback_ && defers_to_fallback(*found_, p.uncertain, [&] {
                fallback = fallback_->predict_with_probabilities(utf8, fallback_scratch_);
                return fallback.uncertain;
            })) {
            // The fallback's answer, in the labels of the evaluation.
            p = std::move(fallback);
            std::fill(probs_.begin(), probs_.end(), 0.0f);
            for (size_t c = 0; c < fallback_labels_.size() && c < fallback_scratch_.probs.size(); ++c)
                probs_[static_cast<size_t>(fallback_labels_[c])] = fallback_scratch_.probs[c];
            if (p.label >= 0 && static_cast<size_t>(p.label) < fallback_labels_.size())
                p.label = fallback_labels_[static_cast<size_t>(p.label)];
            probs = probs_.data();
            ++n_.deferred;
        } else if (probs_.size() > model_.labels().size()) {
            std::fill(probs_.begin(), probs_.end(), 0.0f);
            std::copy(scratch_.probs.begin(),
                      scratch_.probs.begin() +
                          static_cast<std::ptrdiff_t>(std::min(scratch_.probs.size(), probs_.size())),
                      probs_.begin());
            probs = probs_.data();
        }
        if (out_of_scope) {
            ++n_.out_of_scope;
            n_.out_of_scope_caught += p.uncertain;
        } else {
            acc_.add(truth, p.label, probs, static_cast<size_t>(row));
            if (p.uncertain) {
                ++n_.abstained;
            } else {
                ++n_.accepted;
                n_.accepted_right += truth == p.label;
            }
        }
        // The scratch (whose probabilities acc_.add() has just read) and the
        // conversion buffer grow with the longest message: do not keep them
        // after a huge one.
        if (utf8.size() > 64 * 1024) {
            scratch_ = polling_scratch();
            fallback_scratch_ = polling_scratch();
            std::string().swap(converted_);
        }
    }

    const intent::IntentModel &model_;
    const std::unordered_map<std::string, int> &label_index_;
    // The label rule, the extension's is_valid_intent_name(); its answer
    // per label of label_index_ and for the out-of-scope intent (-1: not
    // asked yet).
    FmgrInfo *label_rule_;
    std::vector<int8_t> label_valid_;
    int8_t out_of_scope_valid_ = -1;
    const ClassifierModel *found_;
    const intent::IntentModel *fallback_;
    std::vector<int> fallback_labels_;
    intent::EvalAccumulator acc_;
    // Polls inside one long message, as predict_intent() does.
    intent::PredictScratch scratch_, fallback_scratch_;
    std::vector<float> probs_; // an answer's probabilities in the evaluation's labels
    Counts n_;
    std::string converted_, label_;
    std::exception_ptr failure_;
    ErrorData *postgres_error_ = nullptr;
};

// The executor's receiver of the query's rows. `pub` comes first: the
// executor sees a DestReceiver.
struct RowReceiver {
    DestReceiver pub;
    MemoryContext row_context;
    size_t max_message_bytes, max_expected_bytes;
    Evaluation *evaluation;
};

// Called by the executor for each row, inside pg_call() around the query:
// PostgreSQL errors here (a cancel, a value that cannot be read) end the
// query and reach that pg_call(); no C++ object lives in this frame, and the
// scoring returns before anything here can raise one.
bool receive_row(TupleTableSlot *slot, DestReceiver *self) noexcept {
    RowReceiver *r = reinterpret_cast<RowReceiver *>(self);
    CHECK_FOR_INTERRUPTS();
    MemoryContextReset(r->row_context);
    MemoryContext executor_context = MemoryContextSwitchTo(r->row_context);
    RowInput in{};
    const Datum message = slot_getattr(slot, 1, &in.message_null);
    const Datum expected = slot_getattr(slot, 2, &in.expected_null);
    if (!in.message_null) in.message = text_prefix_in_pg(message, r->max_message_bytes);
    if (!in.expected_null) in.expected = text_prefix_in_pg(expected, r->max_expected_bytes);
    in.expected_value = expected;
    // The scoring's own PostgreSQL calls (encoding conversion) allocate in
    // the row's context too.
    const bool go_on = r->evaluation->add_row(in);
    MemoryContextSwitchTo(executor_context);
    // Raised where it was caught, inside the query: the executor ends as on
    // any error, and the pg_call() around the query throws it.
    if (ErrorData *error = r->evaluation->postgres_error()) ReThrowError(error);
    return go_on;
}
void receiver_startup(DestReceiver *, int, TupleDesc) noexcept {}
void receiver_shutdown(DestReceiver *) noexcept {}
} // namespace
} // namespace pg_intent

namespace pg_intent {
namespace {

// The one evaluation of evaluate_intent_model() and evaluate_label(): runs
// the caller's query `sql` as the caller (this function never switches
// user), read-only, scores its rows with `loaded` and returns the metrics
// object. `caller` names the SQL function in errors, and their words.
//
// evaluate_label() passes the partition's model `found` and, when it may
// defer, its fallback: each row is then scored with the answer
// predict_label() serves (defers_to_fallback(), the one rule), in the
// labels of both models.
intent::Json evaluate_on_query(Oid schema, const LoadedModel &loaded, const std::string &sql,
                               const EvaluateCaller &caller, const ClassifierModel *found = nullptr,
                               const LoadedModel *fallback = nullptr) {
    const intent::IntentModel &model = *loaded.model;
    const char *const function_name = caller.function_name;
    const bool label_words = caller.label_words;
    const char *const hint = columns_hint(label_words);
    std::vector<std::string> labels = model.labels();
    std::unordered_map<std::string, int> label_index;
    for (size_t c = 0; c < labels.size(); ++c)
        label_index.emplace(labels[c], static_cast<int>(c));
    std::vector<int> fallback_labels;
    if (fallback)
        for (const std::string &l : fallback->model->labels()) {
            auto it = label_index.emplace(l, static_cast<int>(labels.size()));
            if (it.second) labels.push_back(l);
            fallback_labels.push_back(it.first->second);
        }
    // The rows' context is the call's, not SPI's: an error the scoring kept
    // (its ErrorData copied there) must outlive the SPI connection, whose end
    // frees SPI's contexts, until it is rethrown.
    MemoryContext row_context = nullptr;
    // The label rule, is_valid_intent_name(), found in the extension's
    // schema (never through search_path) and kept for the call, so that its
    // plan is made once, not once a row.
    FmgrInfo *valid_label = nullptr;
    pg_call([&]() noexcept {
        row_context =
            AllocSetContextCreate(CurrentMemoryContext, "pg_intent evaluate row", ALLOCSET_DEFAULT_SIZES);
        const Oid text_type = TEXTOID;
        const Oid fn = extension_function(schema, "is_valid_intent_name", 1, &text_type);
        valid_label = static_cast<FmgrInfo *>(palloc0(sizeof(FmgrInfo)));
        fmgr_info(fn, valid_label);
    });
    // Scores every row; the SPI connection ends with the block. An error
    // leaves the connection and the running query to the (sub)transaction's
    // abort, which releases both.
    Evaluation evaluation(model, label_index, valid_label, found, fallback ? fallback->model.get() : nullptr,
                          std::move(fallback_labels));
    {
        SpiConnection spi;
        QueryShape shape;
        SPIPlanPtr plan = prepare_query(spi, sql, shape);
        if (shape.statements != 1)
            throw SqlError(
                ERRCODE_INVALID_PARAMETER_VALUE,
                intent::Message{N_("invalid value for parameter \"p_query\": expected one query"), {}},
                ("It holds " + std::to_string(shape.statements) + " statements.").c_str(), hint);
        if (!shape.read_only || !shape.returns_rows)
            throw SqlError(
                ERRCODE_INVALID_PARAMETER_VALUE,
                intent::Message{N_("invalid value for parameter \"p_query\": the query must only read"), {}},
                std::string(function_name) + "() runs a SELECT, VALUES or TABLE query; data-modifying WITH, "
                                             "FOR UPDATE/SHARE and other statements are refused.",
                hint);
        if (!shape.two_text_columns)
            throw SqlError(
                ERRCODE_DATATYPE_MISMATCH,
                intent::Message{
                    label_words
                        ? N_("p_query must return two text columns: the text and the expected label")
                        : N_("p_query must return two text columns: the message and the expected intent"),
                    {}},
                ("It returns (" + shape.columns + ").").c_str(), hint);

        // An expected intent that could equal one of the model's is at most 4
        // bytes per UTF-8 byte of the longest in any server encoding; and one
        // is_valid_intent_name() may accept at most kMaxLabelBytes: a value
        // longer than both is refused unread (Evaluation::score()).
        size_t longest_label = model.out_of_scope_intent().size();
        for (const std::string &l : labels)
            longest_label = std::max(longest_label, l.size());
        RowReceiver receiver{};
        receiver.pub.receiveSlot = receive_row;
        receiver.pub.rStartup = receiver_startup;
        receiver.pub.rShutdown = receiver_shutdown;
        receiver.pub.rDestroy = receiver_shutdown;
        receiver.pub.mydest = DestNone;
        receiver.max_message_bytes = static_cast<size_t>(guc_max_message_bytes);
        receiver.max_expected_bytes = std::max(4 * longest_label + 4, kMaxLabelBytes);
        receiver.evaluation = &evaluation;
        receiver.row_context = row_context;
        // The query runs as the caller inside a security-restricted
        // operation (the user unchanged): SET ROLE, RESET ROLE,
        // set_config('role', ...) and SET SESSION AUTHORIZATION are refused
        // (42501). SET ROLE is checked against the session user's
        // memberships: behind a pooler or PostgREST that is the
        // authenticator, a member of every API role, so a query that could
        // switch role would read and call what service_role may. And in a
        // read-only transaction for its duration (XactReadOnly, the
        // variable behind transaction_read_only): SPI's read-only flag binds
        // the statement only, and a volatile function it called (the
        // caller's, nextval()) wrote; now that is 25006, wherever PostgreSQL
        // checks for a read-only transaction (it does not in lo_create()).
        // The query cannot turn it off (once a snapshot is taken PostgreSQL
        // refuses to). Set as the variable, not through the setting:
        // PostgreSQL 16 and later refuse to stack transaction_read_only in a
        // function ("cannot be set locally in functions"). An error leaves
        // the context and the mode to the (sub)transaction's abort, which
        // restores both (a subtransaction's abort puts back the read-only
        // mode it started with).
        Oid user = InvalidOid;
        int saved_context = 0;
        bool was_read_only = false;
        pg_call([&]() noexcept {
            GetUserIdAndSecContext(&user, &saved_context);
            SetUserIdAndSecContext(user, saved_context | SECURITY_RESTRICTED_OPERATION);
            was_read_only = XactReadOnly;
            XactReadOnly = true;
        });
        spi.run_read_only(plan, &receiver.pub, function_name);
        pg_call([&]() noexcept {
            XactReadOnly = was_read_only;
            SetUserIdAndSecContext(user, saved_context);
        });
    }
    evaluation.rethrow_if_failed();
    pg_call([&]() noexcept { MemoryContextDelete(row_context); });
    const Counts &n = evaluation.counts();
    const intent::EvalAccumulator &acc = evaluation.accumulator();

    if (acc.rows() == 0 && n.out_of_scope == 0) {
        const std::string detail =
            n.query_rows == 0
                ? std::string(N_("The query returned no rows."))
                : "The query returned " + std::to_string(n.query_rows) +
                      (label_words ? " rows, each with a NULL text or an expected label that is none "
                                     "(NULL or empty) or one is_valid_intent_name() refuses."
                                   : " rows, each with a NULL message or an expected intent that is none "
                                     "(NULL or empty) or one is_valid_intent_name() refuses.");
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                       intent::Message{N_("p_query returned no labelled rows to evaluate"), {}},
                       detail.c_str(),
                       N_("Check the query's WHERE clause, and that the role may read the rows."));
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
    if (fallback) {
        metrics["fallback_model_id"] = fallback->id;
        metrics["deferred"] = n.deferred;
    }
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
    const std::string &out_of_scope_intent = model.out_of_scope_intent();
    metrics["out_of_scope_intent"] =
        out_of_scope_intent.empty() ? intent::Json(nullptr) : intent::Json(out_of_scope_intent);
    metrics["out_of_scope_rows"] = n.out_of_scope;
    metrics["out_of_scope_recall"] = ratio(n.out_of_scope_caught, n.out_of_scope);
    return metrics;
}

} // namespace
} // namespace pg_intent

namespace {

// The query argument (p_query, argument 1) of evaluate_intent_model() and
// evaluate_label(), copied (22004 when NULL), and the calling function's
// schema: the extension's.
std::string query_argument(FunctionCallInfo fcinfo, Oid &schema, const pg_intent::EvaluateCaller &caller) {
    if (PG_ARGISNULL(1))
        throw pg_intent::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                                  intent::Message{N_("p_query must not be null"), {}}, {},
                                  pg_intent::columns_hint(caller.label_words));
    const char *query = nullptr;
    size_t query_size = 0;
    pg_intent::pg_call([&]() noexcept {
        schema = pg_intent::calling_function(fcinfo).schema;
        text *t = PG_GETARG_TEXT_PP(1);
        query = VARDATA_ANY(t);
        query_size = VARSIZE_ANY_EXHDR(t);
    });
    // Copied outside pg_call(): a std::bad_alloc thrown inside its noexcept
    // callable would terminate the backend (the query is the caller's, of
    // any size).
    return std::string(query, query_size);
}

} // namespace

using namespace pg_intent;

// evaluate_intent_model(p_model_id bigint, p_query text) RETURNS jsonb
PG_INTENT_FUNCTION(pg_intent_evaluate_model) {
    Oid schema = InvalidOid;
    const std::string sql = query_argument(fcinfo, schema, kEvaluateIntentModel);
    // A model by id: a named classifier's needs its predict access, and a
    // partition's own model evaluate_label()'s partition rule as well
    // (ModelUse::Evaluate): the result lists its labels and thresholds.
    LoadedModel loaded = PG_ARGISNULL(0)
                             ? active_model(schema)
                             : model_by_id(schema, PG_GETARG_INT64(0), nullptr, ModelUse::Evaluate);
    return utf8_json_to_jsonb(
        intent::dump_json(evaluate_on_query(schema, loaded, sql, kEvaluateIntentModel)));
}

// evaluate_label(p_name text, p_query text, p_partition text) RETURNS jsonb:
// evaluate_intent_model() for the model predict_label(p_name, ...,
// p_partition) answers with (the partition's own, else the fallback), under
// predict_label()'s rule: the classifier's predict access (42501), 42704 for
// an unknown classifier, 55000 without an active model. The query runs as
// the caller, as evaluate_intent_model()'s; the result is its metrics
// object plus classifier and model_partition (the partition whose own model
// answered, NULL for the fallback's).
PG_INTENT_FUNCTION(pg_intent_evaluate_label) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_name must not be null"), {}});
    Oid schema = InvalidOid;
    const std::string sql = query_argument(fcinfo, schema, kEvaluateLabel);
    std::string_view partition;
    bool has_partition = false;
    const std::string_view name = classifier_name_arg(PG_GETARG_DATUM(0));
    // With a partition, explain_label()'s rule (require_partition_read()):
    // the result names every label of the partition's model, with its
    // threshold, and whether the partition has a model of its own, which
    // predict_label()'s one answer per text does not; a tenant's labels say
    // what its customers asked. Checked before the query runs.
    ClassifierModel found = find_partition_model(schema, name, has_partition, PartitionRead::Evaluate, [&] {
        return classifier_model_for_args(fcinfo, schema, 0, 2, partition, has_partition);
    });
    // predict_label()'s answers: where the partition's model abstains and
    // the fallback is confident, the fallback's (defers_to_fallback()).
    const bool may_defer = may_defer_to_fallback(found);
    const ClassifierModel fallback = may_defer ? fallback_model(schema, found) : ClassifierModel();
    intent::Json metrics = evaluate_on_query(schema, found.loaded, sql, kEvaluateLabel, &found,
                                             may_defer ? &fallback.loaded : nullptr);
    std::string storage;
    metrics["classifier"] = std::string(server_to_utf8(name.data(), name.size(), storage));
    if (found.by_partition)
        metrics["model_partition"] = std::string(server_to_utf8(partition.data(), partition.size(), storage));
    else
        metrics["model_partition"] = nullptr;
    return utf8_json_to_jsonb(intent::dump_json(metrics));
}
