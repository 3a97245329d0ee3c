// The HTML training report (see report_html.h). The layout and the English
// wording are those of 0.2.1's PL/pgSQL generator; the fixed texts of both
// languages are in report_text.cpp.
#include "report_html.h"

#include "errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

namespace intent::report {

namespace {

const char *const kDash = "\xE2\x80\x93";     // en dash: a missing value
const char *const kEllipsis = "\xE2\x80\xA6"; // a cut text
const char *const kMinus = "\xE2\x88\x92";    // minus sign of a change

// ---------------------------------------------------------------- numbers

// A decimal number as units * 10^-scale.
struct Decimal {
    __int128 units = 0;
    int scale = 0;
};

// The shortest decimal form of a finite double (std::to_chars), as a
// Decimal; nullopt for NaN, infinities and magnitudes a report never has.
std::optional<Decimal> to_decimal(double v) {
    if (!std::isfinite(v) || std::fabs(v) > 1e15) return std::nullopt;
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    if (res.ec != std::errc()) return std::nullopt;
    std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
    bool negative = false;
    if (!s.empty() && s[0] == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    size_t e = s.find('e');
    std::string_view mant = s.substr(0, e);
    int exponent = std::atoi(std::string(s.substr(e + 1)).c_str());
    Decimal d;
    int frac_digits = 0;
    bool after_point = false;
    for (char c : mant) {
        if (c == '.') {
            after_point = true;
            continue;
        }
        d.units = d.units * 10 + (c - '0');
        if (after_point) ++frac_digits;
    }
    d.scale = frac_digits - exponent;
    while (d.scale < 0) {
        d.units *= 10;
        ++d.scale;
    }
    if (d.scale > 30) { // far below any digit shown
        d.units = 0;
        d.scale = 0;
    }
    if (negative) d.units = -d.units;
    return d;
}

__int128 pow10(int n) {
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

// Rounds half away from zero to `digits` decimals and writes them all.
std::string write_rounded(Decimal d, int digits) {
    __int128 units = d.units;
    if (d.scale > digits) {
        __int128 div = pow10(d.scale - digits);
        __int128 q = units / div, r = units % div;
        if (r < 0) r = -r;
        if (2 * r >= div) q += units < 0 ? -1 : 1;
        units = q;
    } else {
        units *= pow10(digits - d.scale);
    }
    bool negative = units < 0;
    if (negative) units = -units;
    std::string s;
    do {
        s.push_back(static_cast<char>('0' + static_cast<int>(units % 10)));
        units /= 10;
    } while (units > 0);
    while (static_cast<int>(s.size()) <= digits)
        s.push_back('0');
    std::reverse(s.begin(), s.end());
    if (digits > 0) s.insert(s.end() - digits, '.');
    if (negative && s.find_first_not_of("0.") != std::string::npos) s.insert(s.begin(), '-');
    return s;
}

std::optional<double> number(const Json &v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        double d = 0;
        auto res = std::from_chars(s.data(), s.data() + s.size(), d);
        if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return d;
    }
    return std::nullopt;
}

// ------------------------------------------------------------ JSON access

const Json &null_json() {
    static const Json n = nullptr;
    return n;
}

// v[key] when v is an object holding key, else null.
const Json &at(const Json &v, const char *key) {
    if (!v.is_object()) return null_json();
    auto it = v.find(key);
    return it == v.end() ? null_json() : *it;
}
const Json &at(const Json &v, std::initializer_list<const char *> path) {
    const Json *cur = &v;
    for (const char *k : path)
        cur = &at(*cur, k);
    return *cur;
}
bool has(const Json &v, const char *key) {
    return v.is_object() && v.contains(key);
}
std::optional<double> num(const Json &v) {
    return number(v);
}
template <class... P> std::optional<double> first(P... values) {
    std::optional<double> out;
    ((out = out ? out : values), ...);
    return out;
}
std::string str(const Json &v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return v.dump();
}
std::optional<std::string> opt_str(const Json &v) {
    if (v.is_null()) return std::nullopt;
    return str(v);
}

// ------------------------------------------------------------ formatting

// round(v, digits) as text, or an en dash.
std::string md(std::optional<double> v, int digits = 3) {
    if (!v) return kDash;
    auto s = format_decimal(*v, digits);
    return s ? *s : kDash;
}
std::string md(const Json &v, int digits = 3) {
    return md(num(v), digits);
}
std::string md(double v, int digits = 3) {
    return md(std::optional<double>(v), digits);
}

// One decimal, for SVG coordinates.
std::string fx(double v) {
    return md(std::optional<double>(v), 1);
}
std::string itos(long long v) {
    return std::to_string(v);
}

class Page {
  public:
    Page(const Json &input, Language language) : in_(input), lang_(language) {}
    std::string render();

  private:
    const char *T(std::string_view key) const { return text(key, lang_); }
    std::string F(std::string_view key, std::initializer_list<std::string_view> args) const {
        return subst(T(key), args);
    }
    std::string status_word(const std::string &status) const;
    std::string where() const { return T(has(rep_, "evaluation") ? "out_of_fold" : "test_split"); }
    void head();
    bool status_block();
    void headline();
    void deploy_and_evaluation();
    std::string decision_sentence() const;
    void trend();
    void confusion();
    void f1_bars();
    void row_charts();
    void misclassified();

    const Json &in_;
    Language lang_;
    const Json &run_ = at(in_, "run");
    const Json &rep_ = at(in_, "report");
    const Json &m_ = at(rep_, "metrics");
    const Json &b_ = at(rep_, "baseline_metrics").is_object() ? at(rep_, "baseline_metrics") : null_json();
    const Json &d_ = at(rep_, "deploy").is_object() ? at(rep_, "deploy") : null_json();
    const Json &g_ = at(rep_, "gate").is_object() ? at(rep_, "gate") : null_json();
    std::vector<std::string> out_;
};

std::string Page::status_word(const std::string &status) const {
    if (status == "completed") return T("status_completed");
    if (status == "failed") return T("status_failed");
    if (status == "running") return T("status_running");
    return html_escape(status);
}

void Page::head() {
    std::string title = opt_str(at(run_, "run_name")).value_or(str(at(run_, "id")));
    std::string model;
    if (at(run_, "model_id").is_null())
        model = T("none");
    else
        model =
            str(at(run_, "model_id")) + " (<code>" + html_escape(str(at(run_, "model_version"))) + "</code>)";
    std::string took;
    if (auto d = num(at(run_, "duration_seconds"))) took = "<span>" + F("took_s", {md(d, 1)}) + "</span>";
    out_.push_back(std::string("<!DOCTYPE html>\n<html lang=\"") +
                   (lang_ == Language::Spanish ? "es" : "en") +
                   "\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"pg_intent training_report\">\n<title>" +
                   F("title", {html_escape(title, 200)}) + "</title>\n" + R"(<style>
:root{--fg:#1f2933;--muted:#616e7c;--bg:#f3f5f8;--card:#fff;--line:#e1e5ea;--good:#16803c;--bad:#c2261d;--warn:#9a6700;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 6px;overflow-wrap:anywhere}
h2{font-size:18px;margin:0 0 12px}
.sub{color:var(--muted);margin:0}
.sub span{margin-right:14px;white-space:nowrap}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f5;padding:1px 5px;border-radius:4px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:18px 0;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .k{color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:30px;font-weight:650;font-variant-numeric:tabular-nums}
.card .b{font-size:13px;color:var(--muted);font-variant-numeric:tabular-nums}
.delta{font-weight:600;margin-left:6px}
.delta.better{color:var(--good)}.delta.worse{color:var(--bad)}.delta.same{color:var(--muted)}
.badge{display:inline-block;padding:3px 12px;border-radius:999px;font-weight:650;color:#fff;margin-right:10px}
.badge.ok{background:var(--good)}.badge.held{background:var(--warn)}.badge.fail{background:var(--bad)}
.decision{font-size:16px;margin:12px 0 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:12px 0 0}
dt{color:var(--muted)}dd{margin:0}
.note{color:var(--muted);font-size:13px;margin:10px 0 0}
.na{color:var(--muted);font-style:italic}
.error{background:#fdecea;border:1px solid #f5c2bd;border-radius:8px;padding:12px 14px;white-space:pre-wrap;overflow-wrap:anywhere}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.two>section{margin:0}
@media (max-width:900px){.two{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%}
th,td{padding:7px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.msg{overflow-wrap:anywhere}
tr.current td{font-weight:650}
details{margin:12px 0 0}summary{cursor:pointer;color:var(--muted);font-size:13px}
svg{max-width:100%;height:auto;display:block}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#323f4b}
svg .small{font-size:10px;fill:#7b8794}
svg .title{font-size:12px;fill:#616e7c}
</style>
</head>
<body>
<main>
<header>
<h1>)" + F("title", {html_escape(title, 500)}) +
                   "</h1>\n<p class=\"sub\"><span>" + F("run_code", {html_escape(str(at(run_, "id")))}) +
                   "</span><span>" + html_escape(opt_str(at(run_, "run_type")).value_or(kDash)) +
                   "</span><span>" + F("status_bold", {status_word(str(at(run_, "status")))}) +
                   "</span><span>" + F("started", {html_escape(str(at(run_, "started")))}) + "</span>" +
                   took + "<span>" + F("model_is", {model}) + "</span></p>\n</header>");
}

// The status block of a run that did not complete; false when there is
// nothing more to show.
bool Page::status_block() {
    std::string status = str(at(run_, "status"));
    if (status == "completed") return true;
    std::string badge;
    if (status == "failed")
        badge = std::string("<span class=\"badge fail\">") + T("badge_failed") + "</span>" + T("run_failed");
    else if (status == "running")
        badge =
            std::string("<span class=\"badge held\">") + T("badge_running") + "</span>" + T("run_running");
    else
        badge = "<span class=\"badge held\">" + html_escape(status) + "</span>";
    std::string err = at(run_, "error").is_null()
                          ? std::string("<p class=\"na\">") + T("no_error") + "</p>"
                          : "<div class=\"error\">" + html_escape(str(at(run_, "error")), 2000) + "</div>";
    out_.push_back("<section id=\"status\"><h2>" + badge + "</h2>" + err + "</section>");
    return !(at(run_, "training_samples").is_null() && !has(rep_, "metrics"));
}

void Page::headline() {
    struct Metric {
        const char *key, *label;
        int digits;
        bool higher_is_better;
        std::optional<double> new_v, base_v;
    };
    const Json &r = run_;
    std::vector<Metric> metrics = {
        {"accuracy", "m_accuracy", 3, true, first(num(at(r, "intent_accuracy")), num(at(m_, "accuracy"))),
         first(num(at(r, "baseline_intent_accuracy")), num(at(b_, "accuracy")))},
        {"precision", "m_precision", 3, true,
         first(num(at(r, "intent_precision")), num(at(m_, "precision")), num(at(m_, "macro_precision"))),
         first(num(at(b_, "precision")), num(at(b_, "macro_precision")))},
        {"recall", "m_recall", 3, true,
         first(num(at(r, "intent_recall")), num(at(m_, "recall")), num(at(m_, "macro_recall"))),
         first(num(at(b_, "recall")), num(at(b_, "macro_recall")))},
        {"f1", "m_f1", 3, true,
         first(num(at(r, "intent_f1_score")), num(at(m_, "f1")), num(at(m_, "macro_f1"))),
         first(num(at(r, "baseline_f1_score")), num(at(b_, "f1")), num(at(b_, "macro_f1")),
               num(at(d_, "baseline_f1")))},
        {"ece", "m_ece", 4, false,
         first(num(at(m_, {"calibration", "ece"})), num(at(rep_, {"calibration", "ece"}))),
         num(at(b_, {"calibration", "ece"}))},
        {"brier", "m_brier", 4, false,
         first(num(at(m_, {"calibration", "brier"})), num(at(rep_, {"calibration", "brier"}))),
         num(at(b_, {"calibration", "brier"}))},
    };
    std::string cards;
    for (const Metric &k : metrics) {
        std::string delta;
        if (k.new_v && k.base_v) {
            // the change of the shown figures, computed on their decimal forms
            auto a = to_decimal(*k.new_v), b = to_decimal(*k.base_v);
            double change = *k.new_v - *k.base_v;
            std::string cls;
            std::string shown;
            if (a && b) {
                int scale = std::max(a->scale, b->scale);
                Decimal diff{a->units * pow10(scale - a->scale) - b->units * pow10(scale - b->scale), scale};
                shown = write_rounded(diff, k.digits);
            } else {
                shown = *format_decimal(change, k.digits);
            }
            bool zero = shown.find_first_not_of("-0.") == std::string::npos;
            cls = zero ? "same" : ((*k.new_v > *k.base_v) == k.higher_is_better ? "better" : "worse");
            if (zero && shown[0] == '-') shown = shown.substr(1);
            shown = shown[0] == '-' ? kMinus + shown.substr(1) : "+" + shown;
            delta = "<span class=\"delta " + cls + "\">" + shown + "</span>";
        }
        cards += std::string("<div class=\"card\" data-metric=\"") + k.key + "\"><div class=\"k\">" +
                 T(k.label) + "</div><div class=\"v\">" + md(k.new_v, k.digits) + "</div><div class=\"b\">" +
                 F("baseline_value", {md(k.base_v, k.digits)}) + delta + "</div></div>";
    }
    std::string evidence = str(at(run_, "deploy_evidence"));
    std::string note = T("baseline_note");
    if (auto id = num(at(d_, "active_model_id"))) note += F("baseline_note_model", {md(std::round(*id), 0)});
    if (evidence == "fresh_rows")
        note += F("baseline_note_fresh", {md(at(g_, "rows"), 0)});
    else if (evidence == "estimates")
        note += T("baseline_note_estimates");
    else if (b_.is_object())
        note += T("baseline_note_eval_rows");
    else if (at(run_, "baseline_f1_score").is_null())
        note += T("baseline_note_none");
    else
        note += ".";
    note += T("ece_note");
    out_.push_back("<section id=\"headline\"><h2>" + std::string(T("headline")) + " <span class=\"sub\">(" +
                   where() + ")</span></h2><div class=\"cards\">" + cards + "</div><p class=\"note\">" +
                   note + "</p></section>");
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
    if (reason.empty()) return {};
    return html_escape(reason);
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
        std::string extra = has(g_, "reason") ? " " + html_escape(str(at(g_, "reason")), 300) : std::string();
        auto rows = num(at(g_, "rows"));
        std::string body;
        if (!rows || *rows <= 0)
            body = T("no_fresh_rows_sentence") + extra;
        else
            body = F("fresh_rows_line",
                     {md(rows, 0), md(at(g_, {"active", "accuracy"})), md(at(g_, {"active", "macro_f1"})),
                      md(at(g_, {"candidate", "accuracy"})), md(at(g_, {"candidate", "macro_f1"})),
                      md(at(g_, "candidate_only_correct"), 0), md(at(g_, "active_only_correct"), 0)}) +
                   extra;
        html += std::string("<dt>") + T("dt_fresh_rows") + "</dt><dd>" + body + "</dd>";
    }
    if (has(rep_, "threshold")) {
        const Json &tr = at(rep_, {"threshold", "reason"});
        html += std::string("<dt>") + T("dt_threshold") + "</dt><dd><b>" +
                md(at(rep_, {"threshold", "value"})) + "</b>" +
                (tr.is_null() ? std::string() : ": " + html_escape(str(tr), 300)) + "</dd>";
    }
    out_.push_back("<div class=\"two\"><section id=\"deploy\"><h2>" + std::string(T("deploy_decision")) +
                   "</h2>" + html + "</dl></section>");

    // how the figures were obtained
    std::string method = str(at(rep_, {"evaluation", "method"}));
    auto eval_rows = first(num(at(rep_, {"evaluation", "rows"})), num(at(run_, "validation_samples")));
    auto cnt = [](const Json &v) { return v.is_null() ? std::string(kDash) : str(v); };
    std::string e;
    if (method == "cross_validation")
        e = F("method_cv", {md(at(rep_, {"evaluation", "folds"}), 0), md(eval_rows, 0)});
    else if (method == "holdout")
        e = F("method_holdout", {md(eval_rows, 0)});
    else if (has(rep_, "evaluation"))
        e = std::string("<dt>") + T("dt_method") + "</dt><dd><b>" +
            (at(rep_, {"evaluation", "method"}).is_null() ? std::string(T("none")) : html_escape(method)) +
            "</b></dd>";
    else
        e = F("method_split", {cnt(at(run_, "training_samples")), cnt(at(run_, "validation_samples")),
                               cnt(at(run_, "test_samples"))});
    if (has(rep_, "evaluation")) {
        e += F("rows_line", {md(at(rep_, "input_rows"), 0),
                             md(first(num(at(rep_, "usable_rows")), num(at(run_, "training_samples"))), 0),
                             cnt(at(run_, "training_samples"))});
        const Json &why = at(rep_, {"evaluation", "reason"});
        if (!why.is_null())
            e += std::string("<dt>") + T("dt_why") + "</dt><dd>" + html_escape(str(why), 300) + "</dd>";
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
            if (!list.empty()) list += ", ";
            list += html_escape(x.is_string() ? x.get<std::string>() : x.dump(), 60);
        }
        e += std::string("<dt>") + T("dt_small_classes") + "</dt><dd>" + list + "</dd>";
    }
    out_.push_back("<section id=\"evaluation\"><h2>" + std::string(T("how_obtained")) + "</h2><dl>" + e +
                   "</dl></section></div>");
}

// Accuracy, coverage and F1 of the classifier's completed runs, oldest
// first: a line chart and the same figures as a table.
void Page::trend() {
    const Json &t = at(in_, "trend");
    if (!t.is_array() || t.empty()) return;
    const int left = 50, top = 20, width = 640, height = 220;
    size_t n = t.size();
    auto x_of = [&](size_t i) {
        return n == 1 ? left + width / 2.0 : left + width * double(i) / double(n - 1);
    };
    auto y_of = [&](double v) { return top + height * (1 - std::clamp(v, 0.0, 1.0)); };
    struct Series {
        const char *key, *label, *colour;
    };
    const Series series[] = {{"accuracy", "m_accuracy", "#2563eb"},
                             {"coverage", "trend_coverage", "#16803c"},
                             {"f1", "m_f1", "#c2661d"}};
    std::string svg = "<svg id=\"trend-chart\" width=\"" + itos(left + width + 40) + "\" height=\"" +
                      itos(top + height + 60) + "\" viewBox=\"0 0 " + itos(left + width + 40) + " " +
                      itos(top + height + 60) + "\" role=\"img\" aria-label=\"" + T("trend_aria") + "\">\n";
    for (int g = 0; g <= 5; ++g) {
        std::string y = fx(top + height * (1 - g * 0.2));
        svg += "<line x1=\"" + itos(left - 4) + "\" y1=\"" + y + "\" x2=\"" + itos(left + width) +
               "\" y2=\"" + y + "\" stroke=\"#eef1f5\"/><text class=\"small\" x=\"" + itos(left - 8) +
               "\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"central\">" +
               md(std::optional<double>(g * 0.2), 1) + "</text>";
    }
    svg += "\n<line x1=\"" + itos(left) + "\" y1=\"" + itos(top + height) + "\" x2=\"" + itos(left + width) +
           "\" y2=\"" + itos(top + height) + "\" stroke=\"#52606d\"/>";
    for (size_t i = 0; i < n; ++i)
        svg += "<text class=\"small\" x=\"" + fx(x_of(i)) + "\" y=\"" + itos(top + height + 14) +
               "\" text-anchor=\"middle\">" + itos(static_cast<long long>(i + 1)) + "</text>";
    svg += "\n";
    int legend_x = left;
    for (const Series &s : series) {
        std::string points, dots;
        for (size_t i = 0; i < n; ++i) {
            auto v = num(at(t[i], s.key));
            if (!v) continue;
            std::string x = fx(x_of(i)), y = fx(y_of(*v));
            points += (points.empty() ? "" : " ") + x + "," + y;
            dots += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"3.5\" fill=\"" + s.colour + "\"><title>" +
                    html_escape(opt_str(at(t[i], "run_name")).value_or(str(at(t[i], "started")))) + ": " +
                    T(s.label) + " " + md(v) + "</title></circle>";
        }
        if (!points.empty())
            svg += std::string("<polyline class=\"trend-line\" data-series=\"") + s.key + "\" points=\"" +
                   points + "\" fill=\"none\" stroke=\"" + s.colour +
                   "\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>" + dots + "\n";
        svg += "<rect x=\"" + itos(legend_x) + "\" y=\"" + itos(top + height + 30) +
               "\" width=\"14\" height=\"14\" fill=\"" + s.colour + "\"/><text x=\"" + itos(legend_x + 20) +
               "\" y=\"" + itos(top + height + 41) + "\">" + T(s.label) + "</text>";
        legend_x += 160;
    }
    svg += "</svg>";
    std::string rows;
    for (size_t i = 0; i < n; ++i) {
        const Json &x = t[i];
        bool current = at(x, "current").is_boolean() && at(x, "current").get<bool>();
        bool deployed = at(x, "deployed").is_boolean() && at(x, "deployed").get<bool>();
        auto cell = [&](const char *k) {
            return num(at(x, k)) ? md(at(x, k))
                                 : std::string("<span class=\"na\">") + T("no_figure") + "</span>";
        };
        rows += std::string("<tr class=\"trend-run") + (current ? " current" : "") + "\"><td class=\"num\">" +
                itos(static_cast<long long>(i + 1)) + "</td><td class=\"msg\">" +
                html_escape(opt_str(at(x, "run_name")).value_or(str(at(x, "id"))), 80) + "</td><td>" +
                html_escape(str(at(x, "started"))) + "</td><td class=\"num\">" + cell("accuracy") +
                "</td><td class=\"num\">" + cell("coverage") + "</td><td class=\"num\">" + cell("f1") +
                "</td><td>" + T(deployed ? "yes" : "no") + "</td></tr>\n";
    }
    out_.push_back(
        "<section id=\"trend\"><h2>" + std::string(T("trend_title")) + " <span class=\"sub\">(" +
        (n == 1 ? std::string(T("trend_one")) : F("trend_runs", {itos(static_cast<long long>(n))})) +
        ")</span></h2>" + svg + "<p class=\"note\">" + T("trend_note") + "</p><details open><summary>" +
        T("trend_table") + "</summary><table class=\"trend\"><thead><tr><th>#</th><th>" + T("th_run") +
        "</th><th>" + T("th_started") + "</th><th>" + T("m_accuracy") + "</th><th>" + T("trend_coverage") +
        "</th><th>" + T("m_f1") + "</th><th>" + T("th_deployed") + "</th></tr></thead><tbody>\n" + rows +
        "</tbody></table></details></section>");
}

void Page::confusion() {
    const Json &labels_j = at(m_, {"confusion", "labels"});
    const Json &matrix = at(m_, {"confusion", "matrix"});
    if (!labels_j.is_array() || !matrix.is_array()) return;
    std::vector<std::string> labels;
    for (const Json &l : labels_j)
        labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
    const size_t nl = labels.size();
    // cells (row i, column j, 0-based) of the matrix, whatever its size
    std::map<std::pair<size_t, size_t>, long long> cell;
    std::map<size_t, long long> row_total;
    for (size_t i = 0; i < matrix.size(); ++i) {
        if (!matrix[i].is_array()) continue;
        for (size_t j = 0; j < matrix[i].size(); ++j) {
            auto v = num(matrix[i][j]);
            long long c = v ? std::llround(*v) : 0;
            cell[{i, j}] = c;
            row_total[i] += c;
        }
    }
    // the intents kept: all of them up to 12, else the 12 involved in the
    // most confusions (as true or as predicted intent)
    std::vector<long long> involved(nl, 0);
    for (const auto &[ij, c] : cell)
        if (ij.first != ij.second && ij.first < nl && ij.second < nl) {
            involved[ij.first] += c;
            involved[ij.second] += c;
        }
    std::vector<size_t> order;
    for (size_t i = 0; i < nl; ++i)
        if (nl <= 12 || involved[i] > 0) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return involved[a] > involved[b]; });
    if (order.size() > 12) order.resize(12);
    std::sort(order.begin(), order.end());
    long long confused = std::count_if(involved.begin(), involved.end(), [](long long v) { return v > 0; });
    if (order.empty()) {
        out_.push_back("<section id=\"confusion\"><h2>" + std::string(T("confusion_title")) +
                       "</h2><p class=\"na\">" + F("no_confusions", {itos(static_cast<long long>(nl))}) +
                       "</p></section>");
        return;
    }
    const int left = 190, top = 150;
    const int k = static_cast<int>(order.size());
    const int c = k <= 6 ? 56 : 40;
    const int w = std::max(left + k * c + 120, left + 380), h = top + k * c + 70;
    std::string html;
    for (int rp = 0; rp < k; ++rp)
        for (int cp = 0; cp < k; ++cp) {
            size_t i = order[rp], j = order[cp];
            auto it = cell.find({i, j});
            long long n = it == cell.end() ? 0 : it->second;
            long long total = row_total.count(i) ? row_total[i] : 0;
            double share = total > 0 ? double(n) / double(total) : 0;
            std::string fill;
            if (n == 0)
                fill = "#f4f6f8";
            else if (i == j)
                fill = "hsl(212,70%," + fx(94 - 56 * share) + "%)";
            else
                fill = "hsl(4,78%," + fx(92 - 47 * std::sqrt(share)) + "%)";
            html += std::string("<rect class=\"cell ") +
                    (i == j  ? "diag"
                     : n > 0 ? "err"
                             : "zero") +
                    "\" x=\"" + itos(left + cp * c) + "\" y=\"" + itos(top + rp * c) + "\" width=\"" +
                    itos(c) + "\" height=\"" + itos(c) + "\" fill=\"" + fill +
                    "\" stroke=\"#fff\" stroke-width=\"1\"><title>" +
                    F("cell_title", {html_escape(labels[i]), html_escape(labels[j]), itos(n), fx(100 * share),
                                     html_escape(labels[i])}) +
                    "</title></rect>";
            if (n > 0)
                html += "<text x=\"" + itos(left + cp * c + c / 2) + "\" y=\"" + itos(top + rp * c + c / 2) +
                        "\" text-anchor=\"middle\" dominant-baseline=\"central\" style=\"fill:" +
                        ((i == j && share > 0.55) || (i != j && share > 0.35) ? "#fff" : "#1f2933") +
                        ";font-size:" + (c >= 56 ? "14" : "11") + "px\">" + itos(n) + "</text>";
            html += "\n";
        }
    for (int p = 0; p < k; ++p) {
        const std::string &l = labels[order[p]];
        html += "<text x=\"" + itos(left - 8) + "\" y=\"" + itos(top + p * c + c / 2) +
                "\" text-anchor=\"end\" dominant-baseline=\"central\"><title>" + html_escape(l) + "</title>" +
                html_escape(l, 24) + "</text>\n<text transform=\"translate(" +
                itos(left + p * c + c / 2 - 4) + "," + itos(top - 8) +
                ") rotate(-45)\" text-anchor=\"start\"><title>" + html_escape(l) + "</title>" +
                html_escape(l, 20) + "</text>\n";
    }
    std::string note;
    if (nl <= 12) {
        note = F("all_intents", {itos(static_cast<long long>(nl))});
    } else {
        std::string kept, left_out;
        for (size_t i : order)
            kept += (kept.empty() ? "" : ", ") + html_escape(labels[i]);
        for (size_t i = 0; i < nl; ++i)
            if (!std::binary_search(order.begin(), order.end(), i))
                left_out += (left_out.empty() ? "" : ", ") + html_escape(labels[i]);
        note = F("some_intents", {itos(static_cast<long long>(nl)), itos(confused), itos(k), kept, left_out});
    }
    // the legend's entries, spaced for the longer Spanish words
    const bool es = lang_ == Language::Spanish;
    const std::string legend_confused_at =
        std::string("<rect x=\"") + (es ? "240" : "190") +
        "\" y=\"0\" width=\"14\" height=\"14\" fill=\"hsl(4,78%,55%)\"/><text x=\"" + (es ? "260" : "210") +
        "\" y=\"11\">";
    const std::string legend_none_at = std::string("<rect x=\"") + (es ? "360" : "290") +
                                       "\" y=\"0\" width=\"14\" height=\"14\" fill=\"#f4f6f8\" "
                                       "stroke=\"#e1e5ea\"/><text x=\"" +
                                       (es ? "380" : "310") + "\" y=\"11\">";
    out_.push_back(
        "<section id=\"confusion\"><h2>" + std::string(T("confusion_title")) + " <span class=\"sub\">(" +
        where() + ")</span></h2><p class=\"note\">" + note + " " + T("confusion_note") +
        "</p><svg id=\"confusion-heatmap\" width=\"" + itos(w) + "\" height=\"" + itos(h) +
        "\" viewBox=\"0 0 " + itos(w) + " " + itos(h) + "\" role=\"img\" aria-label=\"" +
        T("confusion_aria") + "\">\n<text class=\"title\" x=\"" + itos(left + k * c / 2) +
        "\" y=\"16\" text-anchor=\"middle\">" + T("predicted_axis") +
        " &rarr;</text><text class=\"title\" transform=\"translate(14," + itos(top + k * c / 2) +
        ") rotate(-90)\" text-anchor=\"middle\">" + T("true_axis") + " &rarr;</text>\n" + html +
        "\n<g transform=\"translate(" + itos(left) + "," + itos(top + k * c + 30) +
        ")\"><rect x=\"0\" y=\"0\" width=\"14\" height=\"14\" fill=\"hsl(212,70%,45%)\"/><text x=\"20\" "
        "y=\"11\">" +
        T("legend_right") + "</text>" + legend_confused_at + T("legend_confused") + "</text>" +
        legend_none_at + T("legend_none") + "</text></g></svg></section>");
}

void Page::f1_bars() {
    const Json &per = at(m_, "per_intent");
    if (!per.is_object()) return;
    struct Bar {
        std::string key;
        std::optional<double> f1, prec, rec, support;
    };
    std::vector<Bar> bars;
    for (auto it = per.begin(); it != per.end(); ++it)
        bars.push_back({it.key(), num(at(*it, "f1")), num(at(*it, "precision")), num(at(*it, "recall")),
                        num(at(*it, "support"))});
    // worst first, intents without an F1 before all
    std::sort(bars.begin(), bars.end(), [](const Bar &a, const Bar &b) {
        if (a.f1.has_value() != b.f1.has_value()) return !a.f1.has_value();
        if (a.f1 && *a.f1 != *b.f1) return *a.f1 < *b.f1;
        return a.key < b.key;
    });
    const int left = 190;
    std::string html;
    for (size_t p = 0; p < bars.size(); ++p) {
        const Bar &b = bars[p];
        int y = 34 + static_cast<int>(p) * 24;
        double len = b.f1.value_or(0) * 440;
        std::string support = b.support ? md(std::round(*b.support), 0) : std::string(kDash);
        const char *colour = !b.f1         ? "#cbd2d9"
                             : *b.f1 < 0.6 ? "#d64545"
                             : *b.f1 < 0.8 ? "#e8a33d"
                                           : "#2f9e5b";
        html += "<text x=\"" + itos(left - 8) + "\" y=\"" + itos(y + 8) +
                "\" text-anchor=\"end\" dominant-baseline=\"central\"><title>" + html_escape(b.key) +
                "</title>" + html_escape(b.key, 26) + "</text><rect class=\"bar\" x=\"" + itos(left) +
                "\" y=\"" + itos(y) + "\" width=\"" + fx(len) + "\" height=\"16\" rx=\"3\" fill=\"" + colour +
                "\"><title>" +
                F("bar_title", {html_escape(b.key), md(b.f1), md(b.prec), md(b.rec), support}) +
                "</title></rect><text x=\"" + fx(left + std::round(len * 10) / 10 + 6) + "\" y=\"" +
                itos(y + 8) + "\" dominant-baseline=\"central\">" + md(b.f1) +
                " <tspan class=\"small\">n=" + support + "</tspan></text>";
        if (p + 1 < bars.size()) html += "\n";
    }
    int h = 34 + static_cast<int>(bars.size()) * 24 + 10;
    std::string grid;
    for (int g = 0; g <= 4; ++g)
        grid += "<line x1=\"" + itos(left + g * 110) + "\" y1=\"24\" x2=\"" + itos(left + g * 110) +
                "\" y2=\"" + itos(h - 6) + "\" stroke=\"#e1e5ea\"/><text class=\"small\" x=\"" +
                itos(left + g * 110) + "\" y=\"18\" text-anchor=\"middle\">" +
                md(std::optional<double>(g * 0.25), 2) + "</text>";
    std::string W = itos(left + 440 + 90), H = itos(h);
    out_.push_back("<section id=\"f1\"><h2>" + std::string(T("f1_title")) + " <span class=\"sub\">(" +
                   T("worst_first") + ")</span></h2><svg id=\"f1-bars\" width=\"" + W + "\" height=\"" + H +
                   "\" viewBox=\"0 0 " + W + " " + H + "\" role=\"img\" aria-label=\"" + T("f1_title") +
                   "\">\n" + grid + "\n" + html + "\n</svg><p class=\"note\">" + T("f1_note") +
                   "</p></section>");
}

void Page::row_charts() {
    const Json &rows = at(in_, "rows");
    bool readable = at(rows, "readable").is_boolean() && at(rows, "readable").get<bool>();
    double total = num(at(rows, "count")).value_or(0);
    if (!readable || total <= 0) {
        std::string na = T(readable ? "rows_none" : "rows_no_access");
        out_.push_back("<div class=\"two\"><section id=\"reliability\"><h2>" + std::string(T("reliability")) +
                       "</h2><p class=\"na\">" + na + "</p></section><section id=\"coverage\"><h2>" +
                       T("coverage_title") + "</h2><p class=\"na\">" + na + "</p></section></div>");
        return;
    }
    // reliability: 10 confidence bins; a bar is the bin's accuracy, the dot
    // its mean confidence; on the diagonal the confidence is honest
    std::string bins;
    const Json &bj = at(rows, "bins");
    if (bj.is_array())
        for (const Json &s : bj) {
            double b = num(at(s, "b")).value_or(0), acc = num(at(s, "acc")).value_or(0),
                   conf = num(at(s, "conf")).value_or(0);
            std::string n = md(at(s, "n"), 0);
            std::string y = fx(20 + (1 - acc) * 300);
            if (!bins.empty()) bins += "\n";
            bins += "<rect class=\"bin\" x=\"" + itos(50 + static_cast<int>(b) * 30 + 1) + "\" y=\"" + y +
                    "\" width=\"28\" height=\"" + fx(acc * 300) +
                    "\" fill=\"#2563eb\" fill-opacity=\"0.75\"><title>" +
                    F("bin_title",
                      {md(std::optional<double>(b / 10), 1), md(std::optional<double>((b + 1) / 10), 1), n,
                       md(std::optional<double>(acc)), md(std::optional<double>(conf))}) +
                    "</title></rect><circle cx=\"" + fx(50 + conf * 300) + "\" cy=\"" + y +
                    "\" r=\"3.5\" fill=\"#1f2933\"/><text class=\"small\" x=\"" +
                    itos(50 + static_cast<int>(b) * 30 + 15) + "\" y=\"" +
                    fx(std::max(20 + std::round((1 - acc) * 3000) / 10 - 5, 13.0)) +
                    "\" text-anchor=\"middle\">" + n + "</text>";
        }
    std::string grid;
    for (int g = 0; g <= 5; ++g)
        grid += "<line x1=\"46\" y1=\"" + itos(320 - g * 60) + "\" x2=\"350\" y2=\"" + itos(320 - g * 60) +
                "\" stroke=\"#eef1f5\"/><text class=\"small\" x=\"42\" y=\"" + itos(320 - g * 60) +
                "\" text-anchor=\"end\" dominant-baseline=\"central\">" +
                md(std::optional<double>(g * 0.2), 1) + "</text><text class=\"small\" x=\"" +
                itos(50 + g * 60) + "\" y=\"334\" text-anchor=\"middle\">" +
                md(std::optional<double>(g * 0.2), 1) + "</text>";
    std::string ece =
        md(first(num(at(m_, {"calibration", "ece"})), num(at(rep_, {"calibration", "ece"}))), 4);
    std::string reliability =
        "<div class=\"two\"><section id=\"reliability\"><h2>" + std::string(T("reliability")) +
        " <span class=\"sub\">(" + F("rows_oof", {md(std::optional<double>(total), 0)}) +
        ")</span></h2><svg id=\"reliability-diagram\" width=\"380\" height=\"370\" viewBox=\"0 0 380 370\" "
        "role=\"img\" aria-label=\"" +
        T("reliability_aria") + "\">\n" + grid +
        "\n<line x1=\"50\" y1=\"320\" x2=\"350\" y2=\"20\" stroke=\"#9aa5b1\" stroke-dasharray=\"5 "
        "4\"/><line "
        "x1=\"50\" y1=\"320\" x2=\"350\" y2=\"320\" stroke=\"#52606d\"/><line x1=\"50\" y1=\"20\" x2=\"50\" "
        "y2=\"320\" stroke=\"#52606d\"/>\n" +
        bins + "\n<text class=\"title\" x=\"200\" y=\"356\" text-anchor=\"middle\">" + T("confidence_axis") +
        "</text><text class=\"title\" transform=\"translate(14,170) rotate(-90)\" text-anchor=\"middle\">" +
        T("accuracy_axis") + "</text></svg><p class=\"note\">" + F("reliability_note", {ece}) +
        "</p></section>";

    // coverage-accuracy: accepting every prediction whose confidence is at
    // least t gives coverage(t) and accuracy(t)
    std::vector<std::pair<double, double>> pts; // x, accuracy
    double ymin = 1;
    const Json &curve = at(rows, "curve");
    if (curve.is_array())
        for (const Json &p : curve) {
            if (!p.is_array() || p.size() < 2) continue;
            double accepted = num(p[0]).value_or(0), right = num(p[1]).value_or(0);
            if (accepted <= 0) continue;
            double acc = right / accepted;
            pts.push_back({50 + 300 * accepted / total, acc});
            ymin = std::min(ymin, acc);
        }
    // the y axis spans [ymin, 1] in steps of 0.1
    ymin = std::min(std::floor(ymin * 10) / 10, 0.9);
    auto y_of = [&](double acc) { return 20 + 300 * (1 - (acc - ymin) / (1 - ymin)); };
    std::string points;
    for (auto &[x, acc] : pts)
        points += (points.empty() ? "" : " ") + fx(x) + "," + fx(y_of(acc));
    std::string axis;
    for (int g = static_cast<int>(std::lround(ymin * 10)); g <= 10; ++g) {
        std::string y = fx(320 - 300 * (g - ymin * 10) / (10 - ymin * 10));
        axis += "<line x1=\"46\" y1=\"" + y + "\" x2=\"350\" y2=\"" + y +
                "\" stroke=\"#eef1f5\"/><text class=\"small\" "
                "x=\"42\" y=\"" +
                y + "\" text-anchor=\"end\" dominant-baseline=\"central\">" +
                md(std::optional<double>(g / 10.0), 1) + "</text>";
    }
    for (int g = 0; g <= 5; ++g)
        axis += "<text class=\"small\" x=\"" + itos(50 + g * 60) + "\" y=\"334\" text-anchor=\"middle\">" +
                md(std::optional<double>(g * 0.2), 1) + "</text>";
    auto threshold = num(at(rep_, {"threshold", "value"}));
    double t_n = num(at(rows, "threshold_n")).value_or(0);
    auto t_cov = num(at(rows, "threshold_coverage")), t_acc = num(at(rows, "threshold_accuracy"));
    std::string marker, note;
    if (!threshold) {
        note = T("no_threshold");
    } else if (t_n <= 0 || !t_cov || !t_acc) {
        note = F("threshold_none_accepted", {md(threshold)});
    } else {
        std::string x = fx(50 + 300 * *t_cov), y = fx(y_of(*t_acc));
        std::string th = md(threshold), cov = md(t_cov), acc = md(t_acc);
        double lx = std::round((50 + 300 * *t_cov) * 10) / 10 + (*t_cov > 0.6 ? -10 : 10);
        double ly = std::max(std::round(y_of(*t_acc) * 10) / 10 + 22, 40.0);
        marker =
            "<line x1=\"" + x + "\" y1=\"20\" x2=\"" + x +
            "\" y2=\"320\" stroke=\"#c2261d\" stroke-dasharray=\"4 3\"/><circle class=\"threshold\" cx=\"" +
            x + "\" cy=\"" + y + "\" r=\"6.5\" fill=\"#c2261d\" stroke=\"#fff\" stroke-width=\"2\"><title>" +
            F("threshold_title", {th, cov, acc}) + "</title></circle><text x=\"" + fx(lx) + "\" y=\"" +
            fx(ly) + "\" text-anchor=\"" + (*t_cov > 0.6 ? "end" : "start") +
            "\" style=\"fill:#c2261d;font-weight:600\">" + F("threshold_label", {th}) + "</text>";
        note = F("threshold_note", {th, md(100 * *t_cov, 1), acc});
    }
    out_.push_back(
        reliability + "\n<section id=\"coverage\"><h2>" + T("coverage_title") + " <span class=\"sub\">(" +
        T("abstain_threshold") +
        ")</span></h2><svg id=\"coverage-curve\" width=\"380\" height=\"370\" viewBox=\"0 0 380 370\" "
        "role=\"img\" aria-label=\"" +
        T("coverage_aria") + "\">\n" + axis +
        "\n<line x1=\"50\" y1=\"320\" x2=\"350\" y2=\"320\" stroke=\"#52606d\"/><line x1=\"50\" y1=\"20\" "
        "x2=\"50\" y2=\"320\" stroke=\"#52606d\"/><polyline class=\"curve\" points=\"" +
        points + "\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>\n" +
        marker + "\n<text class=\"title\" x=\"200\" y=\"356\" text-anchor=\"middle\">" + T("coverage_axis") +
        "</text><text class=\"title\" transform=\"translate(14,170) rotate(-90)\" text-anchor=\"middle\">" +
        T("answered_accuracy_axis") + "</text></svg><p class=\"note\">" + note + "</p></section></div>");
}

void Page::misclassified() {
    const Json &mc = at(in_, "misclassified");
    if (!mc.is_object()) return;
    std::string total = md(at(mc, "total"), 0);
    const Json &shown = at(mc, "shown");
    size_t n_shown = shown.is_array() ? shown.size() : 0;
    double n_total = num(at(mc, "total")).value_or(0);
    std::string rows;
    for (size_t i = 0; i < n_shown; ++i) {
        const Json &x = shown[i];
        std::string message;
        std::string hidden = str(at(x, "hidden"));
        if (!hidden.empty())
            message = "<span class=\"na\">(" +
                      std::string(hidden == "no access"     ? T("hidden_no_access")
                                  : hidden == "not visible" ? T("hidden_not_visible")
                                                            : html_escape(hidden).c_str()) +
                      ")</span>";
        else
            message = html_escape(str(at(x, "message")), 300);
        if (!rows.empty()) rows += "\n";
        rows += "<tr><td class=\"msg\">" + message + "</td><td>" + html_escape(str(at(x, "expected")), 60) +
                "</td><td>" + html_escape(str(at(x, "predicted")), 60) + "</td><td class=\"num\">" +
                md(at(x, "confidence"), 2) + "</td></tr>";
    }
    std::string extra;
    if (n_total > 0)
        extra = n_shown < n_total ? F("most_confident_shown", {itos(static_cast<long long>(n_shown))})
                                  : std::string(T("most_confident_first"));
    std::string body = n_total <= 0
                           ? std::string("<p class=\"na\">") + T("none_found") + "</p>"
                           : std::string("<table><thead><tr><th>") + T("th_message") + "</th><th>" +
                                 T("th_label") + "</th><th>" + T("th_predicted") + "</th><th>" +
                                 T("th_confidence") + "</th></tr></thead><tbody>" + rows + "</tbody></table>";
    out_.push_back("<section id=\"misclassified\"><h2>" + std::string(T("misclassified_title")) +
                   " <span class=\"sub\">(" + total + " " +
                   T(has(rep_, "evaluation") ? "out_of_fold_words" : "on_test_split") + extra +
                   ")</span></h2>" + body + "</section>");
}

std::string Page::render() {
    if (!in_.is_object() || !run_.is_object())
        throw Error(ErrorKind::InvalidArgument, "the report document has no run");
    head();
    if (status_block()) {
        headline();
        deploy_and_evaluation();
        trend();
        confusion();
        f1_bars();
        row_charts();
        misclassified();
        out_.push_back(std::string("<p class=\"note\">") + T("footer") + "</p>");
    }
    out_.push_back("</main>");
    out_.push_back("</body>");
    out_.push_back("</html>");
    std::string page;
    for (const std::string &s : out_) {
        page += s;
        page += '\n';
    }
    return page;
}

// Decodes one UTF-8 character at s[i]; returns its code point and advances
// i, or U+FFFD (advancing one byte) for an invalid sequence.
uint32_t next_code_point(std::string_view s, size_t &i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return 0xFFFD;
    }
    i += len;
    return cp;
}

void append_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

Language language_from_code(std::string_view code) {
    return code == "es" ? Language::Spanish : Language::English;
}

std::string subst(std::string_view pattern, std::initializer_list<std::string_view> args) {
    std::string out;
    out.reserve(pattern.size() + 32);
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9' &&
            pattern[i + 2] == '}') {
            size_t k = static_cast<size_t>(pattern[i + 1] - '0');
            if (k < args.size()) {
                out += *(args.begin() + k);
                i += 2;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
    return out;
}

std::string html_escape(std::string_view value, size_t max_chars) {
    std::string out;
    out.reserve(value.size() + 16);
    size_t chars = 0, i = 0;
    if (max_chars > 0) {
        // count the characters first: a text longer than max_chars keeps
        // max_chars - 1 of them and the ellipsis
        size_t j = 0;
        while (j < value.size()) {
            next_code_point(value, j);
            ++chars;
        }
    }
    size_t keep = max_chars > 0 && chars > max_chars ? max_chars - 1 : SIZE_MAX;
    size_t written = 0;
    while (i < value.size() && written < keep) {
        uint32_t cp = next_code_point(value, i);
        ++written;
        switch (cp) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            append_utf8(out, cp);
        }
    }
    if (keep != SIZE_MAX) out += kEllipsis;
    return out;
}

std::optional<std::string> format_decimal(double value, int digits) {
    auto d = to_decimal(value);
    if (!d) return std::nullopt;
    return write_rounded(*d, digits);
}

std::optional<std::string> format_decimal(const Json &value, int digits) {
    auto v = number(value);
    if (!v) return std::nullopt;
    return format_decimal(*v, digits);
}

std::string ascii_html(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    size_t i = 0;
    while (i < utf8.size()) {
        if (static_cast<unsigned char>(utf8[i]) < 0x80) {
            out.push_back(utf8[i++]);
            continue;
        }
        uint32_t cp = next_code_point(utf8, i);
        out += "&#" + std::to_string(cp) + ";";
    }
    return out;
}

std::string render_report_html(const Json &input, const HtmlOptions &options) {
    std::string page = Page(input, options.language).render();
    return options.ascii_only ? ascii_html(page) : page;
}

} // namespace intent::report
