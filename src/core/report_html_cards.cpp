// The HTML report's headline and decision cards: the summary figures,
// the deployment decision and how the figures were obtained.
#include "report_html_internal.h"

#include "errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

namespace intent::report::html_detail {

void Page::headline() {
    struct Metric {
        const char *key, *label;
        int digits;
        bool higher_is_better;
        std::optional<double> new_v, base_v;
        // the decision's comparison, when the card shows it: this run and
        // the active model on the same fresh rows
        std::optional<double> fresh_new, fresh_active;
    };
    const Json &r = run_;
    // Like with like (issue 36): the large figure is this run's out-of-fold
    // one on all its rows, which the active model has no counterpart of.
    // With fresh-row evidence the accuracy and F1 cards compare what the
    // decision compared, both models on the same fresh rows, and say how
    // many; 0.3.1 set this run's all-row figure against the active model's
    // fresh-row one and showed an "improved" model in red.
    auto rows = num(at(g_, "rows"));
    const bool fresh = str(at(run_, "deploy_evidence")) == "fresh_rows" && rows && *rows > 0 &&
                       at(g_, "candidate").is_object();
    std::vector<Metric> metrics = {
        {"accuracy", "m_accuracy", 3, true, first(num(at(r, "intent_accuracy")), num(at(m_, "accuracy"))),
         first(num(at(r, "baseline_intent_accuracy")), num(at(b_, "accuracy"))),
         num(at(g_, {"candidate", "accuracy"})), num(at(g_, {"active", "accuracy"}))},
        {"precision", "m_precision", 3, true,
         first(num(at(r, "intent_precision")), num(at(m_, "precision")), num(at(m_, "macro_precision"))),
         first(num(at(b_, "precision")), num(at(b_, "macro_precision"))), std::nullopt, std::nullopt},
        {"recall", "m_recall", 3, true,
         first(num(at(r, "intent_recall")), num(at(m_, "recall")), num(at(m_, "macro_recall"))),
         first(num(at(b_, "recall")), num(at(b_, "macro_recall"))), std::nullopt, std::nullopt},
        {"f1", "m_f1", 3, true,
         first(num(at(r, "intent_f1_score")), num(at(m_, "f1")), num(at(m_, "macro_f1"))),
         first(num(at(r, "baseline_f1_score")), num(at(b_, "f1")), num(at(b_, "macro_f1")),
               num(at(d_, "baseline_f1"))),
         num(at(g_, {"candidate", "macro_f1"})), num(at(g_, {"active", "macro_f1"}))},
        {"ece", "m_ece", 4, false,
         first(num(at(m_, {"calibration", "ece"})), num(at(rep_, {"calibration", "ece"}))),
         num(at(b_, {"calibration", "ece"})), std::nullopt, std::nullopt},
        {"brier", "m_brier", 4, false,
         first(num(at(m_, {"calibration", "brier"})), num(at(rep_, {"calibration", "brier"}))),
         num(at(b_, {"calibration", "brier"})), std::nullopt, std::nullopt},
    };
    // the change from `base` to `now`, computed on their decimal forms
    auto delta = [this](std::optional<double> now, std::optional<double> base, const Metric &k) {
        if (!now || !base) return std::string();
        auto a = to_decimal(*now), b = to_decimal(*base);
        std::string shown;
        if (a && b) {
            int scale = std::max(a->scale, b->scale);
            Decimal diff{a->units * pow10(scale - a->scale) - b->units * pow10(scale - b->scale), scale};
            shown = write_rounded(diff, k.digits);
        } else {
            // NaN, an infinity or a magnitude no metric has: the document is
            // the caller's, and there is no change to show
            auto s = format_decimal(*now - *base, k.digits);
            if (!s) return std::string();
            shown = *s;
        }
        bool zero = shown.find_first_not_of("-0.") == std::string::npos;
        std::string cls = zero ? "same" : ((*now > *base) == k.higher_is_better ? "better" : "worse");
        if (zero && shown[0] == '-') shown = shown.substr(1);
        shown = shown[0] == '-' ? kMinus + localize(shown.substr(1)) : "+" + localize(shown);
        return "<span class=\"delta " + cls + "\">" + shown + "</span>";
    };
    std::string cards;
    for (const Metric &k : metrics) {
        std::string attrs, below;
        if (fresh && k.fresh_new && k.fresh_active) {
            attrs = " data-compared-rows=\"" + md(rows, 0) + "\"";
            below = F("card_fresh", {md(rows, 0), md(k.fresh_new, k.digits), md(k.fresh_active, k.digits)}) +
                    delta(k.fresh_new, k.fresh_active, k);
        } else {
            below = F("baseline_value", {md(k.base_v, k.digits)}) + delta(k.new_v, k.base_v, k);
        }
        cards += std::string("<div class=\"card\" data-metric=\"") + k.key + "\"" + attrs +
                 "><div class=\"k\">" + T(k.label) + "</div><div class=\"v\">" + md(k.new_v, k.digits) +
                 "</div><div class=\"b\">" + below + "</div></div>";
    }
    std::string evidence = str(at(run_, "deploy_evidence"));
    std::string note;
    auto active_id = num(at(d_, "active_model_id"));
    if (fresh) {
        note = F("cards_note_fresh",
                 {active_id ? md(std::round(*active_id), 0) : std::string(kDash), md(rows, 0)});
    } else {
        note = T("baseline_note");
        if (active_id) note += F("baseline_note_model", {md(std::round(*active_id), 0)});
        if (evidence == "estimates")
            note += T("baseline_note_estimates");
        else if (b_.is_object())
            note += T("baseline_note_eval_rows");
        else if (at(run_, "baseline_f1_score").is_null())
            note += T("baseline_note_none");
        else
            note += ".";
    }
    note += T("ece_note");
    out_.push_back("<section id=\"headline\"><h2>" + std::string(T("headline")) + " <span class=\"sub\">(" +
                   where() + ")</span></h2><div class=\"cards\">" + cards + "</div><p class=\"note\">" +
                   note + "</p></section>");
}

// The gate's reason in words (report.cpp: gate.reason_code).
std::string Page::gate_sentence() const {
    std::string code = str(at(g_, "reason_code"));
    std::string min_rows = md(at(g_, "min_rows"), 0);
    if (code == "enough_fresh_rows") return F("gate_enough", {min_rows});
    if (code == "too_few_fresh_rows") return F("gate_too_few", {min_rows});
    return {}; // no_fresh_rows: said by no_fresh_rows_sentence; older reports: no code
}

// How the abstain threshold was chosen (threshold.reason_code).
std::string Page::threshold_sentence() const {
    const Json &t = at(rep_, "threshold");
    std::string code = str(at(t, "reason_code"));
    if (code == "too_few_predictions")
        return F("thr_too_few", {md(at(t, "rows"), 0), md(at(t, "min_threshold_rows"), 0)});
    if (code == "target_precision")
        return F("thr_target",
                 {md(at(t, "target_precision")), md(at(t, "precision")), md(at(t, "coverage"))});
    if (code == "best_precision")
        return F("thr_best", {md(at(t, "target_precision")), md(at(t, "precision")), md(at(t, "coverage"))});
    if (code == "threshold_floor")
        return F("thr_floor", {md(at(t, "threshold_floor")), md(at(t, "precision_rule_value")),
                               md(at(t, "target_precision")), md(at(t, "precision")), md(at(t, "coverage"))});
    return {};
}

// Why this method and fold count (evaluation.reason_code).
std::string Page::evaluation_sentence() const {
    const Json &e = at(rep_, "evaluation");
    std::string code = str(at(e, "reason_code"));
    if (code == "size_rule")
        return F("why_size_rule",
                 {md(at(e, "folds"), 0),
                  md(first(num(at(rep_, "usable_rows")), num(at(run_, "training_samples"))), 0),
                  md(first(num(at(run_, "total_intents")), num(at(rep_, "total_intents"))), 0)});
    if (code == "cv_folds") return T("why_cv_folds");
    if (code == "evaluation_option") return T("why_evaluation_option");
    return {};
}

// The decision in plain words, from the run's recorded reason and evidence.
std::string Page::decision_sentence() const {
    std::string reason = str(at(run_, "deploy_reason"));
    std::string evidence = opt_str(at(run_, "deploy_evidence")).value_or(str(at(d_, "evidence")));
    auto rows = num(at(g_, "rows"));
    bool fresh = evidence == "fresh_rows" && rows && *rows > 0;
    // messages right for each model on the fresh rows
    std::string n = fresh ? md(rows, 0) : "";
    std::string cand_right, active_right;
    long long more = 0;
    if (fresh) {
        auto ca = num(at(g_, {"candidate", "accuracy"})), aa = num(at(g_, {"active", "accuracy"}));
        auto co = num(at(g_, "candidate_only_correct")), ao = num(at(g_, "active_only_correct"));
        if (ca) cand_right = md(std::round(*ca * *rows), 0);
        if (aa) active_right = md(std::round(*aa * *rows), 0);
        if (co && ao)
            more = std::llround(*co - *ao);
        else if (ca && aa)
            more = std::llround((*ca - *aa) * *rows);
    }
    std::string cf1 = md(at(d_, "candidate_f1")), bf1 = md(at(d_, "baseline_f1")),
                tol = md(at(d_, "max_f1_regression"));
    std::string comparison; // what the evidence says, whatever the reason
    if (fresh) {
        if (more > 0)
            comparison = F("dec_fresh_more", {itos(more), n, cand_right, active_right});
        else if (more < 0)
            comparison = F("dec_fresh_fewer", {itos(-more), n, cand_right, active_right});
        else
            comparison = F("dec_fresh_same", {n, cand_right});
    } else if (evidence == "estimates") {
        comparison = F("dec_estimates", {cf1, bf1});
    }
    if (reason == "first") return T("dec_first");
    if (reason == "untested") return T("dec_untested");
    if (reason == "insufficient_evidence") return T("dec_insufficient");
    if (reason == "baseline_changed") return T("dec_baseline_changed");
    if (reason == "rollback") return T("dec_rollback");
    if (reason == "manual") return T("dec_manual") + (comparison.empty() ? "" : " " + comparison);
    if (reason == "never") return T("dec_never") + (comparison.empty() ? "" : " " + comparison);
    if (reason == "improved") {
        if (fresh && more > 0) return F("dec_improved_fresh", {itos(more), n, cand_right, active_right});
        if (fresh) return F("dec_improved_f1", {n, cand_right, cf1, bf1});
        return F("dec_improved_estimates", {cf1, bf1});
    }
    if (reason == "within_tolerance")
        return F("dec_within_tolerance", {cf1, bf1, tol}) + (comparison.empty() ? "" : " " + comparison);
    if (reason == "regression") {
        if (fresh && more < 0) return F("dec_regression_fresh", {itos(-more), n, cand_right, active_right});
        return F("dec_regression_f1", {cf1, bf1, tol});
    }
    if (reason == "tie") return F("dec_tie", {n, cand_right});
    if (reason == "fallback_better") {
        // A partition's first model against the fallback, on the
        // partition's rows both answered out of fold (deploy_rule.h).
        const Json &fc = at(rep_, "fallback_comparison");
        auto fr = num(at(fc, "rows")), fca = num(at(fc, {"candidate", "accuracy"})),
             ffa = num(at(fc, {"fallback", "accuracy"}));
        std::string cr = fr && fca ? md(std::round(*fca * *fr), 0) : "?",
                    fb = fr && ffa ? md(std::round(*ffa * *fr), 0) : "?";
        return F("dec_fallback_better", {fr ? md(fr, 0) : std::string("?"), cr, fb, cf1, bf1});
    }
    if (reason.empty()) return {};
    return html_escape(reason);
}

// The subword_vectors option's weight, when the run had the option on: the
// weight, whether it was chosen out of fold (each candidate's accuracy) or
// given, and the stored English reason on the English page (the reasons
// have no codes yet).
std::string Page::subword_line() const {
    const Json &sw = at(rep_, "subword_weight");
    if (!sw.is_object()) return std::string();
    const std::optional<double> value = num(at(sw, "value"));
    std::string body =
        value && *value > 0 ? F("subword_weight", {md(value, 2)}) : std::string(T("subword_left_out"));
    const Json &grid = at(sw, "grid");
    const Json &accuracy = at(sw, "accuracy");
    if (at(sw, "selected").is_boolean() && at(sw, "selected").get<bool>() && grid.is_array()) {
        std::string candidates;
        for (size_t i = 0; i < grid.size(); ++i) {
            candidates += (i == 0 ? "" : ", ") + md(grid[i], 2);
            if (accuracy.is_array() && i < accuracy.size()) candidates += " (" + md(accuracy[i]) + ")";
        }
        body += F("subword_chosen", {candidates});
    } else if (value && *value > 0)
        body += T("subword_given");
    if (lang_ == Language::English && at(sw, "reason").is_string() && !str(at(sw, "reason")).empty())
        body += ": " + html_escape(str(at(sw, "reason")), 300);
    return std::string("<dt>") + T("dt_subword") + "</dt><dd>" + body + "</dd>";
}

void Page::deploy_and_evaluation() {
    bool deployed = at(run_, "deployed").is_boolean() && at(run_, "deployed").get<bool>();
    bool completed = str(at(run_, "status")) == "completed";
    std::string reason = str(at(run_, "deploy_reason"));
    std::string html = std::string("<p><span class=\"badge ") +
                       (deployed    ? "ok"
                        : completed ? "held"
                                    : "fail") +
                       "\">" +
                       T(deployed    ? "badge_deployed"
                         : completed ? "badge_not_deployed"
                                     : "badge_no_model") +
                       "</span>";
    if (!reason.empty()) html += F("reason_code", {html_escape(reason)});
    html += "</p>";
    std::string sentence = decision_sentence();
    if (!sentence.empty()) html += "<p class=\"decision\">" + sentence + "</p>";
    html += "<dl>";
    std::optional<std::string> evidence = opt_str(at(run_, "deploy_evidence"));
    if (!evidence && has(d_, "evidence")) evidence = str(at(d_, "evidence"));
    if (evidence) {
        std::string why;
        if (*evidence == "fresh_rows")
            why = T("ev_fresh_rows");
        else if (*evidence == "estimates")
            why = T("ev_estimates");
        else if (*evidence == "none")
            why = T("ev_none");
        html += std::string("<dt>") + T("dt_evidence") + "</dt><dd><b>" + html_escape(*evidence) + "</b>" +
                why + "</dd>";
    }
    if (num(at(d_, "candidate_f1")) && num(at(d_, "baseline_f1"))) {
        std::string tol = num(at(d_, "max_f1_regression"))
                              ? F("allowed_regression", {md(at(d_, "max_f1_regression"))})
                              : std::string();
        html += std::string("<dt>") + T("dt_compared") + "</dt><dd>" +
                F("compared", {md(at(d_, "candidate_f1")), md(at(d_, "baseline_f1")), tol}) + "</dd>";
    }
    if (g_.is_object()) {
        // Words from the reason code, in the page's language; a report
        // older than the codes shows its stored English reason on the
        // English page only.
        std::string extra = gate_sentence();
        if (extra.empty() && lang_ == Language::English && has(g_, "reason") && !has(g_, "reason_code") &&
            num(at(g_, "rows")).value_or(0) > 0)
            extra = " " + html_escape(str(at(g_, "reason")), 300);
        auto rows = num(at(g_, "rows"));
        std::string body;
        if (!rows || *rows <= 0) {
            // Why none, by the rule a classifier's run applied (intent's
            // runs name none: the reviewed rows its active model trained on).
            const std::string rule =
                has(rep_, "fresh_rows_rule") ? str(at(rep_, "fresh_rows_rule")) : std::string();
            body = T(rule == "key"           ? "no_fresh_rows_key"
                     : rule == "time_column" ? "no_fresh_rows_time"
                     : rule == "none"        ? "no_fresh_rows_no_rule"
                                             : "no_fresh_rows_sentence") +
                   extra;
        } else
            body = F("fresh_rows_line",
                     {md(rows, 0), md(at(g_, {"active", "accuracy"})), md(at(g_, {"active", "macro_f1"})),
                      md(at(g_, {"candidate", "accuracy"})), md(at(g_, {"candidate", "macro_f1"})),
                      md(at(g_, "candidate_only_correct"), 0), md(at(g_, "active_only_correct"), 0)}) +
                   extra;
        html += std::string("<dt>") + T("dt_fresh_rows") + "</dt><dd>" + body + "</dd>";
    }
    // A classifier's rows whose key an earlier row held (a key_column that
    // is not unique): the gate and the review queue take a key for one row.
    if (auto dup = num(at(rep_, "rows_duplicate_key")); dup && *dup > 0)
        html += std::string("<dt>") + T("dt_duplicate_keys") + "</dt><dd>" +
                F("duplicate_keys_line", {md(dup, 0)}) + "</dd>";
    if (has(rep_, "threshold")) {
        std::string why = threshold_sentence();
        const Json &tr = at(rep_, {"threshold", "reason"});
        if (why.empty() && lang_ == Language::English && !tr.is_null()) why = html_escape(str(tr), 300);
        html += std::string("<dt>") + T("dt_threshold") + "</dt><dd><b>" +
                md(at(rep_, {"threshold", "value"})) + "</b>" + (why.empty() ? std::string() : ": " + why) +
                "</dd>";
    }
    out_.push_back("<div class=\"two\"><section id=\"deploy\"><h2>" + std::string(T("deploy_decision")) +
                   "</h2>" + html + "</dl></section>");

    // how the figures were obtained
    std::string method = str(at(rep_, {"evaluation", "method"}));
    auto eval_rows = first(num(at(rep_, {"evaluation", "rows"})), num(at(run_, "validation_samples")));
    auto cnt = [](const Json &v) { return v.is_null() ? std::string(kDash) : html_escape(str(v)); };
    std::string e;
    if (method == "cross_validation")
        e = F("method_cv", {md(at(rep_, {"evaluation", "folds"}), 0), md(eval_rows, 0)});
    else if (method == "holdout")
        e = F("method_holdout", {md(eval_rows, 0)});
    else if (!report_010())
        e = std::string("<dt>") + T("dt_method") + "</dt><dd><b>" +
            (at(rep_, {"evaluation", "method"}).is_null() ? std::string(T("none")) : html_escape(method)) +
            "</b></dd>";
    else
        e = F("method_split", {cnt(at(run_, "training_samples")), cnt(at(run_, "validation_samples")),
                               cnt(at(run_, "test_samples"))});
    if (!report_010()) {
        e += F("rows_line", {md(at(rep_, "input_rows"), 0),
                             md(first(num(at(rep_, "usable_rows")), num(at(run_, "training_samples"))), 0),
                             cnt(at(run_, "training_samples"))});
        std::string why = evaluation_sentence();
        const Json &stored = at(rep_, {"evaluation", "reason"});
        if (why.empty() && lang_ == Language::English && !stored.is_null())
            why = html_escape(str(stored), 300);
        if (!why.empty()) e += std::string("<dt>") + T("dt_why") + "</dt><dd>" + why + "</dd>";
    }
    e += std::string("<dt>") + T("dt_intents") + "</dt><dd>" + cnt(at(run_, "total_intents")) + "</dd>";
    if (has(rep_, "duplicates_removed") || has(rep_, "conflicts_resolved") || has(rep_, "empty_removed")) {
        auto c0 = [&](const char *k) {
            auto v = num(at(rep_, k));
            return v ? md(std::round(*v), 0) : std::string("0");
        };
        e += F("cleaning", {c0("duplicates_removed"), c0("conflicts_resolved"), c0("empty_removed")});
    }
    const Json &small = at(rep_, "small_classes");
    if (small.is_array() && !small.empty()) {
        std::string list;
        for (const Json &x : small) {
            add(list, (list.empty() ? "" : ", ") +
                          html_escape(x.is_string() ? x.get<std::string>() : x.dump(), 60));
        }
        e += std::string("<dt>") + T("dt_small_classes") + "</dt><dd>" + list + "</dd>";
    }
    e += subword_line();
    out_.push_back("<section id=\"evaluation\"><h2>" + std::string(T("how_obtained")) + "</h2><dl>" + e +
                   "</dl></section></div>");
}

} // namespace intent::report::html_detail
