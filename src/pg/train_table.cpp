// _pg_intent_train_table(): trains from ai_training_data read straight from
// the table, for train_intent_model()'s worker (which runs as the extension
// owner).
//
// The rows are read with a heap scan under the statement's snapshot and
// selected in C as _pg_intent_training_rows() (src/sql/31_dataset.sql)
// selects them: no SQL, no PL/pgSQL arrays of the whole dataset, no name
// resolved through any search_path. Which row trains and under which label
// is not decided here: the generated columns training_label and is_reviewed
// of ai_training_data are (is_valid_intent_name(), the one label rule), and
// test/sql/training_rows.sql checks that every reader agrees row by row.
// They reach the core in the order 0.1.0's SQL fed it (text, label, corrected
// first, id: byte order, as COLLATE "C"), so the same rows give the same
// model bytes through either path (test/sql/train_table.sql compares).
//
// Reviewed rows the active model never trained on, or trained on with another
// label, are marked fresh: the deploy gate scores the active model on those
// only.
// What the active model trained on is its run's rows in
// ai_training_run_rows, read through that table's primary key.
//
// The per-row results (the label read, fresh, the out-of-fold fold,
// prediction and probabilities) come back as arrays for the worker to store
// in ai_training_run_rows; the report keeps the summary only, with
// misclassified rows named by their ai_training_data id, never by text.
#include "guard.h"
#include "module.h"
#include "progress.h"
#include "relations.h"
#include "text_io.h"
#include "train_memory.h"

#include "errors.h"
#include "json.h"
#include "parallel.h"
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

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>

