// The HTML report's inline SVG charts: the trend over runs, the confusion
// heatmap, per-intent F1 bars, the reliability diagram and the
// coverage-accuracy curve.
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
        add(svg, "<text class=\"small\" x=\"" + fx(x_of(i)) + "\" y=\"" + itos(top + height + 14) +
                     "\" text-anchor=\"middle\">" + itos(static_cast<long long>(i + 1)) + "</text>");
    svg += "\n";
    int legend_x = left;
    for (const Series &s : series) {
        std::string points, dots;
        for (size_t i = 0; i < n; ++i) {
            auto v = num(at(t[i], s.key));
            if (!v) continue;
            std::string x = fx(x_of(i)), y = fx(y_of(*v));
            add(points, (points.empty() ? "" : " ") + x + "," + y);
            add(dots, "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"3.5\" fill=\"" + s.colour +
                          "\"><title>" +
                          html_escape(opt_str(at(t[i], "run_name")).value_or(str(at(t[i], "started")))) +
                          ": " + T(s.label) + " " + md(v) + "</title></circle>");
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
        add(rows, std::string("<tr class=\"trend-run") + (current ? " current" : "") +
                      "\"><td class=\"num\">" + itos(static_cast<long long>(i + 1)) +
                      "</td><td class=\"msg\">" +
                      html_escape(opt_str(at(x, "run_name")).value_or(str(at(x, "id"))), 80) + "</td><td>" +
                      html_escape(str(at(x, "started"))) + "</td><td class=\"num\">" + cell("accuracy") +
                      "</td><td class=\"num\">" + cell("coverage") + "</td><td class=\"num\">" + cell("f1") +
                      "</td><td>" + T(deployed ? "yes" : "no") + "</td></tr>\n");
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

// The sentence over the heatmap: all the intents are shown, or which were
// kept (`order`, sorted) and which were left out.
std::string Page::confusion_note(const std::vector<std::string> &labels, const std::vector<size_t> &order,
                                 long long confused) const {
    const size_t nl = labels.size();
    const int k = static_cast<int>(order.size());
    std::string note;
    if (nl <= 12) {
        note = F("all_intents", {itos(static_cast<long long>(nl))});
    } else {
        std::string kept, left_out;
        for (size_t i : order)
            add(kept, (kept.empty() ? "" : ", ") + html_escape(labels[i]));
        for (size_t i = 0; i < nl; ++i)
            if (!std::binary_search(order.begin(), order.end(), i))
                add(left_out, (left_out.empty() ? "" : ", ") + html_escape(labels[i]));
        note = F("some_intents", {itos(static_cast<long long>(nl)), itos(confused), itos(k), kept, left_out});
    }
    return note;
}

void Page::confusion() {
    const Json &labels_j = at(m_, {"confusion", "labels"});
    const Json &matrix = at(m_, {"confusion", "matrix"});
    // The core writes the matrix out in full for at most 300 intents
    // (src/core/evaluation.cpp); a larger one is no run's report and is not
    // drawn: the document is the caller's, and a hand-made 4000 x 4000
    // matrix cost the backend 1.4 GB and 10 s here.
    constexpr size_t kMaxMatrixLabels = 300;
    if (!labels_j.is_array() || !matrix.is_array() || labels_j.size() > kMaxMatrixLabels) return;
    std::vector<std::string> labels;
    for (const Json &l : labels_j)
        labels.push_back(l.is_string() ? l.get<std::string>() : l.dump());
    const size_t nl = labels.size();
    // cells (row i, column j, 0-based) of the matrix, within the labels
    std::vector<long long> cell(nl * nl, 0), row_total(nl, 0);
    for (size_t i = 0; i < matrix.size() && i < nl; ++i) {
        if (!matrix[i].is_array()) continue;
        for (size_t j = 0; j < matrix[i].size() && j < nl; ++j) {
            auto v = num(matrix[i][j]);
            long long c = v ? std::llround(*v) : 0;
            cell[i * nl + j] = c;
            row_total[i] += c;
        }
    }
    // the intents kept: all of them up to 12, else the 12 involved in the
    // most confusions (as true or as predicted intent)
    std::vector<long long> involved(nl, 0);
    for (size_t i = 0; i < nl; ++i)
        for (size_t j = 0; j < nl; ++j)
            if (i != j) {
                involved[i] += cell[i * nl + j];
                involved[j] += cell[i * nl + j];
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
            long long n = cell[i * nl + j];
            long long total = row_total[i];
            double share = total > 0 ? double(n) / double(total) : 0;
            std::string fill;
            if (n == 0)
                fill = "#f4f6f8";
            else if (i == j)
                fill = "hsl(212,70%," + fx(94 - 56 * share) + "%)";
            else
                fill = "hsl(4,78%," + fx(92 - 47 * std::sqrt(share)) + "%)";
            add(html, std::string("<rect class=\"cell ") +
                          (i == j  ? "diag"
                           : n > 0 ? "err"
                                   : "zero") +
                          "\" x=\"" + itos(left + cp * c) + "\" y=\"" + itos(top + rp * c) + "\" width=\"" +
                          itos(c) + "\" height=\"" + itos(c) + "\" fill=\"" + fill +
                          "\" stroke=\"#fff\" stroke-width=\"1\"><title>" +
                          F("cell_title", {html_escape(labels[i]), html_escape(labels[j]), itos(n),
                                           md(100 * share, 1), html_escape(labels[i])}) +
                          "</title></rect>");
            if (n > 0)
                html += "<text x=\"" + itos(left + cp * c + c / 2) + "\" y=\"" + itos(top + rp * c + c / 2) +
                        "\" text-anchor=\"middle\" dominant-baseline=\"central\" style=\"fill:" +
                        ((i == j && share > 0.55) || (i != j && share > 0.35) ? "#fff" : "#1f2933") +
                        ";font-size:" + (c >= 56 ? "14" : "11") + "px\">" + itos(n) + "</text>";
            html += "\n";
        }
    for (int p = 0; p < k; ++p) {
        const std::string &l = labels[order[p]];
        add(html, "<text x=\"" + itos(left - 8) + "\" y=\"" + itos(top + p * c + c / 2) +
                      "\" text-anchor=\"end\" dominant-baseline=\"central\"><title>" + html_escape(l) +
                      "</title>" + html_escape(l, 24) + "</text>\n<text transform=\"translate(" +
                      itos(left + p * c + c / 2 - 4) + "," + itos(top - 8) +
                      ") rotate(-45)\" text-anchor=\"start\"><title>" + html_escape(l) + "</title>" +
                      html_escape(l, 20) + "</text>\n");
    }
    std::string note = confusion_note(labels, order, confused);
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
    for (auto it = per.begin(); it != per.end(); ++it) {
        if ((bars.size() & 1023) == 1023) poll();
        bars.push_back({it.key(), num(at(*it, "f1")), num(at(*it, "precision")), num(at(*it, "recall")),
                        num(at(*it, "support"))});
    }
    // worst first, intents without an F1 before all; at most the 300 worst
    // (as many as the confusion matrix holds): a run of thousands of
    // intents would otherwise draw a chart of thousands of bars
    constexpr size_t kMaxBars = 300;
    const size_t all = bars.size(), drawn = std::min(all, kMaxBars);
    std::partial_sort(bars.begin(), bars.begin() + static_cast<std::ptrdiff_t>(drawn), bars.end(),
                      [](const Bar &a, const Bar &b) {
                          if (a.f1.has_value() != b.f1.has_value()) return !a.f1.has_value();
                          if (a.f1 && *a.f1 != *b.f1) return *a.f1 < *b.f1;
                          return a.key < b.key;
                      });
    bars.resize(drawn);
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
        add(html, "<text x=\"" + itos(left - 8) + "\" y=\"" + itos(y + 8) +
                      "\" text-anchor=\"end\" dominant-baseline=\"central\"><title>" + html_escape(b.key) +
                      "</title>" + html_escape(b.key, 26) + "</text><rect class=\"bar\" x=\"" + itos(left) +
                      "\" y=\"" + itos(y) + "\" width=\"" + fx(len) + "\" height=\"16\" rx=\"3\" fill=\"" +
                      colour + "\"><title>" +
                      F("bar_title", {html_escape(b.key), md(b.f1), md(b.prec), md(b.rec), support}) +
                      "</title></rect><text x=\"" + fx(left + std::round(len * 10) / 10 + 6) + "\" y=\"" +
                      itos(y + 8) + "\" dominant-baseline=\"central\">" + md(b.f1) +
                      " <tspan class=\"small\">n=" + support + "</tspan></text>");
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
    out_.push_back(
        "<section id=\"f1\"><h2>" + std::string(T("f1_title")) + " <span class=\"sub\">(" +
        (drawn < all
             ? F("worst_first_of", {itos(static_cast<long long>(drawn)), itos(static_cast<long long>(all))})
             : std::string(T("worst_first"))) +
        ")</span></h2><svg id=\"f1-bars\" width=\"" + W + "\" height=\"" + H + "\" viewBox=\"0 0 " + W + " " +
        H + "\" role=\"img\" aria-label=\"" + T("f1_title") + "\">\n" + grid + "\n" + html +
        "\n</svg><p class=\"note\">" + T("f1_note") + "</p></section>");
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
    out_.push_back(reliability_chart(rows, total) + coverage_chart(rows, total));
}

// The reliability diagram of the rows' out-of-fold predictions (opens the
// two-column block the coverage curve closes).
std::string Page::reliability_chart(const Json &rows, double total) const {
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
            add(bins, "<rect class=\"bin\" x=\"" + itos(50 + static_cast<int>(b) * 30 + 1) + "\" y=\"" + y +
                          "\" width=\"28\" height=\"" + fx(acc * 300) +
                          "\" fill=\"#2563eb\" fill-opacity=\"0.75\"><title>" +
                          F("bin_title",
                            {md(std::optional<double>(b / 10), 1), md(std::optional<double>((b + 1) / 10), 1),
                             n, md(std::optional<double>(acc)), md(std::optional<double>(conf))}) +
                          "</title></rect><circle cx=\"" + fx(50 + conf * 300) + "\" cy=\"" + y +
                          "\" r=\"3.5\" fill=\"#1f2933\"/><text class=\"small\" x=\"" +
                          itos(50 + static_cast<int>(b) * 30 + 15) + "\" y=\"" +
                          fx(std::max(20 + std::round((1 - acc) * 3000) / 10 - 5, 13.0)) +
                          "\" text-anchor=\"middle\">" + n + "</text>");
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
    return reliability;
}

// The coverage-accuracy curve of the rows' out-of-fold predictions, with the
// abstain threshold marked.
std::string Page::coverage_chart(const Json &rows, double total) const {
    // coverage-accuracy: accepting every prediction whose confidence is at
    // least t gives coverage(t) and accuracy(t)
    std::vector<std::pair<double, double>> pts; // x, accuracy
    double ymin = 1;
    const Json &curve = at(rows, "curve");
    size_t seen = 0;
    if (curve.is_array())
        for (const Json &p : curve) {
            if ((++seen & 1023) == 0) poll();
            if (!p.is_array() || p.size() < 2) continue;
            double accepted = num(p[0]).value_or(0), right = num(p[1]).value_or(0);
            if (accepted <= 0) continue;
            // a share: a hand-made `right` outside [0, accepted] would set
            // the y axis's length (an audit: -150,000 drew a 240 MB axis)
            double acc = std::clamp(right / accepted, 0.0, 1.0);
            pts.push_back({50 + 300 * accepted / total, acc});
            ymin = std::min(ymin, acc);
        }
    // the y axis spans [ymin, 1] in steps of 0.1
    ymin = std::min(std::floor(ymin * 10) / 10, 0.9);
    auto y_of = [&](double acc) { return 20 + 300 * (1 - (acc - ymin) / (1 - ymin)); };
    std::string points;
    for (auto &[x, acc] : pts)
        add(points, (points.empty() ? "" : " ") + fx(x) + "," + fx(y_of(acc)));
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
    return std::string("\n<section id=\"coverage\"><h2>") + T("coverage_title") + " <span class=\"sub\">(" +
           T("abstain_threshold") +
           ")</span></h2><svg id=\"coverage-curve\" width=\"380\" height=\"370\" viewBox=\"0 0 380 370\" "
           "role=\"img\" aria-label=\"" +
           T("coverage_aria") + "\">\n" + axis +
           "\n<line x1=\"50\" y1=\"320\" x2=\"350\" y2=\"320\" stroke=\"#52606d\"/><line x1=\"50\" y1=\"20\" "
           "x2=\"50\" y2=\"320\" stroke=\"#52606d\"/><polyline class=\"curve\" points=\"" +
           points + "\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>\n" +
           marker + "\n<text class=\"title\" x=\"200\" y=\"356\" text-anchor=\"middle\">" +
           T("coverage_axis") +
           "</text><text class=\"title\" transform=\"translate(14,170) rotate(-90)\" "
           "text-anchor=\"middle\">" +
           T("answered_accuracy_axis") + "</text></svg><p class=\"note\">" + note + "</p></section></div>";
}

} // namespace intent::report::html_detail
