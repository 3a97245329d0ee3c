// The HTML training report: one self-contained page (inline CSS and SVG, no
// script, font, image or URL) rendered from the JSON document the SQL side
// gathers with the caller's rights (_pg_intent_report_html() in
// src/sql/59_report_html.sql). Rendering only: the core reads no table, and
// every string from the document (run names, intent names, messages, error
// texts) is HTML-escaped wherever it is written.
#pragma once

#include "json.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace intent::report {

enum class Language { English, Spanish };

// 'es' is Spanish; anything else English (intent_output_language() gives
// 'en' or 'es').
Language language_from_code(std::string_view code);

// A fixed text of the reports in `language` (report_text.cpp holds every
// one, in both languages). {0}..{9} in it are placeholders for subst().
// Throws Error(Internal) for an unknown key.
const char *text(std::string_view key, Language language);

// What a report's classifier predicts: the intent classifier's intents, or
// another classifier's labels (its page says "labels", "By label").
enum class Wording { Intents, Labels };

// text(key) in a report about `wording`: the key's ".labels" form when it
// has one and the classifier predicts labels.
const char *text_for(std::string_view key, Language language, Wording wording);

// `pattern` with {0}..{9} replaced by the arguments (a placeholder without
// an argument is left as it is).
std::string subst(std::string_view pattern, std::initializer_list<std::string_view> args);

// The most characters of one text a page writes. A run's longest text, its
// error, is cut at 2,000 already and a label has at most 256 bytes; the
// document is the caller's, and a 100,000-character label written into
// each cell title of the confusion matrix made a 1 MB document a 228 MB
// page (an audit).
constexpr size_t kMaxTextChars = 2000;

// Text made safe for HTML and SVG, in element content and in quoted
// attributes: & < > " ' become entities. Text longer than max_chars
// characters (code points; 0 or more than kMaxTextChars: kMaxTextChars) is
// cut and ends with an ellipsis. Invalid UTF-8 is replaced by U+FFFD.
std::string html_escape(std::string_view value, size_t max_chars = kMaxTextChars);

// A JSON number (or a string holding one) rounded half away from zero to
// `digits` decimals and written with exactly that many ("0.800", "12");
// null, a missing or non-numeric value gives nullopt. The rounding is done
// on the number's shortest decimal form, as PostgreSQL's round(numeric)
// does on the stored value.
std::optional<std::string> format_decimal(const Json &value, int digits);
// The same for a plain double.
std::optional<std::string> format_decimal(double value, int digits);

// Every character outside ASCII as an HTML numeric character reference
// (&#8211;), for a database whose encoding may not hold it: the page then
// reads the same in a browser.
std::string ascii_html(std::string_view utf8);

struct HtmlOptions {
    Language language = Language::English;
    bool ascii_only = false; // the output is ascii_html() of the page
    // The page's bound in bytes (before ascii_html()). A run's page is well
    // under a megabyte; a hand-made document whose arrays hold millions of
    // small elements, each drawn with its markup, is stopped here with
    // Error(ResourceLimit) instead of costing the backend gigabytes.
    size_t max_bytes = size_t{32} << 20;
    // Polled as the page grows: true stops the render with Error(Cancelled).
    std::function<bool()> interrupted;
};

// The page. `input` is the document _pg_intent_report_html() builds:
//   run            the ai_training_runs row (without metrics), with
//                  model_version and started (the start time as text)
//   report         the run's stored report (metrics), its misclassified
//                  list left out
//   rows           {readable, count, bins: [{b, n, conf, acc}], curve:
//                  [[accepted, right], ...], threshold_n, threshold_coverage,
//                  threshold_accuracy}: the run's out-of-fold predictions,
//                  aggregated (at most 10 bins and about 200 curve points)
//   misclassified  {total, shown: [{message | hidden, expected, predicted,
//                  confidence}]} (at most 50 shown, messages read with the
//                  caller's rights)
//   trend          [{id, run_name, started, accuracy, coverage, f1,
//                  deployed, current}] the completed runs up to this one,
//                  oldest first (at most 20)
// Throws Error(InvalidArgument) when `input` is not an object with a run,
// Error(ResourceLimit) past options.max_bytes and Error(Cancelled) when
// options.interrupted says so.
std::string render_report_html(const Json &input, const HtmlOptions &options);

} // namespace intent::report