namespace pg_intent {
namespace {

struct Uuid {
    uint8_t b[UUID_LEN];
    bool operator==(const Uuid &o) const { return std::memcmp(b, o.b, UUID_LEN) == 0; }
    bool operator<(const Uuid &o) const { return std::memcmp(b, o.b, UUID_LEN) < 0; }
};
struct UuidHash {
    size_t operator()(const Uuid &u) const {
        uint64_t h;
        std::memcpy(&h, u.b, sizeof h); // random bits already
        return static_cast<size_t>(h);
    }
};

// One usable row of ai_training_data, as read.
struct DataRow {
    Uuid id;
    int64_t created_at;
    // In the server encoding: the rows are sorted on these bytes (0.1.0's
    // order), and the label is what ai_training_run_rows records.
    std::string text;  // user_message
    std::string label; // the correction, else the detected intent
    // The same as UTF-8, what the core reads, converted once while reading;
    // empty when the conversion left the bytes as they were (UTF8 and
    // SQL_ASCII databases, ASCII text), and then text and label are read.
    std::string text_utf8, label_utf8;
    bool corrected;
    // A person set or confirmed the label (a correction, a judgement, or the
    // status reviewed or approved): what the deploy gate may take as truth.
    bool reviewed;
    bool fresh = false;
    bool truncated = false; // text is the message's first bytes only (see read_training_rows())
};

// What the reader left out or cut, for the run's report.
struct ReadCounts {
    size_t skipped_invalid_text = 0;   // rows that are not valid UTF-8 (SQL_ASCII)
    size_t skipped_untranslatable = 0; // rows with a character UTF-8 has no equivalent for
    size_t truncated_messages = 0;     // messages read on their first bytes only
    size_t skipped_long_label = 0;     // rows whose label is longer than kMaxLabelBytes
    size_t skipped_invalid_label = 0;  // rows whose label is_valid_intent_name() refuses otherwise
    size_t skipped_rare_intent = 0;    // rows of an unreviewed label with too few rows
    size_t skipped_intent_limit = 0;   // rows of a label past the policy's max_intents
};

// The longest label a training row may have, in bytes of the server encoding
// (is_valid_intent_name()'s rule, which training_label applies): here only
// to tell a long label from another invalid one in the run's counts.
constexpr size_t kMaxLabelBytes = 256;

struct Selection {
    int min_confidence = 0;
    bool only_reviewed = false;
    int64_t limit = INT32_MAX;
    UnreviewedRowLimits unreviewed; // the policy's bounds on unreviewed rows
};

// The text of a datum (detoasted into the current memory context) as a
// std::string in the server encoding.
std::string datum_string(Datum d) {
    const char *data = nullptr;
    size_t size = 0;
    pg_call([&]() noexcept {
        text *t = DatumGetTextPP(d);
        data = VARDATA_ANY(t);
        size = VARSIZE_ANY_EXHDR(t);
    });
    // Copied outside pg_call(): a std::bad_alloc thrown inside its noexcept
    // callable would terminate the backend.
    return std::string(data, size);
}

// get_training_dataset()'s order: reviewed rows first, then newest first
// (created_at DESC), then id. Reviewed first, so that a window (limit,
// max_training_rows) is never emptied of reviewed rows by unreviewed ones,
// which any role that may log interactions writes, newer than any review:
// with the reviewed rows, the deploy gate's fresh rows went, and a flood of
// mislabelled rows was deployed on its own out-of-fold estimate.
bool before(const DataRow &a, const DataRow &b) {
    if (a.reviewed != b.reviewed) return a.reviewed;
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
}

size_t row_bytes(size_t text, size_t label, size_t text_utf8, size_t label_utf8) {
    return sizeof(DataRow) + text + label + text_utf8 + label_utf8;
}
size_t row_bytes(const DataRow &row) {
    return row_bytes(row.text.size(), row.label.size(), row.text_utf8.size(), row.label_utf8.size());
}

// The policy's bounds on the classes of a run, applied to the rows read
// (the window), as _pg_intent_training_rows() applies them: a label that no
// reviewed row carries needs min_intent_rows rows; then at most max_intents
// labels, those with reviewed rows first, then those with more rows, then in
// byte order (COLLATE "C"). The rows of the others are left out and counted.
// Without them, logged rows with a label each made runs slow and their
// macro F1 so low that the deploy rule refused every model while they existed.
void keep_policy_intents(std::vector<DataRow> &rows, const UnreviewedRowLimits &limits,
                         intent::MemoryCharge &charge, ReadCounts &counts) {
    struct Intent {
        size_t rows = 0;
        bool reviewed = false;
        bool eligible = false; // a class unless past max_intents
        bool kept = false;
    };
    std::unordered_map<std::string_view, Intent> intents;
    for (const DataRow &row : rows) {
        Intent &i = intents[row.label];
        ++i.rows;
        i.reviewed = i.reviewed || row.reviewed;
    }
    std::vector<std::pair<std::string_view, Intent *>> order;
    order.reserve(intents.size());
    for (auto &[label, i] : intents) {
        i.eligible = i.reviewed || i.rows >= static_cast<size_t>(limits.min_intent_rows);
        if (i.eligible) order.emplace_back(label, &i);
    }
    std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
        if (a.second->reviewed != b.second->reviewed) return a.second->reviewed;
        if (a.second->rows != b.second->rows) return a.second->rows > b.second->rows;
        return a.first < b.first; // char_traits<char>: unsigned bytes, as COLLATE "C"
    });
    if (order.size() > static_cast<size_t>(limits.max_intents))
        order.resize(static_cast<size_t>(limits.max_intents));
    for (auto &o : order)
        o.second->kept = true;
    // Which rows stay, decided before any row moves (the map's keys view
    // the rows' labels).
    std::vector<uint8_t> keep(rows.size()); // 0 kept, 1 rare, 2 past the limit
    for (size_t r = 0; r < rows.size(); ++r) {
        const Intent &i = intents.at(rows[r].label);
        keep[r] = i.kept ? 0 : i.eligible ? 2 : 1;
    }
    intents.clear();
    size_t out = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (keep[r] == 0) {
            if (out != r) rows[out] = std::move(rows[r]);
            ++out;
            continue;
        }
        ++(keep[r] == 1 ? counts.skipped_rare_intent : counts.skipped_intent_limit);
        charge.shrink(row_bytes(rows[r]));
    }
    rows.resize(out);
}

// Makes a memory context current for a scope, on every way out of it.
class CurrentContext {
  public:
    explicit CurrentContext(MemoryContext context) noexcept : old_(MemoryContextSwitchTo(context)) {}
    ~CurrentContext() { MemoryContextSwitchTo(old_); }
    CurrentContext(const CurrentContext &) = delete;
    CurrentContext &operator=(const CurrentContext &) = delete;

  private:
    MemoryContext old_;
};

