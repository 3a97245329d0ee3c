// Shared by the files of the HTML training report (report_html*.cpp), not
// part of the core's interface: the number, JSON and formatting helpers and
// the Page that writes the page section by section. report_html.cpp has the
// skeleton, report_html_cards.cpp the headline and decision cards,
// report_html_charts.cpp the inline SVG charts, report_html_format.cpp the
// helpers, escaping and decimal formatting.
#pragma once

#include "report_html.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intent::report::html_detail {

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
std::optional<Decimal> to_decimal(double v);
__int128 pow10(int n);
// Rounds half away from zero to `digits` decimals and writes them all.
std::string write_rounded(Decimal d, int digits);
// A JSON number, or a string holding one.
std::optional<double> number(const Json &v);

// ------------------------------------------------------------ JSON access

const Json &null_json();
// v[key] when v is an object holding key, else null.
const Json &at(const Json &v, const char *key);
const Json &at(const Json &v, std::initializer_list<const char *> path);
bool has(const Json &v, const char *key);
std::optional<double> num(const Json &v);
// The first of the values that is not nullopt.
template <class... P> std::optional<double> first(P... values) {
    std::optional<double> out;
    ((out = out ? out : values), ...);
    return out;
}
std::string str(const Json &v);
std::optional<std::string> opt_str(const Json &v);

// ------------------------------------------------------------ formatting

// round(v, digits) as text, or an en dash.
std::string md(std::optional<double> v, int digits = 3);
std::string md(const Json &v, int digits = 3);
std::string md(double v, int digits = 3);
// One decimal, for SVG coordinates.
std::string fx(double v);
std::string itos(long long v);

// ------------------------------------------------------------------ page

class Page {
  public:
    Page(const Json &input, const HtmlOptions &options)
        : in_(input), lang_(options.language), options_(options) {}
    std::string render();

  private:
    const char *T(std::string_view key) const { return text_for(key, lang_, wording_); }
    // Numbers for people, in the page's language: html_detail::md() with a
    // decimal comma in Spanish (0,812). These hide the free functions in
    // the Page's members; SVG coordinates (fx, itos) keep their points.
    std::string md(std::optional<double> v, int digits = 3) const {
        return localize(html_detail::md(v, digits));
    }
    std::string md(const Json &v, int digits = 3) const { return localize(html_detail::md(v, digits)); }
    std::string md(double v, int digits = 3) const { return localize(html_detail::md(v, digits)); }
    std::string localize(std::string number) const;
    // A label classifier's rows hold labels, the intent classifier's intents.
    Wording wording() const;
    std::string F(std::string_view key, std::initializer_list<std::string_view> args) const {
        return subst(T(key), args);
    }
    std::string status_word(const std::string &status) const;
    // COMPAT(0.1.0) 0.1.0's report shape (see src/sql/17_compat_010.sql): one 70/15/15
    // split and no "evaluation" object; 0.2.0's has out-of-fold figures.
    bool report_010() const { return !has(rep_, "evaluation"); }
    std::string where() const { return T(report_010() ? "test_split" : "out_of_fold"); }
    // The fixed-text sentence of a stored reason_code (gate, threshold,
    // evaluation), or "" for a report older than reason codes.
    std::string gate_sentence() const;
    std::string threshold_sentence() const;
    std::string subword_line() const;
    std::string evaluation_sentence() const;
    void head();
    bool status_block();
    void headline();
    void deploy_and_evaluation();
    std::string decision_sentence() const;
    void trend();
    void confusion();
    std::string confusion_note(const std::vector<std::string> &labels, const std::vector<size_t> &order,
                               long long confused) const;
    void f1_bars();
    void row_charts();
    std::string reliability_chart(const Json &rows, double total) const;
    std::string coverage_chart(const Json &rows, double total) const;
    void misclassified();
    // Appends `piece` to `to`, counting its bytes against the page's bound
    // (options_.max_bytes) and polling the cancel. Every loop over the
    // document's arrays writes through here: the rest of the page is a fixed
    // number of texts, each at most kMaxTextChars long.
    void add(std::string &to, std::string_view piece) const;
    // Throws Error(Cancelled) when options_.interrupted says so.
    void poll() const;

    const Json &in_;
    Language lang_;
    const HtmlOptions &options_;
    mutable size_t added_ = 0; // bytes add() has counted
    const Json &run_ = at(in_, "run");
    const Json &rep_ = at(in_, "report");
    const Json &m_ = at(rep_, "metrics");
    const Json &b_ = at(rep_, "baseline_metrics").is_object() ? at(rep_, "baseline_metrics") : null_json();
    const Json &d_ = at(rep_, "deploy").is_object() ? at(rep_, "deploy") : null_json();
    const Json &g_ = at(rep_, "gate").is_object() ? at(rep_, "gate") : null_json();
    Wording wording_ = wording();
    std::vector<std::string> out_;
};

} // namespace intent::report::html_detail
