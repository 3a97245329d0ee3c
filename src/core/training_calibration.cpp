// The calibration phase of a training run (training_run.h): from the
// out-of-fold scores, the per-label recall targets, the calibrator, the
// held-out entries' predictions, the abstain thresholds and the metrics.
#include "training_run.h"

#include "c_selection.h"
#include "errors.h"
#include "eval_accumulator.h"
#include "novelty.h"
#include "parallel.h"
#include "scoring.h"
#include "subword_auto.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>

namespace intent::training_detail {

namespace {

// The out-of-fold predictions of the held-out entries (index i: entry held[i]).
struct HeldOut {
    std::vector<size_t> held;
    std::vector<int> pred;
    std::vector<float> conf;
    std::vector<float> evidence; // of the message (novelty.h)
    std::vector<float> unknown;  // its share of words unknown out of its fold (novelty.h)
    // its share of words no row of its answered label outside its fold
    // holds, where `unknown` is above 0 (else 0: the label-word rule needs one)
    std::vector<float> label_unknown;
    std::vector<float> support; // of the answer's label (novelty.h)
    std::vector<bool> oos_wins, correct, uncertain;
    // The calibrator's sample (indices into held, ascending) and its scores.
    std::vector<size_t> sample;
    std::vector<float> sample_scores;
};

// The input rows of each entry (CSR: row_list[row_start[e], row_start[e + 1])),
// for the probability of each row's own label.
void rows_of_entries(const PreparedDataset &d, size_t n, size_t num_rows, std::vector<size_t> &row_start,
                     std::vector<size_t> &row_list) {
    row_start.assign(n + 1, 0);
    row_list.resize(num_rows);
    for (int64_t e : d.entry_of_row)
        if (e >= 0) ++row_start[static_cast<size_t>(e) + 1];
    for (size_t e = 0; e < n; ++e)
        row_start[e + 1] += row_start[e];
    {
        std::vector<size_t> next(row_start.begin(), row_start.end() - 1);
        for (size_t r = 0; r < num_rows; ++r)
            if (d.entry_of_row[r] >= 0) row_list[next[static_cast<size_t>(d.entry_of_row[r])]++] = r;
    }
}

// recall_label's offset from the out-of-fold scores of the in-scope
// held-out rows (label_recall.h): each row's margin of the label over the
// best other label. Every later out-of-fold step sees the shifted scores.
void choose_recall(TrainingRun &run, const FoldModels &oof, const HeldOut &h, std::vector<float> &s,
                   SparseVector &row) {
    const ModelOptions &options = run.options;
    TrainReport &report = run.report;
    const PreparedDataset &d = report.data;
    const size_t k = run.k;
    report.recall.target = options.recall_target;
    if (options.recall_label.empty()) {
        report.recall.reason = "recall_label is not set";
        return;
    }
    const auto it = std::lower_bound(d.labels.begin(), d.labels.end(), options.recall_label);
    const int label =
        it != d.labels.end() && *it == options.recall_label ? static_cast<int>(it - d.labels.begin()) : -1;
    std::vector<float> margin;
    std::vector<bool> is_label;
    if (label >= 0) {
        MemoryCharge charge(run.callbacks.memory, h.held.size() * (sizeof(float) + 1), "the recall margins");
        margin.reserve(h.held.size());
        is_label.reserve(h.held.size());
        for (size_t i = 0; i < h.held.size(); ++i) {
            if ((i & 1023) == 1023) run.callbacks.check_cancel();
            const size_t e = h.held[i];
            if (d.y[e] == kOutOfScope) continue;
            oof.score(run.set, e, row, s.data());
            float best_other = -std::numeric_limits<float>::infinity();
            for (size_t c = 0; c < k; ++c)
                if (static_cast<int>(c) != label) best_other = std::max(best_other, s[c]);
            margin.push_back(s[static_cast<size_t>(label)] - best_other);
            is_label.push_back(d.y[e] == label);
        }
    }
    report.recall =
        choose_recall_shift(label, margin, is_label, options.recall_target, options.min_intent_rows);
}

// The calibrator on pooled out-of-fold scores of the served columns, of
// the rows it fits on (calibration_rows: at most 5,000). Their scores are
// kept in h.sample_scores for the pass over every held-out row, which would
// otherwise compute them again.
void fit_calibrator(TrainingRun &run, const FoldModels &oof, HeldOut &h, std::vector<float> &s,
                    SparseVector &row) {
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const PreparedDataset &d = report.data;
    const std::vector<size_t> &held = h.held;
    const size_t k = run.k, served = run.served;
    const bool oos_class = run.oos_class;
    std::vector<size_t> &sample = h.sample;
    std::vector<float> &sample_scores = h.sample_scores;
    std::vector<int> fit_truth(held.size(), -1);
    for (size_t i = 0; i < held.size(); ++i) {
        const size_t e = held[i];
        // A row whose intent its fold model never saw says nothing about
        // how confident the model is when it knows the intent.
        if (!oof.column_seen[e]) continue;
        if (d.y[e] != kOutOfScope)
            fit_truth[i] = d.y[e];
        else if (oos_class)
            fit_truth[i] = static_cast<int>(k);
    }
    sample = calibration_rows(fit_truth);
    sample_scores.resize(sample.size() * served);
    std::vector<int> sample_truth(sample.size());
    for (size_t j = 0; j < sample.size(); ++j) {
        oof.score(set, held[sample[j]], row, s.data());
        report.recall.apply(s.data());
        std::copy(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(served),
                  sample_scores.begin() + static_cast<std::ptrdiff_t>(j * served));
        sample_truth[j] = fit_truth[sample[j]];
    }
    report.calibrator = fit_score_calibrator(sample_scores, served, sample_truth);
}

// Out-of-fold predictions and metrics, one held-out row at a time (the
// in-scope rows: the same report as evaluate() and calibration_report()
// over copies of them, eval_accumulator.h), and the probability of each
// input row's own label (which may differ from its entry's kept label).
void predict_held_out(TrainingRun &run, const FoldModels &oof, HeldOut &h, std::vector<float> &s,
                      SparseVector &row, const std::vector<size_t> &row_start,
                      const std::vector<size_t> &row_list, EvalAccumulator &acc) {
    const TrainCallbacks &callbacks = run.callbacks;
    TrainReport &report = run.report;
    const TrainingSet &set = run.set;
    const PreparedDataset &d = report.data;
    const std::vector<size_t> &held = h.held;
    const size_t k = run.k, served = run.served;
    const bool oos_class = run.oos_class;
    const std::vector<size_t> &sample = h.sample;
    const std::vector<float> &sample_scores = h.sample_scores;
    std::vector<int> &pred = h.pred;
    std::vector<float> &conf = h.conf;
    std::vector<bool> &oos_wins = h.oos_wins, &correct = h.correct;
    std::vector<float> p(k);
    size_t next_sample = 0;                  // sample is ascending in i
    report.oof_entries.reserve(held.size()); // at most one per held-out entry, kept to the end of the run
    for (size_t i = 0; i < held.size(); ++i) {
        if ((i & 1023) == 1023) callbacks.check_cancel();
        const size_t e = held[i];
        if (next_sample < sample.size() && sample[next_sample] == i) {
            // Only the served columns are read below.
            const float *kept = sample_scores.data() + next_sample * served;
            std::copy(kept, kept + served, s.begin());
            ++next_sample;
        } else {
            oof.score(set, e, row, s.data());
            report.recall.apply(s.data());
        }
        for (size_t c = 0; c < served; ++c)
            if (!std::isfinite(s[c]))
                throw Error(ErrorKind::InvalidArgument, "non-finite decision score",
                            "A decision score to calibrate is NaN or infinite.");
        report.calibrator.probabilities(s.data(), served, k, p.data());
        pred[i] = static_cast<int>(argmax(s.data(), k));
        conf[i] = p[static_cast<size_t>(pred[i])];
        h.evidence[i] = message_evidence(set.recognises(e), s.data(), oof.bias(e), k, report.recall.label,
                                         report.recall.offset);
        h.support[i] = label_support(s.data(), oof.bias(e), static_cast<size_t>(pred[i]), report.recall.label,
                                     report.recall.offset);
        oos_wins[i] = oos_class && s[k] > s[static_cast<size_t>(pred[i])];
        correct[i] = d.y[e] == pred[i];
        if (d.y[e] != kOutOfScope) {
            if (!oof.column_seen[e]) ++report.unseen_intent_rows;
            acc.add(d.y[e], pred[i], p.data(), report.oof_entries.size());
            report.oof_entries.push_back(static_cast<uint32_t>(e));
        }
        for (size_t j = row_start[e]; j < row_start[e + 1]; ++j) {
            const size_t r = row_list[j];
            const int label = run.label_index(r);
            if (label >= 0) report.rows[r].label_probability = p[static_cast<size_t>(label)];
        }
    }
}

// The abstain thresholds from the out-of-fold predictions, what they leave
// uncertain, the out-of-fold metrics, and each input row's prediction.
void thresholds_and_metrics(TrainingRun &run, HeldOut &h, const EvalAccumulator &acc) {
    const ModelOptions &options = run.options;
    TrainReport &report = run.report;
    const PreparedDataset &d = report.data;
    const EvaluationPlan &plan = report.plan;
    const size_t num_rows = run.num_rows;
    const size_t n = run.n;
    const std::vector<size_t> &held = h.held;
    const std::vector<int> &pred = h.pred;
    const std::vector<float> &conf = h.conf;
    const std::vector<bool> &oos_wins = h.oos_wins, &correct = h.correct;
    std::vector<bool> &uncertain = h.uncertain;

    {
        // Rows the out-of-scope class already makes uncertain take no part.
        std::vector<float> c2;
        std::vector<int> p2;
        std::vector<bool> ok2;
        for (size_t i = 0; i < held.size(); ++i) {
            if (oos_wins[i]) continue;
            c2.push_back(conf[i]);
            p2.push_back(pred[i]);
            ok2.push_back(correct[i]);
        }
        report.threshold = choose_abstain_thresholds(c2, p2, ok2, d.intent_rows, options.target_precision,
                                                     options.threshold_floor, options.min_threshold_rows,
                                                     options.min_intent_rows);
    }
    // recall_label's answers are not withheld for low confidence: its rule
    // is recall (label_recall.h).
    if (report.recall.exempt) report.threshold.per_intent[static_cast<size_t>(report.recall.label)] = 0;
    const std::vector<float> &thr = report.threshold.per_intent;
    // The novelty rules learn on the right in-scope answers the thresholds accept (novelty.h).
    const auto accepted_right_in_scope = [&](size_t i) {
        return !oos_wins[i] && correct[i] && d.y[held[i]] != kOutOfScope &&
               conf[i] >= thr[static_cast<size_t>(pred[i])];
    };
    {
        std::vector<float> evidence, support;
        for (size_t i = 0; i < held.size(); ++i)
            if (accepted_right_in_scope(i)) {
                evidence.push_back(h.evidence[i]);
                support.push_back(h.support[i]);
            }
        report.evidence =
            choose_evidence_floor(std::move(evidence), options.evidence_quantile, options.min_threshold_rows);
        report.support =
            choose_support_floor(std::move(support), options.evidence_quantile, options.min_threshold_rows);
    }
    {
        // The unknown-word limit, from those answers that have words and that
        // the floors accept as well.
        std::vector<float> accepted_right;
        for (size_t i = 0; i < held.size(); ++i) {
            const size_t e = held[i];
            if (accepted_right_in_scope(i) && !lacks_evidence(h.evidence[i], report.evidence.floor) &&
                !lacks_support(h.support[i], report.support.floor) && e < run.set.words.size() &&
                run.set.words[e].words > 0)
                accepted_right.push_back(h.unknown[i]);
        }
        // Thin labels make the floor of one half inclusive (novelty.h).
        size_t intent_rows = 0;
        for (size_t r : d.intent_rows)
            intent_rows += r;
        const bool thin =
            subword_auto_labels_thin(intent_rows, d.intent_rows.size(), options.min_intent_rows);
        report.unknown_words =
            choose_unknown_word_limit(std::move(accepted_right), options.unknown_word_quantile,
                                      options.min_threshold_rows, UnknownWordRule::Global, thin);
        // The label-word limit, from those of them with an unknown word that
        // the unknown-word limit accepts as well (novelty.h).
        std::vector<float> own;
        for (size_t i = 0; i < held.size(); ++i) {
            const size_t e = held[i];
            if (accepted_right_in_scope(i) && !lacks_evidence(h.evidence[i], report.evidence.floor) &&
                !lacks_support(h.support[i], report.support.floor) && e < run.set.words.size() &&
                run.set.words[e].words > 0 && h.unknown[i] > 0 &&
                !too_many_unknown_words(h.unknown[i], report.unknown_words.limit))
                own.push_back(h.label_unknown[i]);
        }
        report.label_unknown_words =
            choose_unknown_word_limit(std::move(own), options.unknown_word_quantile,
                                      options.min_threshold_rows, UnknownWordRule::Label, thin);
    }
    const float label_limit = report.label_unknown_words.limit;
    // Whether the unknown-word rules withhold answer i.
    const auto too_many_unknown = [&](size_t i) {
        return too_many_unknown_words(h.unknown[i], report.unknown_words.limit);
    };
    const auto too_many_new_to_label = [&](size_t i) {
        return too_many_label_unknown_words(h.unknown[i], h.label_unknown[i], label_limit);
    };
    // Whether any novelty rule (evidence, support, the unknown-word rules)
    // withholds answer i, whatever its confidence.
    const auto withheld_by_novelty = [&](size_t i) {
        return lacks_evidence(h.evidence[i], report.evidence.floor) ||
               lacks_support(h.support[i], report.support.floor) || too_many_unknown(i) ||
               too_many_new_to_label(i);
    };
    uncertain.resize(held.size());
    for (size_t i = 0; i < held.size(); ++i) {
        const bool novel = lacks_evidence(h.evidence[i], report.evidence.floor);
        const bool unsupported = !novel && lacks_support(h.support[i], report.support.floor);
        const bool unknown = !novel && !unsupported && too_many_unknown(i);
        const bool new_to_label = !novel && !unsupported && !unknown && too_many_new_to_label(i);
        uncertain[i] = oos_wins[i] || novel || unsupported || unknown || new_to_label ||
                       conf[i] < thr[static_cast<size_t>(pred[i])];
        if (!oos_wins[i] && d.y[held[i]] != kOutOfScope) {
            report.evidence.uncertain += novel;
            report.support.uncertain += unsupported;
            report.unknown_words.uncertain += unknown;
            report.label_unknown_words.uncertain += new_to_label;
        }
    }

    // The coverage cap (threshold.h): the confusion threshold lowered, never
    // raised, until min_coverage of the in-scope answers are accepted; the
    // novelty rules stand as learned.
    {
        const float global = report.threshold.global;
        std::vector<bool> governed(thr.size(), true);
        for (size_t c : report.threshold.thin_intents)
            governed[c] = false;
        if (report.recall.exempt) governed[static_cast<size_t>(report.recall.label)] = false;
        std::vector<float> withheld;
        size_t accepted_in_scope = 0, in_scope = 0;
        for (size_t i = 0; i < held.size(); ++i) {
            if (d.y[held[i]] == kOutOfScope) continue;
            ++in_scope;
            if (!uncertain[i]) {
                ++accepted_in_scope;
                continue;
            }
            const size_t c = static_cast<size_t>(pred[i]);
            if (oos_wins[i] || !governed[c] || conf[i] >= thr[c] || withheld_by_novelty(i)) continue;
            withheld.push_back(conf[i]);
        }
        report.coverage_cap = cap_threshold_for_coverage(std::move(withheld), accepted_in_scope, in_scope,
                                                         global, options.min_coverage);
        if (report.coverage_cap.binds) {
            report.threshold.global = report.coverage_cap.threshold;
            for (size_t c = 0; c < thr.size(); ++c)
                if (governed[c]) report.threshold.per_intent[c] = report.coverage_cap.threshold;
            for (size_t i = 0; i < held.size(); ++i)
                if (uncertain[i] && !oos_wins[i] && governed[static_cast<size_t>(pred[i])] &&
                    conf[i] >= thr[static_cast<size_t>(pred[i])] && !withheld_by_novelty(i))
                    uncertain[i] = false;
        }
    }

    size_t accepted = 0, accepted_right = 0, oos_n = 0, oos_caught = 0;
    for (size_t i = 0; i < held.size(); ++i) {
        if (d.y[held[i]] == kOutOfScope) {
            ++oos_n;
            oos_caught += uncertain[i];
        } else if (!uncertain[i]) {
            ++accepted;
            accepted_right += correct[i];
        }
    }
    report.oof = acc.report();
    if (report.oof.misclassified.size() > options.max_misclassified)
        report.oof.misclassified.resize(options.max_misclassified);
    if (acc.rows() > 0) report.calibration = acc.calibration();
    const double m_in = static_cast<double>(acc.rows());
    report.coverage = acc.rows() == 0 ? 0.0 : static_cast<double>(accepted) / m_in;
    report.accepted_accuracy =
        accepted ? static_cast<double>(accepted_right) / static_cast<double>(accepted) : 0.0;
    report.out_of_scope_evaluated = oos_n;
    report.out_of_scope_recall = oos_n ? static_cast<double>(oos_caught) / static_cast<double>(oos_n) : 0.0;

    // Per input row: its entry's out-of-fold prediction.
    std::vector<int64_t> held_index(n, -1);
    for (size_t i = 0; i < held.size(); ++i)
        held_index[held[i]] = static_cast<int64_t>(i);
    for (size_t r = 0; r < num_rows; ++r) {
        RowResult &rr = report.rows[r];
        const int64_t e = d.entry_of_row[r];
        if (e < 0 || held_index[static_cast<size_t>(e)] < 0) continue;
        const size_t i = static_cast<size_t>(held_index[static_cast<size_t>(e)]);
        rr.fold = static_cast<int16_t>(plan.fold[static_cast<size_t>(e)]);
        rr.predicted = pred[i];
        rr.confidence = conf[i];
        rr.uncertain = uncertain[i];
    }
}

} // namespace

// Calibrator, out-of-fold predictions, thresholds and metrics, from the
// fold models. No entries x columns score array is ever held: each
// held-out entry's scores are computed from its fold's quantised model (the
// same kernel on the same row, so the same bits) when they are needed: the
// calibrator's sample first (kept, at most 5,000 rows), then every other
// entry. Every buffer is gone on return, before the refit.
void calibrate(TrainingRun &run, FoldModels &oof) {
    const ModelOptions &options = run.options;
    const TrainCallbacks &callbacks = run.callbacks;
    const size_t num_rows = run.num_rows;
    const TrainingSet &set = run.set;
    const size_t n = run.n;
    callbacks.report("calibrate", 0, 1);
    const PreparedDataset &d = run.report.data;
    HeldOut h;
    for (size_t e = 0; e < n; ++e)
        if (oof.held_out(e)) h.held.push_back(e);
    const std::vector<size_t> &held = h.held;
    // The input rows of each entry (CSR), for the probability of each row's
    // own label.
    MemoryCharge calibrate_charge(callbacks.memory,
                                  held.size() * (sizeof(size_t) + sizeof(int) * 2 + sizeof(float) * 3 + 1) +
                                      n * sizeof(int64_t) + (n + 1 + num_rows) * sizeof(size_t),
                                  "the out-of-fold predictions");
    std::vector<size_t> row_start, row_list;
    rows_of_entries(d, n, num_rows, row_start, row_list);
    std::vector<float> s(padded(set.columns));
    SparseVector row;
    choose_recall(run, oof, h, s, row);
    fit_calibrator(run, oof, h, s, row);
    callbacks.check_cancel();

    h.pred.resize(held.size());
    h.conf.resize(held.size());
    h.evidence.resize(held.size());
    h.support.resize(held.size());
    // With the rule off its limit stays 1, which no share exceeds: no word
    // counts. The words of each label are counted too, for the label-word
    // rule, whose shares wait for the answers (predict_held_out).
    std::optional<FoldWords> words;
    if (options.unknown_word_quantile > 0) {
        words.emplace(set, run.report.plan.fold, run.report.plan.folds, callbacks.memory, run.k);
        h.unknown.resize(held.size());
        for (size_t i = 0; i < held.size(); ++i) {
            if ((i & 4095) == 4095) callbacks.check_cancel();
            h.unknown[i] = words->unknown_share(held[i], row);
        }
    } else {
        h.unknown.assign(held.size(), 0.0f);
    }
    h.oos_wins.resize(held.size());
    h.correct.resize(held.size());
    // The per-row results stay until the run ends (the caller records them).
    run.results_charge.add(num_rows * sizeof(RowResult), "the rows' out-of-fold results");
    run.report.rows.resize(num_rows);
    EvalAccumulator acc(run.k, options.max_misclassified, 15);
    predict_held_out(run, oof, h, s, row, row_start, row_list, acc);
    std::vector<size_t>().swap(row_list);
    std::vector<size_t>().swap(row_start);
    h.label_unknown.assign(held.size(), 0.0f);
    if (words) {
        for (size_t i = 0; i < held.size(); ++i) {
            if ((i & 4095) == 4095) callbacks.check_cancel();
            if (h.unknown[i] > 0 && h.pred[i] >= 0)
                h.label_unknown[i] = words->label_unknown_share(held[i], static_cast<size_t>(h.pred[i]), row);
        }
    }

    thresholds_and_metrics(run, h, acc);
    // The model carries each label's words only for a rule that can withhold.
    // They stay until the model holds them, charged as the rows' results
    // are, once the counts they came with are given back.
    size_t label_words_bytes = 0;
    if (words && run.report.label_unknown_words.limit < 1) {
        run.report.label_words.limit = run.report.label_unknown_words.limit;
        run.report.label_words.words = words->take_label_words(label_words_bytes);
    }
    words.reset();
    run.results_charge.add(label_words_bytes, "the words of each label");
    // The out-of-fold predictions are in the report now: their buffers go
    // before the refit, the run's largest allocation.
    oof = FoldModels();
    std::vector<size_t>().swap(h.held);
    std::vector<int>().swap(h.pred);
    std::vector<float>().swap(h.conf);
    std::vector<float>().swap(h.evidence);
    std::vector<float>().swap(h.unknown);
    std::vector<float>().swap(h.label_unknown);
    std::vector<float>().swap(h.support);
    for (auto *v : {&h.oos_wins, &h.correct, &h.uncertain})
        std::vector<bool>().swap(*v);
    std::vector<size_t>().swap(h.sample);
    std::vector<float>().swap(h.sample_scores);
    calibrate_charge.reset();
    release_free_memory(); // the fold models and the out-of-fold buffers, before the refit
}

} // namespace intent::training_detail
