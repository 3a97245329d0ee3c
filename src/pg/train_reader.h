// Reading ai_training_data into the rows of a training run (train_reader.cpp),
// and what a run keeps of them once their texts went to the core (RunRows).
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
#pragma once

#include "pg_headers.h"
#include "progress.h"
#include "train_memory.h"

#include "memory_budget.h"
#include "packed_strings.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

extern "C" {
#include "utils/uuid.h"
}

namespace pg_intent {

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

// A row's text and label as UTF-8, what the core reads, converted once
// while reading, where the conversion changed the bytes (a LATIN1
// database's accented text); otherwise nothing is kept and the server
// encoding's bytes are read. One pointer per row, not two strings: a UTF8
// database never uses them, and at 200,000 rows two empty strings a row
// were 12 MB of a training run's peak. Copying copies the forms.
class Utf8Form {
  public:
    Utf8Form() = default;
    Utf8Form(const Utf8Form &other)
        : forms_(other.forms_ ? std::make_unique<Forms>(*other.forms_) : nullptr) {}
    Utf8Form &operator=(const Utf8Form &other) {
        if (this != &other) forms_ = other.forms_ ? std::make_unique<Forms>(*other.forms_) : nullptr;
        return *this;
    }
    Utf8Form(Utf8Form &&) noexcept = default;
    Utf8Form &operator=(Utf8Form &&) noexcept = default;
    ~Utf8Form() = default;

    // Keeps the converted forms; an empty one means "the same bytes".
    void set(std::string text, std::string label) {
        if (text.empty() && label.empty())
            forms_.reset();
        else
            forms_ = std::make_unique<Forms>(Forms{std::move(text), std::move(label)});
    }
    // The converted form, empty when the server encoding's bytes are UTF-8.
    const std::string &text() const { return forms_ ? forms_->text : empty(); }
    const std::string &label() const { return forms_ ? forms_->label : empty(); }
    // Moves the converted text out (it is empty afterwards).
    std::string take_text() { return forms_ ? std::move(forms_->text) : std::string(); }
    size_t bytes() const { return forms_ ? sizeof(Forms) + forms_->text.size() + forms_->label.size() : 0; }

  private:
    struct Forms {
        std::string text, label;
    };
    static const std::string &empty() {
        static const std::string none;
        return none;
    }
    std::unique_ptr<Forms> forms_;
};

// One usable row of ai_training_data, as read.
struct DataRow {
    Uuid id{}; // ai_training_data's rows only (a classifier's: zero)
    int64_t created_at;
    // In the server encoding: the rows are sorted on these bytes (0.1.0's
    // order), and the label is what ai_training_run_rows records.
    std::string text;  // user_message
    std::string label; // the correction, else the detected intent
    Utf8Form utf8;     // the same as UTF-8, where that differs
    // The label as UTF-8: what the models' labels are compared with.
    const std::string &label_utf8() const { return utf8.label().empty() ? label : utf8.label(); }
    bool corrected;
    // A person set or confirmed the label (a correction, a judgement, or the
    // status reviewed or approved): what the deploy gate may take as truth.
    bool reviewed;
    bool fresh = false;
    bool truncated = false; // text is the message's first bytes only (see read_training_rows())
    // A classifier's row (classifier_source.h): its key_column as text
    // (empty without one) and its weight_column (1 without one).
    std::string key;
    float weight = 1.0f;
    // A partitioned classifier's fallback run: the row's partition as a
    // number (0: no partition value), for the rule of two partitions.
    uint32_t group = 0;
    // A classifier's row: its index in the staged rows (StagedSource::rows),
    // which the fallback's out-of-fold answers are kept by.
    size_t staged_index = SIZE_MAX;
};

// What a run keeps of its rows while the core trains, once their texts went
// to the core (train_entry.cpp's core_rows()): what the per-row results,
// the report and the fallback's comparison read afterwards. Built from the
// DataRows, which it frees: a DataRow is 152 bytes before its label's and
// key's heap blocks, and they were held through the refit, the run's peak
// (30 MB at 200,000 rows, 152 MB at 1,000,000; issue 33). Here a row is its
// label's number among the run's labels (4 bytes) and two flags, with its id
// (16 bytes) for ai_training_data's rows only, its key (one buffer, 8 bytes
// a row beside the bytes) for a classifier with a key_column only, and its
// index in the staged rows for a classifier's rows only.
class RunRows {
  public:
    RunRows(std::vector<DataRow> &&rows, bool with_ids, bool with_keys, bool with_staged_index);

