// A classifier's labelled rows, read from its source with the rights of the
// role that trains (classifier_source.cpp), and staged for the training runs
// of one train_classifier() call.
//
// Reading. The source is any table or view a role registered with
// create_classifier(). It is read through SPI as the classifier's OWNER, in a
// security-restricted operation (as_owner.h), never as the caller nor as the
// extension owner: the owner's row-level security and column privileges
// apply, and the source's own functions run as the owner. The statement
// names every object by schema (pg_catalog. casts, the extension's
// is_valid_intent_name(), the quoted relation), so the caller's search_path
// cannot change what it means. It is read through a cursor, a batch at a
// time, each row charged to the policy's memory budget: a source of any size
// costs at most that, and a cancel or statement_timeout stops the read.
//
// Passing. The rows then go to the extension owner's side, which records
// the runs: train_classifier() keeps them (StagedSource, for the duration of
// the call) and calls the trainer of each run with them
// (train_classifier_rows()). A classifier's rows reach training no other
// way: _pg_intent_train_table() called from SQL refuses a classifier.
#pragma once

#include "pg_headers.h"
#include "train_reader.h"

#include "memory_budget.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pg_intent {

// The columns of a classifier, from its ai_classifiers row.
struct ClassifierColumns {
    std::string name;
    Oid source = InvalidOid;
    std::string text, label;
    std::optional<std::string> key, time, weight, reviewed, partition;
    // A boolean: the rows a person corrected (NULL: not corrected), which
    // fill DataRow::corrected as ai_training_data's corrected_by_human does
    // (issue 33, one engine): the trainer weighs them and breaks ties by
    // them, whichever reader filled it.
    std::optional<std::string> corrected;
};

// What a run reads, from the classifier's effective policy.
struct SourceSelection {
    bool only_reviewed = false;
    std::optional<int64_t> max_rows;   // the policy's window: reviewed first, newest first
    std::optional<double> window_days; // gate_window_days (needs the time column)
    // The policy's bounds on rows no reviewer vouches for: with a
    // reviewed_column, what is read of an unreviewed row's text
    // (message_bytes_to_read(), the rule ai_training_data's reader applies);
    // and the bounds on the labels (keep_policy_intents()), by which
    // unlabelled_if_thin counts the rows and labels a run will train on.
    UnreviewedRowLimits unreviewed;
    // With the subword_vectors option: the texts of the rows that train under
    // no label (trains_under_no_label(): none, or one is_valid_intent_name()
    // refuses), for the vectors only (train_reader.h's bounds; max_rows the
    // newest by the time_column, else the first in the key's order).
    std::optional<UnlabelledBounds> unlabelled;
    // subword_vectors "auto": read them only when the labelled rows the run
    // will train on (those the policy's bounds on the labels leave) have
    // fewer than this many rows per label (subword_auto.h).
    std::optional<size_t> unlabelled_if_thin;
};

// A text of a source row that trains under no label (trains_under_no_label())
// (UTF-8), and its partition.
struct StagedText {
    std::string text;
    std::string partition;
    bool partition_null = true;
};

// One staged row. `row` holds what the trainer reads (text, label, reviewed,
// corrected, weight, key); `partition` is empty with `partition_null` for a row
// without a tenant, which only the fallback model trains on.
struct StagedRow {
    DataRow row;
    std::string partition;
    bool partition_null = true;
    bool in_window = false; // time >= now() - gate_window_days
    // The time_column's value (TimestampTz), for the gate's rule without a
    // key: a row later than the active model's run started is new to it.
    bool has_time = false;
    int64_t time = 0;
};

