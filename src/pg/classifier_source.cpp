// Reading a classifier's source as the caller, and staging it (see
// classifier_source.h for the rules).
#include "classifier_source.h"

#include "dataset.h"
#include "errors.h"
#include "subword_auto.h"
#include "text.h"

#include "as_owner.h"
#include "guard.h"
#include "memory_context.h"
#include "partition_key.h"
#include "relations.h"
#include "row_key.h"
#include "scan.h"
#include "settings.h"
#include "spi.h"
#include "text_io.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <cstring>
#include <exception>
#include <iterator>
#include <string_view>

namespace pg_intent {
namespace {

// "t.<column>", quoted.
std::string col(const std::string &name) {
    const char *quoted = nullptr;
    pg_call([&]() noexcept { quoted = quote_identifier(name.c_str()); });
    return std::string("t.") + quoted;
}

constexpr int kColumnsRead = 10;

// The statement that reads the source: every name qualified, so the
// caller's search_path decides nothing; the window's order (reviewed first,
// then newest, then by key) so that a LIMIT keeps the policy's window.
std::string source_query(Oid schema, const ClassifierColumns &c, const SourceSelection &sel) {
    std::string relation, ext;
    pg_call([&]() noexcept {
        relation = quote_qualified_identifier(get_namespace_name(get_rel_namespace(c.source)),
                                              get_rel_name(c.source));
        ext = quote_identifier(get_namespace_name(schema));
    });
    const std::string text = col(c.text), label = col(c.label);
    const std::string columns[] = {
        text + "::pg_catalog.text",
        label + "::pg_catalog.text",
        ext + ".is_valid_intent_name(" + label + "::pg_catalog.text)",
        c.key ? col(*c.key) + "::pg_catalog.text" : "NULL::pg_catalog.text",
        c.time && sel.window_days
            ? "(" + col(*c.time) + "::pg_catalog.timestamptz OPERATOR(pg_catalog.>=) $1)"
            : "NULL::pg_catalog.bool",
        c.weight ? col(*c.weight) + "::pg_catalog.float8" : "NULL::pg_catalog.float8",
        c.reviewed ? col(*c.reviewed) + "::pg_catalog.bool" : "NULL::pg_catalog.bool",
        c.partition ? col(*c.partition) + "::pg_catalog.text" : "NULL::pg_catalog.text",
        c.time ? col(*c.time) + "::pg_catalog.timestamptz" : "NULL::pg_catalog.timestamptz",
        c.corrected ? col(*c.corrected) + "::pg_catalog.bool" : "NULL::pg_catalog.bool"};
    static_assert(std::size(columns) == kColumnsRead);
    std::string order;
    if (c.reviewed) order += "(" + col(*c.reviewed) + " IS TRUE) DESC, ";
    if (c.time) order += col(*c.time) + " DESC NULLS LAST, ";
    if (c.key) order += col(*c.key) + "::pg_catalog.text COLLATE pg_catalog.\"C\", ";
    order += text + "::pg_catalog.text COLLATE pg_catalog.\"C\", " + label +
             "::pg_catalog.text COLLATE pg_catalog.\"C\"";
    // A row without a label (NULL or '': no_label(), the one rule, as SQL)
    // is left out here, before it is read or takes a place under the LIMIT,
    // uncounted, as ai_training_data's reader leaves its rows without a label
    // out (usable_row()); its text is one unlabelled_query() reads, as is
    // that of a row whose label is refused below (trains_under_no_label()).
    // (0.3.2: before, '' was read and counted as an invalid label.)
    std::string from = " FROM " + relation + " AS t WHERE " + text + " IS NOT NULL AND NOT " +
                       no_label_sql(label + "::pg_catalog.text");
    if (sel.only_reviewed && c.reviewed) from += " AND " + col(*c.reviewed) + " IS TRUE";
    const std::string limit = sel.max_rows ? " LIMIT " + std::to_string(*sel.max_rows) : std::string();

    std::string q = "SELECT ";
    // Of the rows nobody vouched for, the newest max_unreviewed_rows with a
    // label is_valid_intent_name() accepts only, as for ai_training_data
    // (read_training_rows(), whose rows with another label have no
    // training_label): each row numbered in the window's order, overall (w)
    // and among those alike vouched for and labelled (n). Unvouched rows
    // with a refused label are left out here, uncounted: reading them all
    // to count them is what the bound is against.
    if (c.reviewed && !sel.only_reviewed && sel.unreviewed.max_rows < INT64_MAX) {
        for (int k = 0; k < kColumnsRead; ++k)
            q += (k ? ", s.c" : "s.c") + std::to_string(k);
        q += " FROM (SELECT ";
        for (int k = 0; k < kColumnsRead; ++k)
            q += columns[k] + " AS c" + std::to_string(k) + ", ";
        q += "(" + col(*c.reviewed) + " IS TRUE) AS vouched, pg_catalog.row_number() OVER (ORDER BY " +
             order + ") AS w, pg_catalog.row_number() OVER (PARTITION BY (" + col(*c.reviewed) +
             " IS TRUE), " + columns[2] + " ORDER BY " + order + ") AS n" + from +
             ") AS s WHERE s.vouched OR (s.c2 AND s.n OPERATOR(pg_catalog.<=) " +
             std::to_string(sel.unreviewed.max_rows) + ") ORDER BY s.w" + limit;
        return q;
    }
    for (int k = 0; k < kColumnsRead; ++k)
        q += (k ? ", " : "") + columns[k];
    return q + from + " ORDER BY " + order + limit;
}

constexpr long kBatchRows = 1000;

// Reads the result of `sql` (parameters $1.. of `argtypes`), read-only, as
// the current role, through a cursor kBatchRows rows at a time, with the
// statement kept out of any error the read raises, since it names the
// source the caller is not shown (hiding_statement()); a cancel or
// statement_timeout stops it between batches. Each row fetched is read by
// read_row(row, raw), inside pg_call() (noexcept: PostgreSQL calls on plain
// data only), with a memory context current that each batch resets, where
// what it keeps of the row is allocated; then take_row(raw), in C++, takes
// each row of the batch.
template <class Raw, class ReadRow, class TakeRow>
void read_in_batches(const std::string &sql, const char *context_name, int nargs, Oid *argtypes, Datum *args,
                     ReadRow &&read_row, TakeRow &&take_row) {
    static_assert(std::is_nothrow_invocable_v<ReadRow &, const SpiRow &, Raw &>,
                  "read_in_batches() reads a row with a noexcept callable");
    ScratchMemoryContext batch(context_name, ScratchMemoryContext::Default);
    hiding_statement(sql.c_str(), [&] {
        SpiConnection spi;
        SpiCursor cursor(spi, sql.c_str(), nargs, argtypes, args);
        // Sized once: the fetch below fills it inside pg_call(), where nothing
        // may allocate through C++.
        std::vector<Raw> raw(kBatchRows);
        for (;;) {
            if (interrupt_pending()) pg_call([]() noexcept { CHECK_FOR_INTERRUPTS(); });
            size_t fetched = 0;
            pg_call([&]() noexcept {
                MemoryContextReset(batch.get());
                // The fetch's rows are SPI's; what a row keeps is in `batch`.
                MemoryContext old = CurrentMemoryContext;
                cursor.fetch_in_pg(kBatchRows, [&](const SpiRow &row) noexcept {
                    if (fetched >= raw.size()) return;
                    MemoryContextSwitchTo(batch.get());
                    Raw r;
                    read_row(row, r);
                    raw[fetched++] = r;
                    MemoryContextSwitchTo(old);
                });
            });
            if (fetched == 0) break;
            for (size_t k = 0; k < fetched; ++k)
                take_row(raw[k]);
        }
    });
}

// The counts of the partition `value` (StagedSource::partition_counts),
// added at its first count and charged to the read's budget.
ReadCounts &partition_counts(StagedSource &out, std::string_view value, intent::MemoryCharge &charge) {
    const auto it = out.partition_counts.find(value);
    if (it != out.partition_counts.end()) return it->second;
    charge.add(value.size() + tree_entry_bytes<decltype(out.partition_counts)::value_type>(),
               "the classifier's rows");
    return out.partition_counts.emplace(std::string(value), ReadCounts()).first->second;
}

// Counts one row or text left out or cut (`what`): in the source's counts
// (the fallback's run reads every row) and, for one of a partition
// (`partition` not null), in that partition's, whose run reports what was
// left out of its own rows.
void count_left_out(StagedSource &out, size_t ReadCounts::*what, const std::string_view *partition,
                    intent::MemoryCharge &charge) {
    ++(out.counts.*what);
    if (partition) ++(partition_counts(out, *partition, charge).*what);
}

// The statement that reads the texts of the rows that train under no label
// (trains_under_no_label_sql(), the one rule as SQL: no label, NULL or '',
// or one is_valid_intent_name() refuses, whose row source_query() reads and
// the run counts in rows_skipped_invalid_label or _long_label): the same
// relation and names, newest first (by the time_column, else in the key's
// order). Every such row, with no LIMIT: the rows past unlabelled_rows are
// counted, as ai_training_data's reader counts them (read_unlabelled()).
// (0.3.2: before, a refused label's text was not read here, while intent's
// runs read it: issue 33.)
std::string unlabelled_query(Oid schema, const ClassifierColumns &c) {
    std::string relation, ext;
    pg_call([&]() noexcept {
        relation = quote_qualified_identifier(get_namespace_name(get_rel_namespace(c.source)),
                                              get_rel_name(c.source));
        ext = quote_identifier(get_namespace_name(schema));
    });
    const std::string text = col(c.text);
    std::string order;
    if (c.time) order += col(*c.time) + " DESC NULLS LAST, ";
    if (c.key) order += col(*c.key) + "::pg_catalog.text COLLATE pg_catalog.\"C\", ";
    order += text + "::pg_catalog.text COLLATE pg_catalog.\"C\"";
    return "SELECT " + text + "::pg_catalog.text, " +
           (c.partition ? col(*c.partition) + "::pg_catalog.text" : std::string("NULL::pg_catalog.text")) +
           " FROM " + relation + " AS t WHERE " + text + " IS NOT NULL AND " +
           trains_under_no_label_sql(col(c.label) + "::pg_catalog.text", ext) + " ORDER BY " + order;
}

// Reads the texts of the source's rows that train under no label (no label,
// or a refused one: unlabelled_query()) into `out`, in the same restricted
// operation as the labelled rows, through a cursor a
// batch at a time (a cancel stops it): the first `bounds.max_rows` rows of
// the statement's order, each text on its first `bounds.message_bytes`,
// until `bounds.max_bytes` of them; a text past those rows, or the budget
// has no room for, or whose partition value is too long to be one, is left
// out. What is left out is counted as the labelled rows' skips are
// (count_left_out()): the source's, and a partition's own for its run; so
// every text of the source is given to a run or counted, as
// read_unlabelled_texts() counts ai_training_data's (0.3.2: before, the
// statement's LIMIT left the rows past max_rows uncounted).
void read_unlabelled(Oid schema, const ClassifierColumns &c, const UnlabelledBounds &bounds,
                     intent::MemoryCharge &charge, StagedSource &out) {
    if (bounds.max_rows <= 0 || bounds.max_bytes <= 0) return;
    // A partition has a run of its own only with labelled rows: each of
    // those has its counts before the first text is read, charged as a
    // labelled row's skip is, so that a text left out once the texts have
    // filled the budget is counted without a charge (these texts never fail
    // a run). A text of another partition is counted in the source's only.
    for (const auto &part : out.partition_rows)
        partition_counts(out, part.first, charge);
    const std::string sql = unlabelled_query(schema, c);
    const size_t max_rows = static_cast<size_t>(bounds.max_rows);
    const size_t max_bytes = static_cast<size_t>(bounds.max_bytes);
    size_t rows = 0; // of the statement, in its order, empty texts too
    size_t bytes = 0;
    struct Raw {
        std::string_view text, partition;
        bool partition_null = true, long_partition = false;
    };
    read_in_batches<Raw>(
        sql, "pg_intent classifier texts", 0, nullptr, nullptr,
        [&](const SpiRow &row, Raw &r) noexcept {
            bool isnull = true;
            const Datum t = row.value(1, &isnull);
            if (!isnull) {
                const TextSlice s = text_prefix_in_pg(t, bounds.message_bytes);
                r.text = std::string_view(s.data, s.size);
            }
            const Datum p = row.value(2, &isnull);
            r.partition_null = isnull;
            if (!isnull) {
                const TextSlice s = text_prefix_in_pg(p, kMaxPartitionKeyBytes);
                r.partition = std::string_view(s.data, s.size);
                r.long_partition = s.truncated;
            }
        },
        [&](const Raw &r) {
            const bool past_rows = rows++ >= max_rows;
            if (r.text.empty()) return;
            const bool own_run = !r.partition_null && !r.long_partition &&
                                 out.partition_counts.find(r.partition) != out.partition_counts.end();
            const auto count = [&](size_t ReadCounts::*what) {
                count_left_out(out, what, own_run ? &r.partition : nullptr, charge);
            };
            if (past_rows || bytes >= max_bytes || r.long_partition) {
                count(&ReadCounts::unlabelled_left_out);
                return;
            }
            std::string storage;
            std::string_view utf8;
            if ((GetDatabaseEncoding() == PG_SQL_ASCII && !intent::is_valid_utf8(r.text)) ||
                !server_to_utf8_if_translatable(r.text.data(), r.text.size(), storage, utf8)) {
                count(&ReadCounts::unlabelled_skipped_invalid);
                return;
            }
            StagedText s;
            s.text.assign(utf8);
            if (bytes + s.text.size() > max_bytes) {
                count(&ReadCounts::unlabelled_left_out);
                return;
            }
            s.partition_null = r.partition_null;
            s.partition.assign(r.partition);
            if (!charge.try_add(sizeof(StagedText) + s.text.size() + s.partition.size())) {
                count(&ReadCounts::unlabelled_left_out);
                return;
            }
            bytes += s.text.size();
            out.unlabelled.push_back(std::move(s));
        });
}

struct RawRow {
    std::string_view v[kColumnsRead]; // the texts, in the batch context
    bool n[kColumnsRead];
    bool valid_label = false, in_window = false, reviewed = false, corrected = false, truncated = false;
    bool long_partition = false; // longer than kMaxPartitionKeyBytes (read on that far only)
    bool long_key = false;       // longer than kMaxRowKeyBytes (read on that far only)
    double weight = 1.0;
    int64_t time = 0; // TimestampTz
};

} // namespace

StagedSource read_classifier_source(Oid schema, const ClassifierColumns &c, const SourceSelection &sel,
                                    intent::MemoryCharge &charge) {
    // The source and its columns were checked for the caller by
    // _pg_intent_classifier_check_source(), the one statement of that rule,
    // just before: the read below fails on its own (with PostgreSQL's
    // error) if they changed since.
    StagedSource out;
    out.classifier = c.name;
    out.partitioned = c.partition.has_value();
    out.has_key = c.key.has_value();
    out.has_window = c.time && sel.window_days;
    out.has_time = c.time.has_value();
    out.budget = charge.budget();
    const std::string sql = source_query(schema, c, sel);

    Oid argtypes[1] = {TIMESTAMPTZOID};
    Datum args[1] = {0};
    int nargs = 0;
    if (out.has_window) {
        // A plain read of the transaction's start: it cannot raise.
        const TimestampTz cutoff =
            GetCurrentTransactionStartTimestamp() - static_cast<int64>(*sel.window_days * USECS_PER_DAY);
        args[0] = TimestampTzGetDatum(cutoff);
        nargs = 1;
    }
    // Read-only, as the current role (the classifier's owner, in a
    // security-restricted operation: train_classifier.cpp), whose policies
    // apply.
    read_in_batches<RawRow>(
        sql, "pg_intent classifier source", nargs, argtypes, args,
        [&](const SpiRow &row, RawRow &r) noexcept {
            // Whether a person vouched for the row, before its text is
            // read: an unreviewed text is read on its first
            // max_unreviewed_message_bytes only (without a reviewed
            // column the owner vouches for every row).
            bool reviewed_null = true;
            const Datum reviewed = row.value(7, &reviewed_null);
            const bool vouched = !c.reviewed || (!reviewed_null && DatumGetBool(reviewed));
            for (int k = 0; k < kColumnsRead; ++k) {
                bool isnull = false;
                Datum d = row.value(k + 1, &isnull);
                r.n[k] = isnull;
                if (isnull) continue;
                switch (k) {
                case 0: {
                    const TextSlice s = text_prefix_in_pg(d, message_bytes_to_read(vouched, sel.unreviewed));
                    r.v[k] = std::string_view(s.data, s.size);
                    r.truncated = s.truncated;
                    break;
                }
                case 1: {
                    const TextSlice s = text_prefix_in_pg(d, kMaxLabelBytes + 1);
                    r.v[k] = std::string_view(s.data, s.size);
                    break;
                }
                case 2:
                    r.valid_label = DatumGetBool(d);
                    break;
                case 4:
                    r.in_window = DatumGetBool(d);
                    break;
                case 5:
                    r.weight = DatumGetFloat8(d);
                    break;
                case 6:
                    r.reviewed = DatumGetBool(d);
                    break;
                case 7: {
                    // Read only as far as the bound (a slice of a long
                    // value is not detoasted whole).
                    const TextSlice s = text_prefix_in_pg(d, kMaxPartitionKeyBytes);
                    r.v[k] = std::string_view(s.data, s.size);
                    r.long_partition = s.truncated;
                    break;
                }
                case 8:
                    r.time = DatumGetTimestampTz(d);
                    break;
                case 9:
                    r.corrected = DatumGetBool(d);
                    break;
                default: { // key
                    const TextSlice s = text_prefix_in_pg(d, kMaxRowKeyBytes);
                    r.v[k] = std::string_view(s.data, s.size);
                    r.long_key = s.truncated;
                }
                }
            }
        },
        [&](const RawRow &r) {
            // The statement left out the rows without a label already
            // (no_label_sql()); the C rule again, so that no such row trains.
            if (r.n[0] || no_label(r.n[1], r.v[1])) return;
            // A count is the source's and, for a row of a partition, that
            // partition's (count_left_out()).
            const auto count = [&](size_t ReadCounts::*what) {
                count_left_out(out, what, r.n[7] || r.long_partition ? nullptr : &r.v[7], charge);
            };
            // A partition value no model can be stored for (partition_key.h):
            // skipped and counted, not the whole call's 54000 (0.3.1). Not
            // given to the fallback either: predict_label() refuses such a
            // value, so the row could only ever answer for another tenant.
            // Counted in the fallback's run only: it is no partition's row.
            if (!r.n[7] && r.long_partition) {
                count(&ReadCounts::skipped_long_partition);
                return;
            }
            // A key no run row can hold (row_key.h): skipped and counted,
            // not every run's 54000.
            if (!r.n[3] && r.long_key) {
                count(&ReadCounts::skipped_long_key);
                return;
            }
            // A NULL key names no row either (row_key.h): skipped and
            // counted, never recorded as '' (0.3.2; before, it shared the
            // key of a row whose key is '').
            if (c.key && r.n[3]) {
                count(&ReadCounts::skipped_null_key);
                return;
            }
            if (!r.valid_label || r.n[2]) {
                if (r.v[1].size() > kMaxLabelBytes)
                    count(&ReadCounts::skipped_long_label);
                else
                    count(&ReadCounts::skipped_invalid_label);
                return;
            }
            // A SQL_ASCII database stores any bytes, and the core reads
            // UTF-8: a row whose text or label is not UTF-8 (any role that
            // may write the source can write one) is left out and counted,
            // as read_training_rows() leaves out ai_training_data's. Its text
            // failed every run of the classifier (22021), its label the run
            // that trained on it.
            if (GetDatabaseEncoding() == PG_SQL_ASCII &&
                (!intent::is_valid_utf8(r.v[0]) || !intent::is_valid_utf8(r.v[1]))) {
                count(&ReadCounts::skipped_invalid_text);
                return;
            }
            StagedRow s;
            DataRow &d = s.row;
            std::string_view text_utf8, label_utf8;
            std::string text_storage, label_storage;
            if (!server_to_utf8_if_translatable(r.v[0].data(), r.v[0].size(), text_storage, text_utf8) ||
                !server_to_utf8_if_translatable(r.v[1].data(), r.v[1].size(), label_storage, label_utf8)) {
                count(&ReadCounts::skipped_untranslatable);
                return;
            }
            d.text.assign(r.v[0]);
            d.label.assign(r.v[1]);
            d.utf8.set(text_utf8.data() != r.v[0].data() ? std::string(text_utf8) : std::string(),
                       label_utf8.data() != r.v[1].data() ? std::string(label_utf8) : std::string());
            // A person corrected the label: what ai_training_data's reader
            // takes from corrected_by_human (NULL: not corrected). The
            // trainer decides what that changes (core_rows(),
            // into_training_order(), the core's tie rule), for both alike.
            d.corrected = c.corrected && !r.n[9] && r.corrected;
            // Without a reviewed column the owner vouches for every row.
            d.reviewed = c.reviewed ? (!r.n[6] && r.reviewed) : true;
            // Counted on the rows a run keeps (keep_policy_intents()).
            d.truncated = r.truncated;
            if (!r.n[3]) d.key.assign(r.v[3]);
            // Not a positive finite number below 10^6: the row weighs 1; below
            // the smallest weight training uses, it weighs that (dataset.h).
            d.weight = (!r.n[5] && r.weight > 0 && r.weight < 1e6)
                           ? std::max(static_cast<float>(r.weight), intent::kMinSampleWeight)
                           : 1.0f;
            s.in_window = !r.n[4] && r.in_window;
            s.has_time = !r.n[8];
            s.time = r.time;
            if (!r.n[7]) {
                s.partition.assign(r.v[7]);
                s.partition_null = false;
            }
            // What the row holds: its strings' heap buffers (their capacity,
            // not their size) and its slot in out.rows, whose whole
            // capacity is charged as it grows (0.3.2 before this charged
            // sizes and a slot a row: a backend held 1.16 times what the
            // read charged, test/scripts/partition_memory.sh).
            charge.add(intent::string_heap_bytes(d.text) + intent::string_heap_bytes(d.label) +
                           d.utf8.bytes() + intent::string_heap_bytes(d.key) +
                           intent::string_heap_bytes(s.partition),
                       "the classifier's rows");
            if (out.rows.size() == out.rows.capacity()) {
                const size_t grown = std::max<size_t>(1024, 2 * out.rows.capacity());
                charge.add((grown - out.rows.capacity()) * sizeof(StagedRow), "the classifier's rows");
                out.rows.reserve(grown);
            }
            if (!s.partition_null) {
                // A new value's entry is charged too: one row per partition
                // would otherwise hold each value twice for one charge.
                auto found = out.partition_rows.find(s.partition);
                if (found == out.partition_rows.end()) {
                    charge.add(intent::string_heap_bytes(s.partition) +
                                   tree_entry_bytes<decltype(out.partition_rows)::value_type>(),
                               "the classifier's rows");
                    found = out.partition_rows.emplace(s.partition, StagedSource::PartitionRows()).first;
                }
                StagedSource::PartitionRows &part = found->second;
                ++part.rows;
                part.reviewed += d.reviewed;
            }
            out.rows.push_back(std::move(s));
        });
    // With the subword_vectors option only: without it, none of these rows
    // is read.
    // With "auto", only where the labels are thin: counted on the rows and
    // labels the run trains on, those the policy's bounds on the labels
    // leave (keep_policy_intents(), which the run applies to these rows),
    // not on all the rows read: a label of unreviewed rows too few to be a
    // class would otherwise make thin labels look thick, and the run, thin,
    // would find no text without a label read.
    bool thin = true;
    if (sel.unlabelled && sel.unlabelled_if_thin) {
        PolicyIntents intents;
        for (const StagedRow &s : out.rows)
            tally_policy_intent(intents, s.row);
        mark_policy_intents(intents, sel.unreviewed);
        size_t rows = 0, labels = 0;
        for (const auto &[label, i] : intents)
            if (i.kept) {
                rows += i.rows;
                ++labels;
            }
        thin = intent::subword_auto_labels_thin(rows, labels, *sel.unlabelled_if_thin);
    }
    out.unlabelled_read = sel.unlabelled && thin;
    if (out.unlabelled_read) read_unlabelled(schema, c, *sel.unlabelled, charge, out);
    return out;
}

const ReadCounts &StagedSource::read_counts(const std::optional<std::string> &partition) const {
    static const ReadCounts none;
    if (!partition) return counts;
    const auto it = partition_counts.find(*partition);
    return it == partition_counts.end() ? none : it->second;
}

Oid classifier_owner(Oid schema, Oid extension_owner, const std::string &name) {
    Oid owner = InvalidOid;
    pg_call([&]() noexcept {
        char *sql = psprintf("SELECT c.owner::pg_catalog.oid FROM %s.ai_classifiers AS c "
                             "WHERE c.name OPERATOR(pg_catalog.=) $1",
                             quote_identifier(get_namespace_name(schema)));
        Oid argtypes[1] = {TEXTOID};
        Datum args[1] = {
            PointerGetDatum(cstring_to_text_with_len(name.data(), static_cast<int>(name.size())))};
        AsExtensionOwner as_owner(extension_owner); // ai_classifiers is not readable by callers
        spi_select_in_pg(sql, 1, argtypes, args, nullptr, 1, "the owner of a classifier could not be read",
                         [&](const SpiRow &row) noexcept {
                             bool isnull = true;
                             const Datum value = row.value(1, &isnull);
                             if (!isnull) owner = DatumGetObjectId(value);
                         });
    });
    if (!OidIsValid(owner))
        throw SqlError(ERRCODE_UNDEFINED_OBJECT,
                       intent::Message{N_("classifier \"%s\" does not exist"), {name}},
                       N_("It was dropped while it was being trained."));
    return owner;
}

namespace {
const StagedSource *g_compat031_staged = nullptr;
} // namespace

Compat031Staged::Compat031Staged(const StagedSource *source) {
    g_compat031_staged = source;
}
Compat031Staged::~Compat031Staged() {
    g_compat031_staged = nullptr;
}

const StagedSource *compat031_staged_source(const std::string &classifier) {
    return g_compat031_staged && g_compat031_staged->classifier == classifier ? g_compat031_staged : nullptr;
}

} // namespace pg_intent
