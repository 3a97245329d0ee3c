// The HTML training report (see report_html.h). The layout and the English
// wording are those of 0.2.1's PL/pgSQL generator; the fixed texts of both
// languages are in report_text.cpp.
#include "report_html_internal.h"

#include "errors.h"
#include "intent_names.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

namespace intent::report {

namespace html_detail {

// A Spanish reader writes 0,812: the decimal point of a number for people
// becomes a comma (issue 36). Only numbers pass through here (md()), never
// a text, so no other point is touched; the JSON document and the SVG
// coordinates keep their points.
std::string Page::localize(std::string number) const {
    if (lang_ == Language::Spanish) std::replace(number.begin(), number.end(), '.', ',');
    return number;
}

// The intent classifier is "intent" (0.1.0's runs have no classifier);
// every other classifier predicts labels, such as `escalated` true/false.
Wording Page::wording() const {
    std::string classifier = str(at(run_, "classifier"));
    return classifier.empty() || classifier == kBuiltinClassifier ? Wording::Intents : Wording::Labels;
}

void Page::poll() const {
    if (options_.interrupted && options_.interrupted()) throw Error(ErrorKind::Cancelled, "cancelled");
}

void Page::add(std::string &to, std::string_view piece) const {
    poll();
    added_ += piece.size();
    if (added_ > options_.max_bytes)
        throw Error(ErrorKind::ResourceLimit,
                    "the report page would be larger than " + std::to_string(options_.max_bytes) + " bytes");
    to += piece;
}

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
        model = html_escape(str(at(run_, "model_id"))) + " (<code class=\"version\">" +
                html_escape(str(at(run_, "model_version"))) + "</code>)";
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
header .sub{display:flex;flex-wrap:wrap;column-gap:14px}
header .sub span{white-space:nowrap;max-width:100%;overflow-wrap:anywhere}
header .sub code{white-space:normal;overflow-wrap:anywhere}
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
                   took + "<span class=\"model\">" + F("model_is", {model}) + "</span></p>\n</header>");
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
        add(rows, (rows.empty() ? "" : "\n") + std::string("<tr><td class=\"msg\">") + message + "</td><td>" +
                      html_escape(str(at(x, "expected")), 60) + "</td><td>" +
                      html_escape(str(at(x, "predicted")), 60) + "</td><td class=\"num\">" +
                      md(at(x, "confidence"), 2) + "</td></tr>");
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
                   T(report_010() ? "on_test_split" : "out_of_fold_words") + extra + ")</span></h2>" + body +
                   "</section>");
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

} // namespace html_detail

std::string render_report_html(const Json &input, const HtmlOptions &options) {
    std::string page = html_detail::Page(input, options).render();
    return options.ascii_only ? ascii_html(page) : page;
}

} // namespace intent::report
