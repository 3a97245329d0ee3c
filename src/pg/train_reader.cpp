// Reads ai_training_data into the rows of a training run (see
// train_reader.h).
#include "train_reader.h"

#include "guard.h"
#include "memory_context.h"
#include "module.h"
#include "progress.h"
#include "relations.h"
#include "scan.h"
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

size_t row_bytes(size_t text, size_t label, size_t utf8) {
    return sizeof(DataRow) + text + label + utf8;
}
size_t row_bytes(const DataRow &row) {
    return row_bytes(row.text.size(), row.label.size(), row.utf8.bytes());
}

} // namespace

// The policy's bounds on the classes of a run, applied to the rows read
// (the window), as _pg_intent_training_rows() applies them: a label that no
// reviewed row carries needs min_intent_rows rows; then at most max_intents
// labels, those with reviewed rows first, then those with more rows, then in
// byte order (COLLATE "C"). The rows of the others are left out and counted.
// Without them, logged rows with a label each made runs slow and their
// macro F1 so low that the deploy rule refused every model while they
// existed; in a classifier's source, 500 one-row labels gave a macro F1 of
// 0.02 that then blocked every deploy (issue 31).
void tally_policy_intent(PolicyIntents &intents, const DataRow &row) {
    PolicyIntent &i = intents[row.label];
    ++i.rows;
    i.reviewed = i.reviewed || row.reviewed;
}

void mark_policy_intents(PolicyIntents &intents, const UnreviewedRowLimits &limits) {
    std::vector<std::pair<std::string_view, PolicyIntent *>> order;
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
}