    size_t size() const { return label_.size(); }
    const Uuid &id(size_t i) const { return ids_[i]; } // with_ids only
    // The label in the server encoding, and as UTF-8 (DataRow::label_utf8()).
    const std::string &label(size_t i) const { return labels_[label_[i]]; }
    const std::string &label_utf8(size_t i) const { return labels_utf8_[label_[i]]; }
    bool fresh(size_t i) const { return flags_[i] & kFresh; }
    bool reviewed(size_t i) const { return flags_[i] & kReviewed; }
    // The key_column's text (empty without with_keys).
    std::string_view key(size_t i) const { return keys_.empty() ? std::string_view() : keys_[i]; }
    // Whether the rows have keys (with_keys and at least one row): a key
    // may be '' (a value of the key column; a NULL key trains no row).
    bool has_keys() const { return !keys_.empty(); }
    // The row's index in StagedSource::rows (SIZE_MAX without with_staged_index).
    size_t staged_index(size_t i) const { return staged_index_.empty() ? SIZE_MAX : staged_index_[i]; }
    // The memory held, for the run's budget.
    size_t bytes() const;

  private:
    static constexpr uint8_t kFresh = 1, kReviewed = 2;
    std::vector<Uuid> ids_;
    intent::StringIds labels_;             // server encoding, numbered
    std::vector<std::string> labels_utf8_; // by the same numbers
    std::vector<uint32_t> label_;
    std::vector<uint8_t> flags_;
    intent::PackedStrings keys_;
    std::vector<size_t> staged_index_;
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
    size_t skipped_long_partition =
        0;                       // a classifier's rows whose partition value is too long (partition_key.h)
    size_t skipped_long_key = 0; // a classifier's rows whose key_column value is too long (row_key.h)
    size_t skipped_null_key = 0; // a classifier's rows whose key_column value is NULL (row_key.h)
    // A classifier's rows whose key an earlier row of the run held: trained
    // on, not recorded (the first row of a key is), never fresh to the gate
    // (classifier_fresh_rows.cpp).
    size_t duplicate_key = 0;
    // A classifier's texts without a label (StagedSource::unlabelled), for
    // the subword vectors: those the bounds left out, and those not valid
    // UTF-8 or untranslatable. No row a run skipped: its report states them
    // (unlabelled_texts_left_out, _skipped_invalid) only with the vectors.
    size_t unlabelled_left_out = 0;
    size_t unlabelled_skipped_invalid = 0;
};

// The longest label a training row may have, in bytes of the server encoding
// (is_valid_intent_name()'s rule, which training_label applies): here only
// to tell a long label from another invalid one in the run's counts.
constexpr size_t kMaxLabelBytes = 256;

// Whether a label is none at all: NULL, or empty (''). The one rule for a
// row "without a label" that a run leaves out uncounted (usable_row():
// neither a correction nor a detected intent; a label is_valid_intent_name()
// refuses otherwise is counted, rows_skipped_invalid_label), that a named
// classifier's read leaves out uncounted too (src/pg/classifier_source.cpp,
// through no_label_sql()), whose text is one without a label
// (trains_under_no_label(), below, as a refused label's is), and that
// evaluate_intent_model() and evaluate_label() leave out of the scored rows
// (counted as skipped; src/pg/evaluate.cpp). `label` is empty when NULL.
inline bool no_label(bool label_null, std::string_view label) {
    return label_null || label.empty();
}

// no_label() as a SQL condition on the text expression `label` (qualified
// names only), for a statement that must leave such rows out before they are
// read: a classifier's source query, where a row with the label '' took a
// place under the LIMIT and was counted as an invalid label while NULL's was
// not (0.3.2). Byte-exact whatever the column's collation (a nondeterministic
// one may call other strings equal to ''). Defined here, beside no_label(),
// so the two are one rule; test/sql/label_rule_conformance.sql checks that a
// classifier, intent and an evaluation agree on the same rows.
inline std::string no_label_sql(const std::string &label) {
    return "(" + label + " IS NULL OR " + label + " COLLATE pg_catalog.\"C\" OPERATOR(pg_catalog.=) '')";
}

// Whether a row's text is one "without a label", which a run with the
// subword_vectors option gives its vectors besides the labelled rows' texts
// (never as a label): the row trains under no label. That is a row without
// any label (no_label()), or one whose label the label rule,
// is_valid_intent_name(), refuses ("uncertain", a control character, more
// than 256 bytes): such a label says nothing a model may learn as a label,
// and the row trains under none (counted, rows_skipped_invalid_label or
// _long_label), but its text is still a message the database holds, as
// real as a text logged with no label at all. (ai_training_data's rows a
// reviewer rejected are kept out of every use before this rule is asked.)
// The one rule for both readers of those texts (issue 33, one engine):
// ai_training_data's (read_unlabelled_texts(), where `label` is the row's
// generated training_label, which holds the label only once the rule
// accepted it) and a named classifier's source statement
// (classifier_source.cpp, through trains_under_no_label_sql(), the same
// rule as SQL, beside it). 0.3.2: before, a classifier read the texts of
// NULL and '' only, and a refused label's text was used by intent's runs
// and not by a classifier's over the same rows;
// test/sql/label_rule_conformance.sql checks that both now count the same
// texts. `label_accepted`: is_valid_intent_name()'s answer on the label
// (read only when there is one).
inline bool trains_under_no_label(bool label_null, std::string_view label, bool label_accepted) {
    return no_label(label_null, label) || !label_accepted;
}

// trains_under_no_label() as a SQL condition on the text expression `label`
// (qualified names only), with `ext` the extension's schema, quoted, where
// is_valid_intent_name() is: the rows whose texts a classifier's run reads
// as texts without a label. is_valid_intent_name() gives NULL for NULL,
// which no_label_sql() has already answered.
inline std::string trains_under_no_label_sql(const std::string &label, const std::string &ext) {
    return "(" + no_label_sql(label) + " OR NOT " + ext + ".is_valid_intent_name(" + label + "))";
}

struct Selection {
    int min_confidence = 0;
    bool only_reviewed = false;
    int64_t limit = INT32_MAX;
    UnreviewedRowLimits unreviewed; // the policy's bounds on unreviewed rows
};

// The policy's defences against rows no reviewer vouches for, one
// statement each, applied by every reader of training rows: ai_training_data
// (read_training_rows()) and every classifier source with a reviewed_column
// (read_classifier_source() and the trainer's classifier_rows(); without
// that column its owner vouches for every row). test/sql/classifier_limits.sql
// checks that both paths apply them alike.
//
// The bytes of a message a run reads: a reviewed row's first
// kDefaultMaxMessageBytes, any other's first max_unreviewed_message_bytes
// (which whoever may write the rows chooses the length of).
size_t message_bytes_to_read(bool reviewed, const UnreviewedRowLimits &limits) noexcept;
// The bounds on the classes of a run, applied to the rows it read: a label
// that no reviewed row carries needs min_intent_rows rows; then at most
// max_intents labels, those with reviewed rows first, then those with more
// rows, then in byte order. The others' rows are left out, counted in
// `counts` and given back to `charge`; the messages cut are counted on the
// rows kept (`counts.truncated_messages`), for every run.
void keep_policy_intents(std::vector<DataRow> &rows, const UnreviewedRowLimits &limits,
                         intent::MemoryCharge &charge, ReadCounts &counts);

// A label's rows as keep_policy_intents() weighs them, and its verdict.
struct PolicyIntent {
    size_t rows = 0;
    bool reviewed = false; // a reviewed row carries it
    bool eligible = false; // a class unless past max_intents
    bool kept = false;
};
using PolicyIntents = std::unordered_map<std::string_view, PolicyIntent>;
// One row in its label's tally (the map's key views the row's label).
void tally_policy_intent(PolicyIntents &intents, const DataRow &row);
// keep_policy_intents()'s rule on the labels' tallies (rows, reviewed):
// sets eligible and kept. The one rule, for whoever counts what a run will
// train on before its rows are built (subword_vectors "auto" on a
// classifier's read, classifier_source.cpp).
void mark_policy_intents(PolicyIntents &intents, const UnreviewedRowLimits &limits);

// Sorts a run's rows into the order every run gives its rows to the core,
// intent's and every classifier's alike (issue 33, one engine): the core's
// training order, intent::compare_training_order() (text, then label, in
// byte order, corrected rows first), on which the model bytes depend; so
// the same labelled rows train the same model whichever classifier reads
// them and in whatever order they are stored. Rows equal in it have the
// same text, label and correction, and merge into one entry of the core
// (max weight; fresh only if all are): among them, a classifier's rows keep
// the order of its read (staged_index: reviewed first, newest first, then
// key), which a source without a key_column can still give and which keeps
// the row that stood for the entry before 0.3.2; ai_training_data's rows go
// by id. Which rows a run keeps is decided before, never here.
void into_training_order(std::vector<DataRow> &rows);

// Reads the usable rows (those of _pg_intent_training_rows()) in the order
// the core is fed (into_training_order()). Each row is charged to `charge` before it is kept.
std::vector<DataRow> read_training_rows(Oid schema, const Selection &sel, TrainingProgress &progress,
                                        intent::MemoryCharge &charge, ReadCounts &counts);

// The texts without a label that a run with the subword_vectors option adds
// to those its vectors learn from (never a label): what was read, and what
// the bounds left out, for the run's report.
struct UnlabelledTexts {
    std::vector<std::string> texts; // UTF-8, newest first
    size_t left_out = 0;            // past the bounds (rows, bytes, the memory budget)
    size_t skipped_invalid = 0;     // not valid UTF-8, or untranslatable
};
// The bounds on them: the newest `max_rows` rows, `max_bytes` bytes of
// text together, each text read on its first `message_bytes` only (an
// unreviewed row's, message_bytes_to_read()), each charged to `charge`
// when it fits the budget (a text that does not is left out: these rows
// never fail a run).
struct UnlabelledBounds {
    int64_t max_rows = 0;
    int64_t max_bytes = 0;
    size_t message_bytes = 0;
};

// The texts of the ai_training_data rows that train under no label
// (trains_under_no_label(): training_label NULL, the complement of the
// generated column), and not rejected, which a reviewer keeps out of every
// use. Read by the same heap scan as read_training_rows(), as the extension
// owner, cancellable.
UnlabelledTexts read_unlabelled_texts(Oid schema, const UnlabelledBounds &bounds,
                                      intent::MemoryCharge &charge);

} // namespace pg_intent