// Reads the usable rows: those of _pg_intent_training_rows() (see
// src/sql/31_dataset.sql), selected while scanning.
// Each row is charged to `charge` before it is kept. With a limit, only the
// first `limit` usable rows in that order are kept while scanning (a heap
// whose top is the last kept row, replaced by any row before it), so the
// memory is that of the rows kept, not of the table: a window over a table
// that keeps growing trains within the same budget.
std::vector<DataRow> read_training_rows(Oid schema, const Selection &sel, TrainingProgress &progress,
                                        intent::MemoryCharge &charge, ReadCounts &counts) {
    std::vector<DataRow> rows;
    const size_t limit = static_cast<size_t>(std::max<int64_t>(sel.limit, 1));
    counts = ReadCounts{};
    const bool any_bytes = GetDatabaseEncoding() == PG_SQL_ASCII;
    Relation rel = nullptr;
    TableScanDesc scan = nullptr;
    MemoryContext per_row = nullptr;
    struct Columns {
        AttrNumber id, message, detected, correct, confidence, corrected, judged, status, created, label,
            reviewed;
    } c{};
    pg_call([&]() noexcept {
        Oid relid = extension_relation(schema, "ai_training_data");
        // The scan reads every row without the parser's privilege check or
        // row security. Its one caller, train_intent_model(), runs it as the
        // extension owner; a role that was granted EXECUTE anyway (a GRANT
        // ... ON ALL FUNCTIONS IN SCHEMA) must not read past them.
        AclResult acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
        if (acl != ACLCHECK_OK) aclcheck_error(acl, OBJECT_TABLE, get_rel_name(relid));
        if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
            ereport(
                ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("row-level security applies to ai_training_data for role \"%s\"",
                        GetUserNameFromId(GetUserId(), false)),
                 errhint("Train with train_intent_model(), which reads the table as the extension owner.")));
        // The one definition of a training row (0.2.1): a database still on
        // older SQL has not got it.
        if (get_attnum(relid, "training_label") == InvalidAttrNumber)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("ai_training_data has no column \"training_label\""),
                            errdetail("The pg_intent library is newer than the extension's SQL objects."),
                            errhint("Run ALTER EXTENSION pg_intent UPDATE.")));
        c = Columns{extension_column(relid, "id", UUIDOID),
                    extension_column(relid, "user_message", TEXTOID),
                    extension_column(relid, "detected_intent", TEXTOID),
                    extension_column(relid, "correct_intent", TEXTOID),
                    extension_column(relid, "confidence_score", INT4OID),
                    extension_column(relid, "corrected_by_human", BOOLOID),
                    extension_column(relid, "intent_correct", BOOLOID),
                    extension_column(relid, "dataset_status", TEXTOID),
                    extension_column(relid, "created_at", TIMESTAMPTZOID),
                    extension_column(relid, "training_label", TEXTOID),
                    extension_column(relid, "is_reviewed", BOOLOID)};
        rel = table_open(relid, AccessShareLock);
        scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
        per_row = AllocSetContextCreate(CurrentMemoryContext, "pg_intent training row", ALLOCSET_SMALL_SIZES);
    });
    // One pg_call per tuple: the tuple is deformed once (heap_getattr walks
    // from the first column for every column after a varlena) and its texts
    // are detoasted into `per_row` (reset for each tuple), read as views; only
    // the rows kept are copied.
    constexpr int kColumns = 11;
    struct Read {
        bool more = false;
        Datum v[kColumns];
        bool n[kColumns];
        std::string_view s[kColumns];        // the text columns
        bool truncated = false;              // the message was longer than what was read
        bool long_label[2] = {false, false}; // detected, correct: longer than kMaxLabelBytes
    };
    const size_t natts = static_cast<size_t>(RelationGetDescr(rel)->natts);
    std::vector<Datum> values(natts);
    std::unique_ptr<bool[]> isnull(new bool[natts]);
    for (uint64_t scanned = 0;; ++scanned) {
        if ((scanned & 1023) == 0 && training_should_stop())
            throw intent::Error(intent::ErrorKind::Cancelled, "training cancelled");
        Read r;
        pg_call([&]() noexcept {
            MemoryContextReset(per_row);
            HeapTuple tuple = heap_getnext(scan, ForwardScanDirection);
            if (!tuple) return;
            r.more = true;
            const AttrNumber atts[kColumns] = {c.id,         c.message,   c.detected, c.correct,
                                               c.confidence, c.corrected, c.judged,   c.status,
                                               c.created,    c.label,     c.reviewed};
            MemoryContext old = MemoryContextSwitchTo(per_row);
            heap_deform_tuple(tuple, RelationGetDescr(rel), values.data(), isnull.get());
            for (int i = 0; i < kColumns; ++i) {
                r.v[i] = values[static_cast<size_t>(atts[i] - 1)];
                r.n[i] = isnull[atts[i] - 1];
            }
            if (!r.n[7]) {
                text *t = DatumGetTextPP(r.v[7]);
                r.s[7] = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
            }
            // The labels: no further than one byte past the longest allowed.
            for (int i : {2, 3, 9})
                if (!r.n[i]) {
                    const TextSlice l = text_prefix_in_pg(r.v[i], kMaxLabelBytes);
                    r.s[i] = std::string_view(l.data, l.size);
                    if (i != 9) r.long_label[i - 2] = l.truncated;
                }
            // The message: its first bytes only, detoasted that far, cut at a
            // character boundary: kDefaultMaxMessageBytes of a reviewed
            // row's, the policy's max_unreviewed_message_bytes of any other
            // (which any role that may log interactions writes: long logged
            // messages made runs many times slower and larger).
            if (!r.n[1]) {
                const bool reviewed = !r.n[10] && DatumGetBool(r.v[10]);
                const TextSlice m =
                    text_prefix_in_pg(r.v[1], reviewed ? kDefaultMaxMessageBytes
                                                       : static_cast<size_t>(sel.unreviewed.message_bytes));
                r.s[1] = std::string_view(m.data, m.size);
                r.truncated = m.truncated;
            }
            MemoryContextSwitchTo(old);
        });
        if (!r.more) break;
        const std::string_view status = r.s[7]; // empty when null
        // dataset_status <> 'rejected'
        if (!r.n[7] && status == "rejected") continue;
        // training_label: NULL when the row does not train. Why, for the
        // run's counts only: no label, judged wrong (intent_correct false)
        // with nobody saying what is right, or a label is_valid_intent_name()
        // refuses, which any role that may log interactions could store
        // before 0.2.1's constraints and which failed every run
        // ("uncertain") or put itself in every model.
        if (r.n[9]) {
            const std::string_view correct = r.s[3], detected = r.s[2];
            const bool judged_wrong = !r.n[6] && !DatumGetBool(r.v[6]);
            if ((correct.empty() && detected.empty()) || (judged_wrong && correct.empty())) continue;
            if (r.long_label[!correct.empty() ? 1 : 0])
                ++counts.skipped_long_label;
            else
                ++counts.skipped_invalid_label;
            continue;
        }
        const std::string_view label = r.s[9];
        const bool corrected = !r.n[5] && DatumGetBool(r.v[5]);
        const bool reviewed = !r.n[10] && DatumGetBool(r.v[10]);
        if (sel.only_reviewed && !reviewed) continue;
        if (!reviewed && (r.n[4] ? 0 : DatumGetInt32(r.v[4])) < sel.min_confidence) continue;
        // A SQL_ASCII database stores any bytes, and the core reads UTF-8:
        // a row that is not valid UTF-8 is left out and counted, so that one
        // such row (any role that may log interactions can write one) does
        // not fail every training run.
        if (any_bytes && (!intent::is_valid_utf8(r.s[1]) || !intent::is_valid_utf8(label))) {
            ++counts.skipped_invalid_text;
            continue;
        }
        // The same for a character UTF-8 has no equivalent for (22P05:
        // WIN1252's 0x81, 0x8D, 0x8F, 0x90, 0x9D): one such row failed every
        // run after it was logged. Converted here, before the row takes a
        // place in the window, so that the window holds rows that train; in
        // `per_row`, which the next tuple resets, so that a failed
        // conversion's buffer is not left behind once per such row.
        std::string text_utf8, label_utf8;
        {
            CurrentContext in_row(per_row);
            std::string_view converted;
            if (!server_to_utf8_if_translatable(r.s[1].data(), r.s[1].size(), text_utf8, converted) ||
                !server_to_utf8_if_translatable(label.data(), label.size(), label_utf8, converted)) {
                ++counts.skipped_untranslatable;
                continue;
            }
        }
        // id and created_at are NOT NULL in the extension's table; a table
        // owner who dropped those constraints gets an error, not a read of
        // a null pointer (which crashed the backend), and a NULL created_at
        // counts as 'infinity', newest, as get_training_dataset()'s ORDER BY
        // ... DESC puts NULLs first.
        if (r.n[0])
            throw SqlError(
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "a row of ai_training_data has no id",
                "Its primary key or NOT NULL constraint on id was removed.",
                "Give it one (UPDATE ai_training_data SET id = gen_random_uuid() WHERE id IS NULL) "
                "and restore the primary key.");
        DataRow row;
        std::memcpy(row.id.b, DatumGetUUIDP(r.v[0])->data, UUID_LEN);
        row.created_at = r.n[8] ? DT_NOEND : DatumGetTimestampTz(r.v[8]);
        row.reviewed = reviewed;
        row.truncated = r.truncated;
        const bool full = rows.size() == limit;
        if (full && !before(row, rows.front())) continue; // after every row kept
        charge.add(row_bytes(r.s[1].size(), label.size(), text_utf8.size(), label_utf8.size()),
                   "the training rows");
        row.text.assign(r.s[1]);
        row.label.assign(label);
        row.text_utf8 = std::move(text_utf8);
        row.label_utf8 = std::move(label_utf8);
        row.corrected = corrected;
        if (full) {
            std::pop_heap(rows.begin(), rows.end(), before);
            charge.shrink(row_bytes(rows.back()));
            rows.back() = std::move(row);
            std::push_heap(rows.begin(), rows.end(), before);
        } else {
            rows.push_back(std::move(row));
            if (rows.size() == limit) std::make_heap(rows.begin(), rows.end(), before);
        }
    }
    pg_call([&]() noexcept {
        table_endscan(scan);
        table_close(rel, AccessShareLock);
        MemoryContextDelete(per_row);
    });
    keep_policy_intents(rows, sel.unreviewed, charge, counts);
    counts.truncated_messages = static_cast<size_t>(
        std::count_if(rows.begin(), rows.end(), [](const DataRow &row) { return row.truncated; }));
    // The order 0.1.0 fed the core: text, label (byte order, as COLLATE "C"),
    // corrected first, id.
    std::sort(rows.begin(), rows.end(), [](const DataRow &a, const DataRow &b) {
        if (int t = a.text.compare(b.text)) return t < 0;
        if (int l = a.label.compare(b.label)) return l < 0;
        if (a.corrected != b.corrected) return a.corrected;
        return a.id < b.id;
    });
    progress.set_rows(rows.size());
    return rows;
}