void keep_policy_intents(std::vector<DataRow> &rows, const UnreviewedRowLimits &limits,
                         intent::MemoryCharge &charge, ReadCounts &counts) {
    PolicyIntents intents;
    for (const DataRow &row : rows)
        tally_policy_intent(intents, row);
    mark_policy_intents(intents, limits);
    // Which rows stay, decided before any row moves (the map's keys view
    // the rows' labels).
    std::vector<uint8_t> keep(rows.size()); // 0 kept, 1 rare, 2 past the limit
    for (size_t r = 0; r < rows.size(); ++r) {
        const PolicyIntent &i = intents.at(rows[r].label);
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
    // The messages cut are those of the rows that train: a text left out
    // is not reported as cut (a classifier's read counted every text it
    // cut, 0.3.2).
    counts.truncated_messages = static_cast<size_t>(
        std::count_if(rows.begin(), rows.end(), [](const DataRow &row) { return row.truncated; }));
}

// Reviewed rows: kDefaultMaxMessageBytes. Any other: the policy's bytes,
// whose column CHECK keeps them in [64, 65536]; never trust a value outside.
size_t message_bytes_to_read(bool reviewed, const UnreviewedRowLimits &limits) noexcept {
    if (reviewed) return kDefaultMaxMessageBytes;
    return std::clamp<size_t>(static_cast<size_t>(std::max(limits.message_bytes, 64)), 64,
                              kDefaultMaxMessageBytes);
}

namespace {

// The columns of ai_training_data a training run reads.
struct Columns {
    AttrNumber id, message, detected, correct, confidence, corrected, judged, status, created, label,
        reviewed;
};

// Opens ai_training_data for the scan: the caller's right to read it, no
// row security, the columns of a training row. In one pg_call. Returns the
// table's OID.
Oid open_training_data(Oid schema, Columns &c) {
    Oid relid = InvalidOid;
    pg_call([&]() noexcept {
        relid = extension_relation(schema, "ai_training_data");
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
        // COMPAT(0.2.0) The one definition of a training row (0.2.1): a database still on
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
    });
    return relid;
}

// One pg_call per tuple: the tuple is deformed once (heap_getattr walks
// from the first column for every column after a varlena) and its texts
// are detoasted into the scan's memory context for one tuple (reset for
// each, TrainingDataScan), read as views; only the rows kept are copied.
constexpr int kColumns = 11;
struct Read {
    bool more = false;
    Datum v[kColumns];
    bool n[kColumns];
    std::string_view s[kColumns];        // the text columns
    bool truncated = false;              // the message was longer than what was read
    bool long_label[2] = {false, false}; // detected, correct: longer than kMaxLabelBytes
};

// A read of ai_training_data for a training run, which both readers share
// (read_training_rows(), read_unlabelled_texts()): the table opened for the
// caller (open_training_data()), one heap scan under the statement's
// snapshot, a memory context the texts of the tuple read are detoasted
// into (reset for each tuple), and a cancel check every 1024 tuples. Its
// end ends the scan and deletes the context.
class TrainingDataScan {
  public:
    // `context_name` names the tuple's memory context (a string literal).
    TrainingDataScan(Oid schema, const char *context_name)
        : scan_(open_training_data(schema, columns_), AccessShareLock, ScanSnapshot::Active),
          per_row_(context_name, ScratchMemoryContext::Small),
          values_(static_cast<size_t>(scan_.descriptor()->natts)),
          isnull_(new bool[static_cast<size_t>(scan_.descriptor()->natts)]) {}

    // Reads the next tuple into `r`, its message on the bytes `limits`
    // allows (message_bytes_to_read()); false at the end. One pg_call: the
    // tuple is deformed once and its texts detoasted into the tuple's
    // context, which it resets first. Throws Cancelled when the training
    // should stop.
    bool next(const UnreviewedRowLimits &limits, Read &r) {
        if ((scanned_++ & 1023) == 0 && training_should_stop())
            throw intent::Error(intent::ErrorKind::Cancelled, "training cancelled");
        read(limits, r);
        return r.more;
    }

    // The memory context of the tuple read (its texts), reset by next().
    MemoryContext row_context() const noexcept { return per_row_.get(); }

  private:
    void read(const UnreviewedRowLimits &limits, Read &r) {
        pg_call([&]() noexcept {
            MemoryContextReset(per_row_.get());
            HeapTuple tuple = scan_.next_in_pg();
            if (!tuple) return;
            r.more = true;
            const Columns &c = columns_;
            const AttrNumber atts[kColumns] = {c.id,         c.message,   c.detected, c.correct,
                                               c.confidence, c.corrected, c.judged,   c.status,
                                               c.created,    c.label,     c.reviewed};
            MemoryContext old = MemoryContextSwitchTo(per_row_.get());
            heap_deform_tuple(tuple, scan_.descriptor(), values_.data(), isnull_.get());
            for (int i = 0; i < kColumns; ++i) {
                r.v[i] = values_[static_cast<size_t>(atts[i] - 1)];
                r.n[i] = isnull_[atts[i] - 1];
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
                const TextSlice m = text_prefix_in_pg(r.v[1], message_bytes_to_read(reviewed, limits));
                r.s[1] = std::string_view(m.data, m.size);
                r.truncated = m.truncated;
            }
            MemoryContextSwitchTo(old);
        });
    }

    Columns columns_{}; // set by open_training_data(), before the scan begins
    HeapScan scan_;
    ScratchMemoryContext per_row_;
    std::vector<Datum> values_;
    std::unique_ptr<bool[]> isnull_;
    uint64_t scanned_ = 0;
};

// A tuple that trains: its label (a view into the tuple's texts), flags and
// UTF-8 texts.
struct Usable {
    std::string_view label;
    bool corrected = false;
    bool reviewed = false;
    std::string text_utf8, label_utf8;
};

// Whether the tuple read trains (as _pg_intent_training_rows() decides),
// filling `u`; a tuple left out is counted in `counts` where the run's
// report shows it.
bool usable_row(const Read &r, const Selection &sel, bool any_bytes, MemoryContext per_row,
                ReadCounts &counts, Usable &u) {
    const std::string_view status = r.s[7]; // empty when null
    // dataset_status <> 'rejected'
    if (!r.n[7] && status == "rejected") return false;
    // training_label: NULL when the row does not train. Why, for the
    // run's counts only: no label, judged wrong (intent_correct false)
    // with nobody saying what is right, or a label is_valid_intent_name()
    // refuses, which any role that may log interactions could store
    // before 0.2.1's constraints and which failed every run
    // ("uncertain") or put itself in every model.
    if (r.n[9]) {
        const std::string_view correct = r.s[3], detected = r.s[2];
        const bool judged_wrong = !r.n[6] && !DatumGetBool(r.v[6]);
        if ((no_label(r.n[3], correct) && no_label(r.n[2], detected)) ||
            (judged_wrong && no_label(r.n[3], correct)))
            return false;
        if (r.long_label[!correct.empty() ? 1 : 0])
            ++counts.skipped_long_label;
        else
            ++counts.skipped_invalid_label;
        return false;
    }
    u.label = r.s[9];
    u.corrected = !r.n[5] && DatumGetBool(r.v[5]);
    u.reviewed = !r.n[10] && DatumGetBool(r.v[10]);
    if (sel.only_reviewed && !u.reviewed) return false;
    if (!u.reviewed && (r.n[4] ? 0 : DatumGetInt32(r.v[4])) < sel.min_confidence) return false;
    // A SQL_ASCII database stores any bytes, and the core reads UTF-8:
    // a row that is not valid UTF-8 is left out and counted, so that one
    // such row (any role that may log interactions can write one) does
    // not fail every training run.
    if (any_bytes && (!intent::is_valid_utf8(r.s[1]) || !intent::is_valid_utf8(u.label))) {
        ++counts.skipped_invalid_text;
        return false;
    }
    // The same for a character UTF-8 has no equivalent for (22P05:
    // WIN1252's 0x81, 0x8D, 0x8F, 0x90, 0x9D): one such row failed every
    // run after it was logged. Converted here, before the row takes a
    // place in the window, so that the window holds rows that train; in
    // `per_row`, which the next tuple resets, so that a failed
    // conversion's buffer is not left behind once per such row.
    {
        CurrentMemoryContextScope in_row(per_row);
        std::string_view converted;
        if (!server_to_utf8_if_translatable(r.s[1].data(), r.s[1].size(), u.text_utf8, converted) ||
            !server_to_utf8_if_translatable(u.label.data(), u.label.size(), u.label_utf8, converted)) {
            ++counts.skipped_untranslatable;
            return false;
        }
    }
    return true;
}

// The rows kept while scanning: the first `limit` usable rows in before()'s
// order, of which at most `max_unreviewed` unreviewed (the newest). Two
// heaps, each with its last row kept on top: the reviewed rows, and the
// unreviewed ones, which never hold more than the room the reviewed rows
// leave (so the rows kept are never more than `limit`). Each row is charged
// to `charge` before it is kept, and given back when it is pushed out.
class Window {
  public:
    Window(size_t limit, size_t max_unreviewed, intent::MemoryCharge &charge)
        : limit_(limit), max_unreviewed_(max_unreviewed), charge_(charge) {}

    // Adds the usable tuple, unless `limit` rows before it are kept.
    void add(const Read &r, Usable &u) {
        // id and created_at are NOT NULL in the extension's table; a table
        // owner who dropped those constraints gets an error, not a read of
        // a null pointer (which crashed the backend), and a NULL created_at
        // counts as 'infinity', newest, as get_training_dataset()'s ORDER BY
        // ... DESC puts NULLs first.
        if (r.n[0])
            throw SqlError(
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                intent::Message{N_("a row of ai_training_data has no id"), {}},
                N_("Its primary key or NOT NULL constraint on id was removed."),
                N_("Give it one (UPDATE ai_training_data SET id = gen_random_uuid() WHERE id IS NULL) "
                   "and restore the primary key."));
        DataRow row;
        std::memcpy(row.id.b, DatumGetUUIDP(r.v[0])->data, UUID_LEN);
        row.created_at = r.n[8] ? DT_NOEND : DatumGetTimestampTz(r.v[8]);
        row.reviewed = u.reviewed;
        row.truncated = r.truncated;
        std::vector<DataRow> &heap = row.reviewed ? reviewed_ : unreviewed_;
        const size_t room = row.reviewed ? limit_ : std::min(max_unreviewed_, limit_ - reviewed_.size());
        if (room == 0) return;
        const bool full = heap.size() >= room;
        if (full && !before(row, heap.front())) return; // after every row kept
        row.utf8.set(std::move(u.text_utf8), std::move(u.label_utf8));
        charge_.add(row_bytes(r.s[1].size(), u.label.size(), row.utf8.bytes()), "the training rows");
        row.text.assign(r.s[1]);
        row.label.assign(u.label);
        row.corrected = u.corrected;
        if (full) drop_last(heap);
        heap.push_back(std::move(row));
        std::push_heap(heap.begin(), heap.end(), before);
        // A reviewed row takes the place of the last unreviewed one.
        while (reviewed_.size() + unreviewed_.size() > limit_)
            drop_last(unreviewed_);
    }

    // The rows kept, reviewed ones first (in no particular order otherwise).
    std::vector<DataRow> take() {
        std::vector<DataRow> rows = std::move(reviewed_);
        rows.reserve(rows.size() + unreviewed_.size());
        for (DataRow &row : unreviewed_)
            rows.push_back(std::move(row));
        unreviewed_.clear();
        return rows;
    }

  private:
    void drop_last(std::vector<DataRow> &heap) {
        std::pop_heap(heap.begin(), heap.end(), before);
        charge_.shrink(row_bytes(heap.back()));
        heap.pop_back();
    }

    const size_t limit_, max_unreviewed_;
    intent::MemoryCharge &charge_;
    std::vector<DataRow> reviewed_, unreviewed_;
};

// After the scan: the policy's bounds on the classes (and with them the count
// of cut messages), the core's training order (into_training_order()).
void finish_rows(std::vector<DataRow> &rows, const Selection &sel, TrainingProgress &progress,
                 intent::MemoryCharge &charge, ReadCounts &counts) {
    keep_policy_intents(rows, sel.unreviewed, charge, counts);
    into_training_order(rows);
    progress.set_rows(rows.size());
}

} // namespace

void into_training_order(std::vector<DataRow> &rows) {
    std::sort(rows.begin(), rows.end(), [](const DataRow &a, const DataRow &b) {
        if (const int c = intent::compare_training_order(a, b)) return c < 0;
        // A classifier's rows: their place in the read (each has its own);
        // ai_training_data's rows have none (SIZE_MAX) and go by id.
        if (a.staged_index != b.staged_index) return a.staged_index < b.staged_index;
        return a.id < b.id;
    });
}

// Reads the usable rows: those of _pg_intent_training_rows() (see
// src/sql/31_dataset.sql), selected while scanning.
// Each row is charged to `charge` before it is kept. Only the first `limit`
// usable rows in that order, of which the newest max_unreviewed_rows
// unreviewed ones, are kept while scanning (Window), so the memory is that
// of the rows kept, not of the table: a window over a table that keeps
// growing trains within the same budget, and rows nobody reviewed cost a
// run at most max_unreviewed_rows messages however many are logged.
std::vector<DataRow> read_training_rows(Oid schema, const Selection &sel, TrainingProgress &progress,
                                        intent::MemoryCharge &charge, ReadCounts &counts) {
    const size_t limit = static_cast<size_t>(std::max<int64_t>(sel.limit, 1));
    Window window(limit, static_cast<size_t>(std::max<int64_t>(sel.unreviewed.max_rows, 1)), charge);
    counts = ReadCounts{};
    const bool any_bytes = GetDatabaseEncoding() == PG_SQL_ASCII;
    {
        // Under the statement's snapshot; ended right after the loop.
        TrainingDataScan scan(schema, "pg_intent training row");
        for (;;) {
            Read r;
            if (!scan.next(sel.unreviewed, r)) break;
            Usable u;
            if (!usable_row(r, sel, any_bytes, scan.row_context(), counts, u)) continue;
            window.add(r, u);
        }
    }
    std::vector<DataRow> rows = window.take();
    finish_rows(rows, sel, progress, charge, counts);
    return rows;
}

RunRows::RunRows(std::vector<DataRow> &&rows, bool with_ids, bool with_keys, bool with_staged_index) {
    const size_t n = rows.size();
    if (with_ids) ids_.reserve(n);
    label_.reserve(n);
    flags_.reserve(n);
    if (with_staged_index) staged_index_.reserve(n);
    if (with_keys) {
        size_t key_bytes = 0;
        for (const DataRow &row : rows)
            key_bytes += row.key.size();
        keys_.reserve(n, key_bytes);
    }
    for (const DataRow &row : rows) {
        if (with_ids) ids_.push_back(row.id);
        const uint32_t label = labels_.id(row.label);
        if (label == labels_utf8_.size()) labels_utf8_.push_back(row.label_utf8());
        label_.push_back(label);
        flags_.push_back(static_cast<uint8_t>((row.fresh ? kFresh : 0) | (row.reviewed ? kReviewed : 0)));
        if (with_keys) keys_.push_back(row.key);
        if (with_staged_index) staged_index_.push_back(row.staged_index);
    }
    std::vector<DataRow>().swap(rows);
}

size_t RunRows::bytes() const {
    size_t total = ids_.capacity() * sizeof(Uuid) + labels_.bytes() + label_.capacity() * sizeof(uint32_t) +
                   flags_.capacity() + keys_.bytes() + staged_index_.capacity() * sizeof(size_t);
    for (const std::string &l : labels_utf8_)
        total += sizeof(std::string) + l.capacity();
    return total;
}

namespace {

// One text kept while scanning: newest first by created_at, then by the
// text's bytes. The order is the rows' contents, never their ids: ids are
// random (gen_random_uuid()), rows logged by one statement share their
// created_at, and the vectors depend on the order of their texts, so the
// same rows must give the same texts in the same order however often they
// are loaded. Rows equal in both are interchangeable.
struct UnlabelledRow {
    int64_t created_at;
    std::string text; // UTF-8
};
bool newer(const UnlabelledRow &a, const UnlabelledRow &b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.text < b.text;
}
size_t unlabelled_bytes(const UnlabelledRow &row) {
    return sizeof(UnlabelledRow) + row.text.size();
}

} // namespace

// The rows that train under no label (training_label NULL:
// trains_under_no_label()), as read_training_rows() scans them: one heap
// scan, each tuple deformed and its message detoasted on its first bytes
// only, cancellable. The newest rows are kept in a heap
// whose oldest row goes first whenever the rows or their bytes pass the
// bounds, so the memory held is that of the bounds, whatever the table.
UnlabelledTexts read_unlabelled_texts(Oid schema, const UnlabelledBounds &bounds,
                                      intent::MemoryCharge &charge) {
    UnlabelledTexts out;
    const size_t max_rows = static_cast<size_t>(std::max<int64_t>(bounds.max_rows, 0));
    const size_t max_bytes = static_cast<size_t>(std::max<int64_t>(bounds.max_bytes, 0));
    if (max_rows == 0 || max_bytes == 0) return out;
    const bool any_bytes = GetDatabaseEncoding() == PG_SQL_ASCII;
    // An unreviewed row's bytes for every row read here (a reviewed row
    // judged wrong is cut to the same length below).
    UnreviewedRowLimits limits;
    limits.message_bytes = static_cast<int>(bounds.message_bytes);
    // Kept: a heap with the oldest row on top, and the bytes of its texts.
    std::vector<UnlabelledRow> kept;
    size_t kept_text_bytes = 0;
    auto drop_oldest = [&] {
        std::pop_heap(kept.begin(), kept.end(), newer);
        kept_text_bytes -= kept.back().text.size();
        charge.shrink(unlabelled_bytes(kept.back()));
        kept.pop_back();
        ++out.left_out;
    };
    {
        // Ended right after the loop.
        TrainingDataScan scan(schema, "pg_intent unlabelled row");
        for (;;) {
            Read r;
            if (!scan.next(limits, r)) break;
            // Only the rows that train under no label (trains_under_no_label(),
            // the one rule: training_label is the row's label once
            // is_valid_intent_name() accepted it, NULL for none, a refused
            // one, or one judged wrong without a correction); not rejected
            // rows, nor rows without a message or an id.
            if (!trains_under_no_label(r.n[9], r.s[9], !r.n[9]) || r.n[0] || r.n[1]) continue;
            if (!r.n[7] && r.s[7] == "rejected") continue;
            std::string_view message = r.s[1];
            if (message.size() > bounds.message_bytes) {
                int cut = 0;
                pg_call([&]() noexcept {
                    cut = pg_mbcliplen(message.data(), static_cast<int>(message.size()),
                                       static_cast<int>(bounds.message_bytes));
                });
                message = message.substr(0, static_cast<size_t>(cut));
            }
            if (message.empty()) continue;
            UnlabelledRow row;
            row.created_at = r.n[8] ? DT_NOEND : DatumGetTimestampTz(r.v[8]);
            // Older than every row kept while the bounds are full: left out
            // before any copy (a row as old as the oldest kept is copied,
            // its text decides).
            if (kept.size() >= max_rows && row.created_at < kept.front().created_at) {
                ++out.left_out;
                continue;
            }
            if (any_bytes && !intent::is_valid_utf8(message)) {
                ++out.skipped_invalid;
                continue;
            }
            {
                CurrentMemoryContextScope in_row(scan.row_context());
                std::string storage;
                std::string_view utf8;
                if (!server_to_utf8_if_translatable(message.data(), message.size(), storage, utf8)) {
                    ++out.skipped_invalid;
                    continue;
                }
                row.text.assign(utf8);
            }
            if (row.text.size() > max_bytes || !charge.try_add(unlabelled_bytes(row))) {
                ++out.left_out;
                continue;
            }
            kept_text_bytes += row.text.size();
            kept.push_back(std::move(row));
            std::push_heap(kept.begin(), kept.end(), newer);
            while (kept.size() > max_rows || kept_text_bytes > max_bytes)
                drop_oldest();
        }
    }
    // Newest first: the same rows give the same texts in the same order.
    std::sort(kept.begin(), kept.end(), newer);
    out.texts.reserve(kept.size());
    for (UnlabelledRow &row : kept)
        out.texts.push_back(std::move(row.text));
    return out;
}

} // namespace pg_intent
