// A run's rows, as arrays and recorded from C (run_rows.h).
#include "run_rows.h"

#include "guard.h"
#include "memory_context.h"
#include "pg_array.h"
#include "relations.h"
#include "row_key.h"
#include "scan.h"
#include "spi.h"
#include "text_io.h"

#include "errors.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"
}

#include <cstring>
#include <string_view>

namespace pg_intent {

RunRowArrays run_row_arrays(const RunRows &data, const std::vector<intent::RowResult> &results,
                            const std::vector<std::string> &labels, bool intent_rows, bool with_keys,
                            size_t from, size_t count) {
    RunRowArrays a;
    if (intent_rows) {
        // The ids in one allocation, made inside pg_call(): a failed palloc()
        // per row, outside it, would longjmp over the caller's C++ objects.
        pg_uuid_t *ids = nullptr;
        pg_call([&]() noexcept {
            ids = static_cast<pg_uuid_t *>(
                palloc_extended(std::max<size_t>(1, count) * sizeof(pg_uuid_t), MCXT_ALLOC_HUGE));
        });
        a.key = make_array(count, UUIDOID, [&](size_t i, bool &) {
            std::memcpy(ids[i].data, data.id(from + i).b, UUID_LEN);
            return UUIDPGetDatum(&ids[i]);
        });
    } else if (with_keys) {
        a.key = make_array(count, TEXTOID,
                           [&](size_t i, bool &) { return server_bytes_to_text(data.key(from + i)); });
    }
    a.label = make_array(count, TEXTOID,
                         [&](size_t i, bool &) { return server_bytes_to_text(data.label(from + i)); });
    a.fresh =
        make_array(count, BOOLOID, [&](size_t i, bool &) { return BoolGetDatum(data.fresh(from + i)); });
    a.fold = make_array(count, INT2OID, [&](size_t i, bool &isnull) {
        isnull = results[from + i].fold < 0;
        return Int16GetDatum(static_cast<int16>(results[from + i].fold));
    });
    a.predicted = make_array(count, TEXTOID, [&](size_t i, bool &isnull) {
        const intent::RowResult &r = results[from + i];
        isnull = r.predicted < 0;
        return isnull ? Datum(0) : utf8_to_text(labels[static_cast<size_t>(r.predicted)]);
    });
    a.confidence = make_array(count, FLOAT4OID, [&](size_t i, bool &isnull) {
        isnull = results[from + i].predicted < 0;
        return Float4GetDatum(results[from + i].confidence);
    });
    a.label_probability = make_array(count, FLOAT4OID, [&](size_t i, bool &isnull) {
        isnull = results[from + i].predicted < 0;
        return Float4GetDatum(results[from + i].label_probability);
    });
    a.uncertain = make_array(count, BOOLOID, [&](size_t i, bool &isnull) {
        isnull = results[from + i].predicted < 0;
        return BoolGetDatum(results[from + i].uncertain);
    });
    return a;
}

namespace {

// Rows a statement: each batch's arrays live only while its INSERT runs
// (issue 33: the whole run's arrays, returned to PL/pgSQL, were the
// backend's peak at 200,000 rows).
constexpr size_t kRecordBatchRows = 10000;

} // namespace

// A duplicate key keeps its first row: ON CONFLICT DO NOTHING, batches in
// the rows' order; with distinct keys (the usual case) a plain INSERT.
// Whether they are distinct, the run's read told: classifier_rows() counts
// the rows whose key an earlier row of the run held (its one set of the
// run's keys, charged to the run's budget; metrics.rows_duplicate_key).
// 0.3.2 before this built a second set of the keys here (56 bytes a row on
// x86-64) only to tell that. The ids of ai_training_data rows are distinct.
void record_rows(Oid schema, Datum run_id, const RunRows &data, const std::vector<intent::RowResult> &results,
                 const std::vector<std::string> &labels, bool intent_rows, bool keyed, bool distinct_keys) {
    if (!intent_rows && !keyed) return;
    const size_t n = data.size();
    const bool distinct = intent_rows || distinct_keys;
    std::string sql;
    pg_call([&]() noexcept {
        const Oid rel =
            extension_relation(schema, intent_rows ? "ai_training_run_rows" : "ai_classifier_run_rows");
        const char *name =
            quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
        sql = name;
    });
    sql = "INSERT INTO " + sql +
          (intent_rows ? " (run_id, training_data_id, intent, fresh, fold, predicted_intent,"
                       : " (run_id, row_key, label, fresh, fold, predicted_label,") +
          " confidence, label_probability, uncertain)"
          " SELECT $1, u.k, u.intent, u.fresh, u.fold, u.predicted, u.confidence, u.label_probability,"
          " u.uncertain FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),"
          " pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8),"
          " pg_catalog.unnest($9))"
          " AS u(k, intent, fresh, fold, predicted, confidence, label_probability, uncertain)" +
          (distinct ? "" : " ON CONFLICT DO NOTHING");
    Oid argtypes[9] = {UUIDOID,        static_cast<Oid>(intent_rows ? UUIDARRAYOID : TEXTARRAYOID),
                       TEXTARRAYOID,   BOOLARRAYOID,
                       INT2ARRAYOID,   TEXTARRAYOID,
                       FLOAT4ARRAYOID, FLOAT4ARRAYOID,
                       BOOLARRAYOID};
    SpiConnection spi;
    SPIPlanPtr plan = spi.prepare(sql.c_str(), 9, argtypes);
    ScratchMemoryContext per_batch("pg_intent run rows batch", ScratchMemoryContext::Default);
    for (size_t from = 0; from < n; from += kRecordBatchRows) {
        const size_t count = std::min(kRecordBatchRows, n - from);
        pg_call([&]() noexcept { MemoryContextReset(per_batch.get()); });
        CurrentMemoryContextScope in_batch(per_batch.get());
        const RunRowArrays a = run_row_arrays(data, results, labels, intent_rows, true, from, count);
        Datum args[9] = {run_id,     a.key,       a.label,      a.fresh,
                         a.fold,     a.predicted, a.confidence, a.label_probability,
                         a.uncertain};
        spi.run_insert(plan, args, nullptr, "recording the run's rows");
    }
}

namespace {

// Where run_labels() reads each kind of run's rows, and how a row's key is
// read into the map's key type (inside pg_call(), in the row's context).
template <typename Labels> struct RecordedRows;
template <> struct RecordedRows<RunRowLabels> {
    static constexpr const char *relation = "ai_training_run_rows";
    static constexpr const char *index = "ai_training_run_rows_pkey";
    static constexpr const char *key_column = "training_data_id";
    static constexpr const char *label_column = "intent";
    static constexpr Oid key_type = UUIDOID;
    static Uuid recorded_key(Datum d) noexcept {
        Uuid id;
        std::memcpy(id.b, DatumGetUUIDP(d)->data, UUID_LEN);
        return id;
    }
};
template <> struct RecordedRows<RunKeyLabels> {
    static constexpr const char *relation = "ai_classifier_run_rows";
    static constexpr const char *index = "ai_classifier_run_rows_pkey";
    static constexpr const char *key_column = "row_key";
    static constexpr const char *label_column = "label";
    static constexpr Oid key_type = TEXTOID;
    static std::string_view recorded_key(Datum d) noexcept {
        text *t = DatumGetTextPP(d);
        return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
};

} // namespace

template <typename Labels>
bool run_labels(Oid schema, Datum run_id, Labels &labels, intent::MemoryCharge &charge) {
    using Table = RecordedRows<Labels>;
    Oid relid = InvalidOid, indexid = InvalidOid;
    AttrNumber run_att = 0, key_att = 0, label_att = 0;
    pg_call([&]() noexcept {
        relid = extension_relation(schema, Table::relation);
        indexid = extension_relation(schema, Table::index);
        run_att = extension_column(relid, "run_id", UUIDOID);
        key_att = extension_column(relid, Table::key_column, Table::key_type);
        label_att = extension_column(relid, Table::label_column, TEXTOID);
    });
    // Each run row's key and label, detoasted here, reset for the next:
    // 0.3.2 before this copied every key and label of the run into a map,
    // uncharged (the active model's run, however many rows it had, under
    // whatever budget it had).
    ScratchMemoryContext per_row("pg_intent run row", ScratchMemoryContext::Small);
    // A fresh snapshot, not the statement's: see run_rows.h.
    CatalogIndexScan scan(relid, indexid, AccessShareLock, ScanSnapshot::Catalog,
                          {EqualityKey{run_att, F_UUID_EQ, run_id}});
    const TupleDesc desc = scan.descriptor();
    bool any = false;
    for (uint64_t n = 0;; ++n) {
        if ((n & 4095) == 0 && training_should_stop())
            throw intent::Error(intent::ErrorKind::Cancelled, "training cancelled");
        bool more = false, named = false;
        // A classifier's key and the label are views into per_row, valid
        // until the next row.
        typename Labels::key_type key{};
        std::string_view label;
        pg_call([&]() noexcept {
            MemoryContextReset(per_row.get());
            HeapTuple tuple = scan.next_in_pg();
            if (!tuple) return;
            more = true;
            // A NULL is read as a row that names nothing, never dereferenced.
            bool key_null = true, label_null = true;
            const Datum k = heap_getattr(tuple, key_att, desc, &key_null);
            const Datum l = heap_getattr(tuple, label_att, desc, &label_null);
            if (key_null || label_null) return;
            named = true;
            // Only the detoasting in per_row: the scan's own state (allocated
            // as it goes) stays in the caller's context.
            const MemoryContext caller = MemoryContextSwitchTo(per_row.get());
            key = Table::recorded_key(k);
            text *t = DatumGetTextPP(l);
            MemoryContextSwitchTo(caller);
            label = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
        });
        if (!more) break;
        any = true;
        if (!named) continue;
        const auto it = labels.find(key);
        if (it == labels.end() || !it->second.empty()) continue; // not this run's row, or seen
        charge.add(label.size(), "the labels the active model's run trained this run's rows with");
        it->second.assign(label);
    }
    return any;
}

template bool run_labels<RunRowLabels>(Oid, Datum, RunRowLabels &, intent::MemoryCharge &);
template bool run_labels<RunKeyLabels>(Oid, Datum, RunKeyLabels &, intent::MemoryCharge &);

} // namespace pg_intent