struct StagedSource {
    std::string classifier;
    bool partitioned = false; // the classifier has a partition_column
    bool has_key = false;
    bool has_window = false;
    bool has_time = false; // the classifier has a time_column
    std::vector<StagedRow> rows;
    // What the read left out or cut: of every row (`counts`), and of the
    // rows of each partition value (`partition_counts`; a row whose value is
    // too long to be a partition is no partition's, counted in `counts`
    // only). A run reports those of the rows it reads (read_counts()). The
    // texts without a label are counted alike (ReadCounts::unlabelled_*).
    ReadCounts counts;
    std::map<std::string, ReadCounts, std::less<>> partition_counts;
    // Those of one run's rows: a partition's own (none left out: zeros), or
    // every row's for the run that reads them all (partition nullopt: the
    // fallback's, or an unpartitioned classifier's). 0.3.2 before this gave
    // each partition's run the whole source's.
    const ReadCounts &read_counts(const std::optional<std::string> &partition) const;
    // The texts without a label (SourceSelection::unlabelled), newest first
    // (what the bounds left out is in the counts above).
    std::vector<StagedText> unlabelled;
    // Whether they were read: with subword_vectors "auto", only where the
    // labels the run will train on are thin.
    bool unlabelled_read = false;
    // Rows per partition value (not counting rows without one), and of
    // them the reviewed ones (every row without a reviewed_column: the owner
    // vouches for the table). The partitions one call trains are chosen by
    // reviewed rows first (train_classifier.cpp): rows a
    // logging role may write take no slot from a partition with reviewed rows.
    struct PartitionRows {
        int64_t rows = 0;
        int64_t reviewed = 0;
    };
    std::map<std::string, PartitionRows> partition_rows;
    // A partitioned classifier's fallback run (trained first in the call)
    // leaves here its out-of-fold answer to each staged row, by index:
    // each partition's first model is weighed against them (issue 34,
    // point 2; fallback_comparison.h). Empty until then, or when it failed.
    // label -1: the row got no out-of-fold answer; else an index into
    // fallback_labels (the fallback's labels, UTF-8), and whether that
    // answer abstained.
    struct FallbackAnswer {
        int32_t label = -1;
        bool uncertain = false;
    };
    mutable std::vector<FallbackAnswer> fallback_answers;
    mutable std::vector<std::string> fallback_labels;
    // The call's memory budget (max_training_memory_mb), which the read
    // charged and which still holds these rows: every run of the call
    // charges the same one, so that the rows read and a run's own memory
    // count against one limit (0.3.2 before this gave each run a budget of
    // its own beside the read's: a call held about twice its limit,
    // test/scripts/partition_memory.sh).
    intent::MemoryBudget *budget = nullptr;
};

// Reads the rows as the current user, which the caller makes the
// classifier's owner (AsOwnerRestricted); the source and its columns are
// checked for the owner by _pg_intent_classifier_check_source() first.
StagedSource read_classifier_source(Oid schema, const ClassifierColumns &c, const SourceSelection &sel,
                                    intent::MemoryCharge &charge);

// The role a classifier's source is read as: its owner, from ai_classifiers
// (read as the extension owner `extension_owner`, whose table it is).
Oid classifier_owner(Oid schema, Oid extension_owner, const std::string &name);

// _pg_intent_train_table()'s body for a classifier's run, which
// train_run() calls itself (call_extension_function_with()) with the rows
// train_classifier() read (`call`, a TrainerCall whose rows are a
// StagedSource): no SQL call can pass them. It records the run's rows itself.
Datum train_classifier_rows(FunctionCallInfo fcinfo, void *call);

// COMPAT(0.3.1) 0.3.1's SQL (until ALTER EXTENSION UPDATE) calls the trainer
// by SQL for each run of a classifier: while alive, `source` is what that
// trainer takes for the classifier (compat031_staged_source()). The current
// SQL's runs never read it: train_classifier() gives each run's trainer its
// rows (train_classifier_rows()).
class Compat031Staged {
  public:
    explicit Compat031Staged(const StagedSource *source);
    ~Compat031Staged();
    Compat031Staged(const Compat031Staged &) = delete;
    Compat031Staged &operator=(const Compat031Staged &) = delete;
};
const StagedSource *compat031_staged_source(const std::string &classifier);

} // namespace pg_intent
