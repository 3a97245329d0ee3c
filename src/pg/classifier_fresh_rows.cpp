// A classifier run's rows and the gate's fresh rows (classifier_fresh_rows.h).
#include "classifier_fresh_rows.h"
#include "guard.h"
#include "relations.h"
#include "row_key.h"
#include "run_rows.h"
#include "train_run.h"

extern "C" {
#include "utils/timestamp.h"
}

#include <map>
#include <string_view>
#include <unordered_set>

namespace pg_intent {

std::vector<DataRow> classifier_rows(Oid schema, FunctionCallInfo fcinfo, const StagedSource &staged,
                                     const std::optional<std::string> &partition,
                                     const TrainingPolicy &policy, intent::MemoryCharge &charge,
                                     ReadCounts &counts, std::vector<uint32_t> *groups,
                                     std::string &fresh_rule) {
    // 0: no partition value. Keyed by the staged rows' own bytes, which
    // outlive it, and charged: a copy of each value, uncharged, took 0.2 GB
    // for 100,000 partitions of one row and a 2 kB value each
    // (test/scripts/partition_memory.sh).
    std::map<std::string_view, uint32_t> group_ids;
    const auto in_call = [&](const StagedRow &s) {
        return !partition || (!s.partition_null && s.partition == *partition);
    };
    // The label the active model's run trained each of this call's keys
    // with: a map of this call's keys, charged to the run's budget (their
    // bytes are the staged rows'), whatever the size of that run. Built for
    // every keyed run (0.3.2), with or without an active model: the one set
    // of the run's keys, which also tells the keys several of its rows hold
    // (`shared`, charged too) and how many rows repeat a key an earlier row
    // of the run held (counts.duplicate_key, metrics.rows_duplicate_key).
    // A key_column need not be unique; a run trains on every row, records
    // the first row of each key (record_rows(), which takes from the count
    // whether they are distinct) and names one row by it.
    RunKeyLabels trained_on;
    std::unordered_set<std::string_view> shared;
    size_t duplicate_key = 0;
    intent::MemoryCharge trained_on_charge(charge.budget());
    const bool has_active_run = !PG_ARGISNULL(3) && !PG_ARGISNULL(4);
    bool judge_by_key = false;
    if (staged.has_key) {
        size_t n = 0;
        for (const StagedRow &s : staged.rows)
            n += in_call(s) ? 1 : 0;
        trained_on_charge.add(n * hashed_entry_bytes<RunKeyLabels::value_type>(),
                              "the keys of this run's rows");
        trained_on.reserve(n);
        for (const StagedRow &s : staged.rows) {
            if (!in_call(s) || trained_on.emplace(s.row.key, std::string()).second) continue;
            ++duplicate_key;
            if (shared.insert(s.row.key).second)
                trained_on_charge.add(hashed_entry_bytes<std::string_view>(), "the keys of this run's rows");
        }
        if (has_active_run)
            judge_by_key = run_labels(schema, PG_GETARG_DATUM(4), trained_on, trained_on_charge);
    }
    bool judge_by_time = false;
    TimestampTz since = 0, present = 0;
    if (!judge_by_key && staged.has_time && has_active_run) {
        bool isnull = true;
        pg_call([&]() noexcept {
            Oid argtypes[2] = {UUIDOID, BOOLOID};
            // Missing under 0.3.1's SQL (the library is updated before ALTER
            // EXTENSION UPDATE): no rule, no fresh row, out-of-fold estimates.
            const Oid fn = extension_function_if_exists(schema, "_pg_intent_source_new_since", 2, argtypes);
            if (!OidIsValid(fn)) return;
            // The gate's instant (p_for_gate): the run's start, never the
            // count's earlier horizon, which would take in rows it trained on.
            Datum args[2] = {PG_GETARG_DATUM(4), BoolGetDatum(true)};
            const Datum d = call_extension_function(fn, 2, args, nullptr, isnull);
            if (!isnull) since = DatumGetTimestampTz(d);
            // The present as the count's statement reads it: the clock,
            // not the transaction's start (_pg_intent_classifier_count_plan()).
            present = GetCurrentTimestamp();
        });
        judge_by_time = !isnull;
    }
    fresh_rule = judge_by_key ? "key" : judge_by_time ? "time_column" : "none";
    std::vector<DataRow> data;
    for (size_t index = 0; index < staged.rows.size(); ++index) {
        const StagedRow &s = staged.rows[index];
        if (!in_call(s)) continue;
        DataRow row = s.row;
        row.staged_index = index;
        if (row.reviewed && (judge_by_key || judge_by_time)) {
            bool fresh = true;
            if (judge_by_key) {
                // Every key of the call is in the map: "" where the active
                // model's run did not record it (a label is never "").
                // A key several rows of this run hold is never fresh: the
                // active model's run recorded one row under it, and which
                // row it trained on with that label cannot be known (a
                // second row of the key, with another label, looked unseen
                // though that model trained on it). The safe rule: the gate
                // never judges the active model on a row it may have
                // trained on; such rows are counted, rows_duplicate_key.
                const auto it = trained_on.find(row.key);
                fresh = shared.count(row.key) == 0 && (it == trained_on.end() || it->second != row.label);
            } else {
                // Strictly later, and not in the future, as the count's
                // statement compares (_pg_intent_classifier_count_plan());
                // a row without a time is never new, as there.
                fresh = s.has_time && s.time > since && s.time <= present;
            }
            if (staged.has_window) fresh = fresh && s.in_window;
            row.fresh = fresh;
        }
        charge.add(row.text.size() + row.label.size() + row.utf8.bytes() + row.key.size() + sizeof(DataRow) +
                       (groups ? sizeof(uint32_t) : 0),
                   "the partition's rows");
        if (groups && !s.partition_null) {
            const auto [it, added] =
                group_ids.emplace(std::string_view(s.partition), static_cast<uint32_t>(group_ids.size() + 1));
            if (added)
                charge.add(tree_entry_bytes<decltype(group_ids)::value_type>(), "the partition's rows");
            row.group = it->second;
        }
        data.push_back(std::move(row));
    }
    // What the read left out or cut of this run's rows: of its partition's
    // only, or of every row for the fallback's run, which reads them all.
    counts = staged.read_counts(partition);
    counts.duplicate_key = duplicate_key;
    // The policy's bounds on the classes, as for ai_training_data: the same
    // function, on the rows of this run (train_reader.h). Then the kept rows
    // in the core's training order, intent's (into_training_order(): the
    // same rows train the same model as through intent; before 0.3.2 they
    // went in the read's order), and each one's partition, in that order.
    keep_policy_intents(data, policy.unreviewed, charge, counts);
    into_training_order(data);
    if (groups)
        for (const DataRow &row : data)
            groups->push_back(row.group);
    return data;
}

} // namespace pg_intent