// The rows (and labels) the given run trained on, from ai_training_run_rows.
std::unordered_map<Uuid, std::string, UuidHash> run_training_set(Oid schema, Datum run_id) {
    std::unordered_map<Uuid, std::string, UuidHash> set;
    Relation rel = nullptr;
    SysScanDesc scan = nullptr;
    Snapshot snapshot = nullptr;
    AttrNumber data_att = 0, intent_att = 0;
    pg_call([&]() noexcept {
        Oid relid = extension_relation(schema, "ai_training_run_rows");
        Oid index = extension_relation(schema, "ai_training_run_rows_pkey");
        data_att = extension_column(relid, "training_data_id", UUIDOID);
        intent_att = extension_column(relid, "intent", TEXTOID);
        rel = table_open(relid, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, extension_column(relid, "run_id", UUIDOID), BTEqualStrategyNumber, F_UUID_EQ,
                    run_id);
        snapshot = RegisterSnapshot(GetActiveSnapshot());
        scan = systable_beginscan(rel, index, true, snapshot, 1, &key);
    });
    for (uint64_t n = 0;; ++n) {
        if ((n & 4095) == 0 && training_should_stop())
            throw intent::Error(intent::ErrorKind::Cancelled, "training cancelled");
        bool more = false, has_id = false, intent_null = true;
        Uuid id{};
        Datum intent_datum = 0;
        pg_call([&]() noexcept {
            HeapTuple tuple = systable_getnext(scan);
            if (!tuple) return;
            more = true;
            // Both columns are NOT NULL in the extension's table; without
            // those constraints a NULL is read as no row (id) or no label
            // (intent), never dereferenced.
            bool isnull;
            const Datum data_id = heap_getattr(tuple, data_att, RelationGetDescr(rel), &isnull);
            has_id = !isnull;
            if (has_id) std::memcpy(id.b, DatumGetUUIDP(data_id)->data, UUID_LEN);
            intent_datum = heap_getattr(tuple, intent_att, RelationGetDescr(rel), &intent_null);
        });
        if (!more) break;
        if (has_id) set.emplace(id, intent_null ? std::string() : datum_string(intent_datum));
    }
    pg_call([&]() noexcept {
        systable_endscan(scan);
        UnregisterSnapshot(snapshot);
        table_close(rel, AccessShareLock);
    });
    return set;
}

// What the dataset must satisfy before any training starts: enough rows,
// and no row labelled "uncertain", the word classify_intent() answers below
// its threshold (an intent of that name would make its answers ambiguous).
// No stored row can reach the second check: training_label is never
// "uncertain" (is_valid_intent_name()); it stays as a guard of the core's
// input, should the generated column ever be redefined.
void check_dataset(const std::vector<DataRow> &data, int min_rows) {
    if (static_cast<int64_t>(data.size()) < min_rows)
        throw intent::Error(
            intent::ErrorKind::InsufficientData,
            "not enough training data: " + std::to_string(data.size()) + " usable rows, at least " +
                std::to_string(min_rows) + " needed",
            {}, "Record more interactions, or lower ai_training_policy.min_samples_for_training.");
    size_t uncertain = 0;
    std::set<std::string_view> intents;
    for (const DataRow &row : data) {
        uncertain += row.label == "uncertain";
        if (intents.size() < 2) intents.insert(row.label);
    }
    if (intents.size() < 2)
        throw intent::Error(intent::ErrorKind::InsufficientData,
                            "not enough training data: " + std::to_string(intents.size()) +
                                " distinct intents, at least 2 needed",
                            {}, "A classifier needs examples of at least two intents.");
    if (uncertain > 0)
        throw SqlError(
            ERRCODE_INVALID_PARAMETER_VALUE, "invalid intent name \"uncertain\"",
            (std::to_string(uncertain) +
             " usable rows are labelled \"uncertain\", which classify_intent() returns for predictions "
             "below the abstain threshold.")
                .c_str(),
            "Relabel those rows (submit_intent_correction()) or reject them.");
}

// A PostgreSQL array of `n` datums of `type` (elements copied).
template <class Fill> Datum make_array(size_t n, Oid type, Fill &&fill) {
    Datum result;
    std::vector<Datum> values(n);
    std::vector<bool> nulls(n);
    for (size_t i = 0; i < n; ++i) {
        bool isnull = false;
        values[i] = fill(i, isnull);
        nulls[i] = isnull;
    }
    pg_call([&]() noexcept {
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
        bool *null_flags = static_cast<bool *>(palloc(std::max<size_t>(1, n) * sizeof(bool)));
        for (size_t i = 0; i < n; ++i)
            null_flags[i] = nulls[i];
        int dims[1] = {static_cast<int>(n)}, lbs[1] = {1};
        result = PointerGetDatum(
            construct_md_array(values.data(), null_flags, 1, dims, lbs, type, typlen, typbyval, typalign));
    });
    return result;
}

Datum text_datum(const std::string &server_text) {
    Datum d;
    pg_call([&]() noexcept {
        d = PointerGetDatum(cstring_to_text_with_len(server_text.data(), server_text.size()));
    });
    return d;
}

} // namespace
} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_train_table(p_run_id uuid, p_options jsonb, p_corrected_weight
// real, p_max_threads integer, p_min_rows integer, p_active_model_id bigint,
// p_active_run_id uuid). p_options are train_intent_model()'s (the run's
// keys select the rows, the rest are the model's).
PG_INTENT_FUNCTION(pg_intent_train_table) {
    for (int i : {0, 1, 2, 3, 4})
        if (PG_ARGISNULL(i)) throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "arguments must not be null");
    Oid schema = InvalidOid;
    char run_id_text[UUID_LEN * 2 + 5] = {0};
    pg_call([&]() noexcept {
        schema = get_func_namespace(fcinfo->flinfo->fn_oid);
        char *s = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(0)));
        strlcpy(run_id_text, s, sizeof run_id_text);
    });

    intent::TrainingRequest request;
    request.apply_json(jsonb_to_utf8(PG_GETARG_DATUM(1)));
    intent::ModelOptions &options = request.model;
    const float corrected_weight = PG_GETARG_FLOAT4(2);
    // The policy caps the threads. 0 is the core's automatic count (the
    // cores, at most 4), capped too: on a 2-core server the cap of 4 must
    // not turn "automatic" into 4 threads fighting for 2 cores.
    const int max_threads = PG_GETARG_INT32(3);
    options.learner.threads =
        static_cast<int>(std::min<size_t>(intent::training_threads(options.learner.threads), max_threads));
    const int min_rows = PG_GETARG_INT32(4);
    Selection sel;
    sel.min_confidence = request.run.min_confidence;
    sel.only_reviewed = request.run.only_reviewed;
    sel.limit = request.run.limit;
    sel.unreviewed = unreviewed_row_limits(schema);

    // The policy's memory limit: the rows read are charged as they are read,
    // then the core charges its own buffers (53200 when they would not fit).
    intent::MemoryBudget budget(training_memory_limit(schema));
    intent::MemoryCharge data_charge(&budget);
    TrainingProgress progress(run_id_text, 0);
    ReadCounts counts;
    std::vector<DataRow> data = read_training_rows(schema, sel, progress, data_charge, counts);
    check_dataset(data, min_rows);

    // The active model and what it trained on.
    LoadedModel active;
    std::string active_model_error; // why the active model could not be loaded
    if (!PG_ARGISNULL(5)) {
        try {
            active = model_by_id(schema, PG_GETARG_INT64(5));
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
            const int64 active_id = PG_GETARG_INT64(5);
            pg_call([&]() noexcept {
                ereport(WARNING,
                        (errmsg("the active intent model %lld cannot be loaded: %s",
                                static_cast<long long>(active_id), active_model_error.c_str()),
                         errdetail("%s", detail.c_str()),
                         errhint("This run is not compared with it on fresh rows; deploy the new model, "
                                 "e.g. with {\"deploy\": \"always\"}.")));
            });
        }
        if (active.model && !PG_ARGISNULL(6)) {
            auto trained_on = run_training_set(schema, PG_GETARG_DATUM(6));
            // Only reviewed rows judge the active model. An unreviewed row's
            // label is the detected intent its writer sent: usually the
            // active model's own answer (which no new model can beat on that
            // row), and a role allowed only to log interactions writes it, so
            // it must not steer which model is served.
            for (DataRow &row : data) {
                if (!row.reviewed) continue;
                auto it = trained_on.find(row.id);
                row.fresh = it == trained_on.end() || it->second != row.label;
            }
        }
        // Without a record (a 0.1.0 model) no row is known to be fresh: the
        // gate reports that it has no evidence.
    }

    // The core's copy of the rows takes the UTF-8 texts read (the rest of
    // each DataRow stays for the results, the label in the server encoding
    // among it): no second copy of every text, no second conversion.
    intent::MemoryCharge rows_charge(&budget, data.size() * sizeof(intent::LabeledText), "the training rows");
    std::vector<intent::LabeledText> rows(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
        DataRow &row = data[i];
        rows[i].text = std::move(row.text_utf8.empty() ? row.text : row.text_utf8);
        std::string().swap(row.text);
        std::string().swap(row.text_utf8);
        if (row.label_utf8.empty())
            rows[i].label = row.label;
        else
            rows[i].label = std::move(row.label_utf8);
        rows[i].corrected = data[i].corrected;
        rows[i].weight = data[i].corrected ? corrected_weight : 1.0f;
        rows[i].fresh = data[i].fresh;
    }

    intent::TrainCallbacks callbacks;
    callbacks.cancelled = [] { return training_should_stop(); };
    callbacks.progress = [&progress](const intent::TrainProgress &p) { progress.report(p); };
    callbacks.memory = &budget;
    intent::TrainedModel trained = intent::train_model(rows, options, callbacks, active.model.get());
    rows = {};

    // The stored report: per-row results go to ai_training_run_rows, so the
    // column-wise row_results and the gate's row list are left out;
    // misclassified rows are named by their ai_training_data id. The per-row
    // results are set aside while the report is written, so that it never
    // holds them (written, parsed back and erased, they cost more than the
    // rest of the report at 15,000 rows); they are only ever read into the
    // arrays below.
    std::vector<intent::RowResult> results = std::move(trained.report.rows);
    trained.report.rows.clear();
    intent::Json report = intent::parse_json(trained.report.to_json(trained.model), "training report");
    report.erase("row_results");
    if (report["gate"].is_object()) report["gate"].erase("input_rows");
    if (counts.skipped_invalid_text > 0) report["rows_skipped_invalid_utf8"] = counts.skipped_invalid_text;
    if (counts.skipped_untranslatable > 0)
        report["rows_skipped_untranslatable"] = counts.skipped_untranslatable;
    if (counts.truncated_messages > 0) report["messages_truncated"] = counts.truncated_messages;
    if (counts.skipped_long_label > 0) report["rows_skipped_long_label"] = counts.skipped_long_label;
    if (counts.skipped_invalid_label > 0) report["rows_skipped_invalid_label"] = counts.skipped_invalid_label;
    if (counts.skipped_rare_intent > 0) report["rows_skipped_rare_intent"] = counts.skipped_rare_intent;
    if (counts.skipped_intent_limit > 0) report["rows_skipped_intent_limit"] = counts.skipped_intent_limit;
    if (!active_model_error.empty()) report["active_model_error"] = active_model_error;
    auto uuid_text = [&](size_t row) {
        char buf[UUID_LEN * 2 + 5];
        const uint8_t *b = data[row].id.b;
        snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                 b[14], b[15]);
        return std::string(buf);
    };
    if (report.contains("metrics") && report["metrics"].contains("misclassified"))
        for (intent::Json &m : report["metrics"]["misclassified"]) {
            if (m.contains("row") && m["row"].is_number_unsigned() && m["row"].get<size_t>() < data.size())
                m["training_data_id"] = uuid_text(m["row"].get<size_t>());
            m.erase("row");
        }
    const std::string report_text = intent::dump_json(report);
    const std::string blob = trained.model.serialize();

    if (results.size() != data.size())
        throw SqlError(ERRCODE_INTERNAL_ERROR, "the trainer returned results for another number of rows");
    const auto &labels = trained.model.labels();
    Datum values[10];
    bool nulls[10] = {false};
    values[1] = utf8_json_to_jsonb(report_text);
    // The ids in one allocation, made inside pg_call(): a failed palloc()
    // per row, outside it, would have longjmp'ed over the trained model, the
    // report and the row results, never to be freed.
    pg_uuid_t *ids = nullptr;
    pg_call([&]() noexcept {
        ids = static_cast<pg_uuid_t *>(
            palloc_extended(std::max<size_t>(1, data.size()) * sizeof(pg_uuid_t), MCXT_ALLOC_HUGE));
    });
    values[2] = make_array(data.size(), UUIDOID, [&](size_t i, bool &) {
        std::memcpy(ids[i].data, data[i].id.b, UUID_LEN);
        return UUIDPGetDatum(&ids[i]);
    });
    values[3] = make_array(data.size(), TEXTOID, [&](size_t i, bool &) { return text_datum(data[i].label); });
    values[4] =
        make_array(data.size(), BOOLOID, [&](size_t i, bool &) { return BoolGetDatum(data[i].fresh); });
    values[5] = make_array(data.size(), INT2OID, [&](size_t i, bool &isnull) {
        isnull = results[i].fold < 0;
        return Int16GetDatum(static_cast<int16>(results[i].fold));
    });
    values[6] = make_array(data.size(), TEXTOID, [&](size_t i, bool &isnull) {
        isnull = results[i].predicted < 0;
        return isnull ? Datum(0) : utf8_to_text(labels[static_cast<size_t>(results[i].predicted)]);
    });
    values[7] = make_array(data.size(), FLOAT4OID, [&](size_t i, bool &isnull) {
        isnull = results[i].predicted < 0;
        return Float4GetDatum(results[i].confidence);
    });
    values[8] = make_array(data.size(), FLOAT4OID, [&](size_t i, bool &isnull) {
        isnull = results[i].predicted < 0;
        return Float4GetDatum(results[i].label_probability);
    });
    values[9] = make_array(data.size(), BOOLOID, [&](size_t i, bool &isnull) {
        isnull = results[i].predicted < 0;
        return BoolGetDatum(results[i].uncertain);
    });
    return trained_model_tuple(fcinfo, blob, values, nulls);
}
