// The HTML report's renderer: escaping, number formatting, the language of
// the page and the cards the reader relies on (no 0.000 without fresh rows,
// the decision in plain words, the trend).
#include "errors.h"
#include "json.h"
#include "report_html.h"

#include <gtest/gtest.h>
#include <string>

using intent::Json;
using intent::parse_json;
using namespace intent::report;

namespace {

size_t count(const std::string &haystack, const std::string &needle) {
    size_t n = 0;
    for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
        ++n;
    return n;
}

// A completed run that was compared with the active model on 40 fresh rows
// and deployed: 12 more right (30 against 18).
Json deployed_run() {
    return parse_json(R"({
      "run": {"id": "00000000-0000-0000-0000-000000000001", "run_name": "nightly </script><script>alert(1)</script>",
              "run_type": "full", "status": "completed", "started": "2026-11-23 10:00:00 UTC", "duration_seconds": 2.25,
              "model_id": 7, "model_version": "v1", "deployed": true, "deploy_reason": "improved",
              "deploy_evidence": "fresh_rows", "intent_accuracy": 0.8125, "intent_f1_score": 0.8, "total_intents": 2,
              "training_samples": 100, "validation_samples": 100, "baseline_intent_accuracy": 0.45,
              "baseline_f1_score": 0.5},
      "report": {"evaluation": {"method": "cross_validation", "folds": 5, "rows": 100},
                 "metrics": {"accuracy": 0.8125, "f1": 0.8,
                             "per_intent": {"a<b": {"f1": 0.9, "precision": 0.9, "recall": 0.9, "support": 50},
                                            "c": {"f1": 0.7, "precision": 0.7, "recall": 0.7, "support": 50}},
                             "confusion": {"labels": ["a<b", "c"], "matrix": [[45, 5], [10, 40]]}},
                 "threshold": {"value": 0.5},
                 "gate": {"rows": 40, "active": {"accuracy": 0.45, "macro_f1": 0.5},
                          "candidate": {"accuracy": 0.75, "macro_f1": 0.8},
                          "candidate_only_correct": 14, "active_only_correct": 2},
                 "deploy": {"evidence": "fresh_rows", "reason": "improved", "candidate_f1": 0.8, "baseline_f1": 0.5,
                            "max_f1_regression": 0.02}},
      "rows": {"readable": true, "count": 100, "bins": [{"b": 9, "n": 100, "conf": 0.95, "acc": 0.8}],
               "curve": [[50, 48], [100, 80]], "threshold_n": 100, "threshold_coverage": 1, "threshold_accuracy": 0.8},
      "misclassified": {"total": 1, "shown": [{"message": "hola </script><img src=x onerror=alert(2)>",
                                               "expected": "a<b", "predicted": "c", "confidence": 0.9}]},
      "trend": [{"id": "x1", "run_name": "first", "started": "2026-11-01 10:00", "accuracy": 0.7, "coverage": 0.9,
                 "f1": 0.6, "deployed": true, "current": false},
                {"id": "x2", "run_name": "nightly", "started": "2026-11-23 10:00", "accuracy": 0.8125,
                 "coverage": null, "f1": 0.8, "deployed": true, "current": true}]
    })",
                      "test");
}

} // namespace

TEST(ReportHtml, EscapesEveryMarkupCharacter) {
    EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(html_escape(""), "");
    // cut by characters, not bytes, with an ellipsis
    EXPECT_EQ(html_escape("\xC3\xA1\xC3\xA9\xC3\xAD\xC3\xB3\xC3\xBA", 3), "\xC3\xA1\xC3\xA9\xE2\x80\xA6");
    EXPECT_EQ(html_escape("abc", 3), "abc");
    // invalid UTF-8 becomes U+FFFD, never a raw byte
    EXPECT_EQ(html_escape("a\xFF<"), "a\xEF\xBF\xBD&lt;");
}

TEST(ReportHtml, RoundsLikeNumeric) {
    EXPECT_EQ(*format_decimal(0.8125, 3), "0.813"); // half away from zero, on the decimal form
    EXPECT_EQ(*format_decimal(0.8, 3), "0.800");
    EXPECT_EQ(*format_decimal(-0.0125, 3), "-0.013");
    EXPECT_EQ(*format_decimal(40.0, 0), "40");
    EXPECT_EQ(*format_decimal(2.25, 1), "2.3");
    EXPECT_EQ(*format_decimal(-0.0001, 3), "0.000");
    EXPECT_EQ(*format_decimal(1e-5, 4), "0.0000");
    EXPECT_EQ(*format_decimal(Json("0.5"), 2), "0.50");
    EXPECT_FALSE(format_decimal(Json(nullptr), 3).has_value());
    EXPECT_FALSE(format_decimal(Json("x"), 3).has_value());
}

TEST(ReportHtml, AsciiOutputUsesCharacterReferences) {
    EXPECT_EQ(ascii_html("a\xE2\x80\x93"
                         "b\xC3\xB1"),
              "a&#8211;b&#241;");
}

TEST(ReportHtml, SubstitutesPlaceholdersInAnyOrder) {
    EXPECT_EQ(subst("{1} then {0}, {2}", {"a", "b"}), "b then a, {2}");
}

TEST(ReportHtml, EveryKeyHasBothLanguages) {
    for (const char *key :
         {"title", "dec_improved_fresh", "no_fresh_rows_sentence", "trend_title", "footer"}) {
        EXPECT_STRNE(text(key, Language::English), text(key, Language::Spanish)) << key;
    }
    EXPECT_THROW(text("no such key", Language::English), intent::Error);
}

TEST(ReportHtml, EnglishPage) {
    std::string page = render_report_html(deployed_run(), {Language::English, false});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_EQ(count(page, "<script"), 0u);
    EXPECT_NE(page.find("nightly &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(page.find("hola &lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
    EXPECT_EQ(page.find("<img"), std::string::npos);
    EXPECT_NE(
        page.find("it got 12 more of the 40 newest reviewed messages right than the model in service (30 "
                  "against 18)"),
        std::string::npos);
    // the accuracy card compares both models on the decision's 40 fresh
    // rows (0.75 against 0.45), not this run's all-row figure with them
    EXPECT_NE(page.find("on the 40 fresh rows: 0.750 against 0.450 for the active model<span class=\"delta "
                        "better\">+0.300</span>"),
              std::string::npos);
    EXPECT_EQ(count(page, "<tr class=\"trend-run"), 2u);
    EXPECT_EQ(count(page, "<tr class=\"trend-run current\">"), 1u);
    EXPECT_EQ(count(page, "<polyline class=\"trend-line\""), 3u);
    EXPECT_EQ(count(page, "<rect class=\"cell "), 4u);
    EXPECT_EQ(count(page, "<rect class=\"bar\""), 2u);
    EXPECT_NE(page.find("no data"), std::string::npos) << "a run without a coverage says so";
}

TEST(ReportHtml, SpanishPage) {
    std::string page = render_report_html(deployed_run(), {Language::Spanish, false});
    EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"es\">", 0), 0u);
    EXPECT_NE(page.find("Informe de entrenamiento"), std::string::npos);
    EXPECT_NE(page.find("acert\xC3\xB3 12 mensajes m\xC3\xA1s que el modelo activo de los 40"),
              std::string::npos);
    EXPECT_NE(page.find("Evoluci\xC3\xB3n entre ejecuciones"), std::string::npos);
    EXPECT_EQ(page.find("Training report"), std::string::npos);
    // intent labels stay as they are (escaped)
    EXPECT_NE(page.find("a&lt;b"), std::string::npos);
}

TEST(ReportHtml, NoFreshRowsIsSaidNotShownAsZero) {
    Json run = deployed_run();
    run["report"]["gate"] = parse_json(R"({"rows": 0, "active": {"accuracy": 0, "macro_f1": 0},
        "candidate": {"accuracy": 0, "macro_f1": 0}, "candidate_only_correct": 0, "active_only_correct": 0})",
                                       "t");
    run["run"]["deploy_evidence"] = "estimates";
    run["report"]["deploy"]["evidence"] = "estimates";
    for (Language lang : {Language::English, Language::Spanish}) {
        std::string page = render_report_html(run, {lang, false});
        EXPECT_EQ(page.find("accuracy 0.000"), std::string::npos);
        EXPECT_EQ(page.find("exactitud 0.000"), std::string::npos);
        EXPECT_NE(page.find(lang == Language::English
                                ? "<dt>Fresh rows</dt><dd>none: the active model had trained on every "
                                  "reviewed message.</dd>"
                                : "<dt>Mensajes nuevos</dt><dd>ninguno: el modelo activo se hab\xC3\xAD"
                                  "a entrenado con todos los mensajes revisados.</dd>"),
                  std::string::npos);
    }
}

// Issue 36: the cards of a model deployed as improved on 92 fresh rows set
// its out-of-fold figures on all 420 rows (0.812, F1 0.815) against the
// active model's on the 92 (0.826, 0.843), in red. They compare what the
// decision compared, and say on which rows.
TEST(ReportHtml, CardsCompareBothModelsOnTheDecisionsRows) {
    Json run = deployed_run();
    run["run"]["intent_accuracy"] = 0.812;
    run["run"]["intent_f1_score"] = 0.815;
    run["run"]["baseline_intent_accuracy"] = 0.826;
    run["run"]["baseline_f1_score"] = 0.843;
    run["report"]["gate"] = parse_json(R"({"rows": 92, "active": {"accuracy": 0.826, "macro_f1": 0.843},
        "candidate": {"accuracy": 0.870, "macro_f1": 0.863}, "candidate_only_correct": 7, "active_only_correct": 3})",
                                       "t");
    run["report"]["deploy"]["candidate_f1"] = 0.863;
    run["report"]["deploy"]["baseline_f1"] = 0.843;
    std::string en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("<div class=\"card\" data-metric=\"accuracy\" data-compared-rows=\"92\">"),
              std::string::npos);
    EXPECT_NE(en.find("on the 92 fresh rows: 0.870 against 0.826 for the active model<span class=\"delta "
                      "better\">+0.044</span>"),
              std::string::npos);
    EXPECT_NE(en.find("on the 92 fresh rows: 0.863 against 0.843 for the active model<span class=\"delta "
                      "better\">+0.020</span>"),
              std::string::npos);
    EXPECT_EQ(en.find("delta worse"), std::string::npos) << "an improved model is not shown in red";
    std::string es = render_report_html(run, {Language::Spanish, false});
    EXPECT_NE(es.find("con los 92 mensajes nuevos: 0,863 frente a 0,843 del modelo activo<span class=\"delta "
                      "better\">+0,020</span>"),
              std::string::npos);
}

// The reasons of the gate, the threshold and the fold count are recorded
// as codes by the core and worded by the page in its language; 0.3.1 put
// the core's English sentences in the Spanish page, and said "no fresh
// rows" twice in the English one.
TEST(ReportHtml, ReasonCodesAreWordedInTheReadersLanguage) {
    Json run = deployed_run();
    run["report"]["gate"]["reason"] = "enough fresh rows to compare the candidate with the active model";
    run["report"]["gate"]["reason_code"] = "enough_fresh_rows";
    run["report"]["gate"]["min_rows"] = 30;
    run["report"]["threshold"] = parse_json(R"({"value": 0.5, "reason_code": "target_precision",
        "reason": "lowest confidence whose accepted out-of-fold predictions reach precision 0.900",
        "target_precision": 0.9, "precision": 0.93, "coverage": 0.8})",
                                            "t");
    run["report"]["evaluation"]["reason_code"] = "size_rule";
    run["report"]["evaluation"]["reason"] =
        "size rule: work 0.01M (rows x class blocks x 16) <= 0.25M: 5 folds";
    run["report"]["usable_rows"] = 100;
    std::string es = render_report_html(run, {Language::Spanish, false});
    for (const char *english :
         {"enough fresh rows", "lowest confidence", "size rule", "class blocks", "folds"})
        EXPECT_EQ(es.find(english), std::string::npos) << english;
    EXPECT_NE(es.find("Suficientes para decidir (hacen falta al menos 30)."), std::string::npos);
    EXPECT_NE(es.find("alcanzan la precisi\xC3\xB3n objetivo de 0,900; aceptadas: precisi\xC3\xB3n 0,930, "
                      "cobertura 0,800."),
              std::string::npos);
    EXPECT_NE(es.find("5 particiones, seg\xC3\xBAn el tama\xC3\xB1o del entrenamiento (100 filas, 2 "
                      "intenciones)"),
              std::string::npos);
    std::string en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("5 folds, chosen by the size of the training (100 rows, 2 intents)"),
              std::string::npos);
    EXPECT_EQ(en.find("class blocks"), std::string::npos) << "the size rule in words, not its formula";

    run["report"]["gate"] = parse_json(R"({"rows": 0, "reason_code": "no_fresh_rows",
        "reason": "no fresh rows: every row was in the active model's training set",
        "active": {"accuracy": 0, "macro_f1": 0}, "candidate": {"accuracy": 0, "macro_f1": 0}})",
                                       "t");
    run["run"]["deploy_evidence"] = "none";
    en = render_report_html(run, {Language::English, false});
    EXPECT_EQ(count(en, "fresh rows") + count(en, "Fresh rows"), 1u)
        << "said once, in the Fresh rows heading";
}

// Numbers for people: 0,812 in Spanish, 0.812 in English.
TEST(ReportHtml, SpanishNumbersUseADecimalComma) {
    std::string es = render_report_html(deployed_run(), {Language::Spanish, false});
    EXPECT_NE(es.find("<div class=\"v\">0,813</div>"), std::string::npos);
    EXPECT_NE(es.find("dur\xC3\xB3 2,3 s"), std::string::npos);
    EXPECT_EQ(es.find("<div class=\"v\">0.813</div>"), std::string::npos);
    std::string en = render_report_html(deployed_run(), {Language::English, false});
    EXPECT_NE(en.find("<div class=\"v\">0.813</div>"), std::string::npos);
}

// The cells' tooltips are for people: a decimal comma in Spanish, as
// every other number (0.3.2 before this change wrote 90.0 there).
TEST(ReportHtml, SpanishCellTitlesUseADecimalComma) {
    std::string es = render_report_html(deployed_run(), {Language::Spanish, false});
    EXPECT_NE(es.find(": 45 (90,0 % de a&lt;b)</title>"), std::string::npos);
    EXPECT_EQ(es.find("90.0 % de"), std::string::npos);
    std::string en = render_report_html(deployed_run(), {Language::English, false});
    EXPECT_NE(en.find(": 45 (90.0% of a&lt;b)</title>"), std::string::npos);
}

// The renderer is callable with any document (the report set may call it),
// so every value is escaped, the numbers the database types as integers too.
TEST(ReportHtml, EveryValueIsEscapedEvenWhereTheDatabaseSendsNumbers) {
    Json run = deployed_run();
    run["run"]["model_id"] = "<svg onload=alert(3)>";
    run["run"]["total_intents"] = "<img src=x onerror=alert(4)>";
    for (Language lang : {Language::English, Language::Spanish}) {
        std::string page = render_report_html(run, {lang, false});
        EXPECT_EQ(page.find("<svg onload"), std::string::npos);
        EXPECT_EQ(page.find("<img src=x onerror=alert(4)"), std::string::npos);
        EXPECT_NE(page.find("&lt;svg onload=alert(3)&gt;"), std::string::npos);
        EXPECT_NE(page.find("&lt;img src=x onerror=alert(4)&gt;"), std::string::npos);
    }
}

// A label classifier (escalated true/false) speaks of labels; the intent
// classifier keeps its intents.
TEST(ReportHtml, LabelClassifierSaysLabels) {
    Json run = deployed_run();
    run["run"]["classifier"] = "escalation";
    std::string es = render_report_html(run, {Language::Spanish, false});
    EXPECT_NE(es.find("<dt>Etiquetas</dt>"), std::string::npos);
    EXPECT_NE(es.find("F1 por etiqueta"), std::string::npos);
    EXPECT_EQ(es.find("ntenci"), std::string::npos);
    std::string en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("<dt>Labels</dt>"), std::string::npos);
    EXPECT_NE(en.find("F1 per label"), std::string::npos);
    run["run"]["classifier"] = "intent";
    es = render_report_html(run, {Language::Spanish, false});
    EXPECT_NE(es.find("<dt>Intenciones</dt>"), std::string::npos);
    EXPECT_NE(es.find("F1 por intenci\xC3\xB3n"), std::string::npos);
}

TEST(ReportHtml, AsciiOnlyPageHasNoByteAbove127) {
    std::string page = render_report_html(deployed_run(), {Language::Spanish, true});
    for (unsigned char c : page)
        ASSERT_LT(c, 0x80);
    EXPECT_NE(page.find("Evoluci&#243;n"), std::string::npos);
}

TEST(ReportHtml, RefusesADocumentWithoutRun) {
    EXPECT_THROW(render_report_html(parse_json("[]", "t"), {}), intent::Error);
    EXPECT_THROW(render_report_html(parse_json("{}", "t"), {}), intent::Error);
}

// The document is the caller's (any role granted the report set may pass
// one), so what it makes the page cost is bounded: an audit's twelve
// 100,000-character labels, each written into every cell title of the
// confusion matrix, made a 1 MB document a 228 MB page.
TEST(ReportHtml, EveryTextIsCutAtItsBound) {
    EXPECT_EQ(html_escape(std::string(kMaxTextChars, 'a')), std::string(kMaxTextChars, 'a'));
    const std::string cut = html_escape(std::string(kMaxTextChars + 1, 'a'), 0);
    EXPECT_EQ(cut, std::string(kMaxTextChars - 1, 'a') + "\xE2\x80\xA6");
    EXPECT_EQ(html_escape(std::string(100000, '&'), 5000).size(), (kMaxTextChars - 1) * 5 + 3);

    Json run = deployed_run();
    Json labels = Json::array();
    Json matrix = Json::array();
    for (int i = 0; i < 12; ++i) {
        labels.push_back(std::string(100000, '&') + std::to_string(i));
        matrix.push_back(Json::array());
        for (int j = 0; j < 12; ++j)
            matrix.back().push_back(1);
    }
    run["report"]["metrics"]["confusion"] = {{"labels", labels}, {"matrix", matrix}};
    run["run"]["run_name"] = std::string(1000000, '<');
    const std::string page = render_report_html(run, {});
    // 144 cell titles and 24 axis titles, three or one label each, at most
    // 2,000 characters of five bytes: under 5 MB (228 MB before)
    EXPECT_LT(page.size(), size_t{5} << 20);
    EXPECT_EQ(page.find(std::string(kMaxTextChars * 5, '&')), std::string::npos);
}

// A document of millions of small elements, each drawn with its markup,
// stops at the page's bound; a cancel stops the render.
TEST(ReportHtml, ThePageIsBoundedAndCancellable) {
    Json run = deployed_run();
    Json bins = Json::array();
    for (int i = 0; i < 200000; ++i)
        bins.push_back({{"b", 1}, {"n", 1}, {"conf", 0.5}, {"acc", 0.5}});
    run["rows"]["bins"] = bins;
    HtmlOptions options;
    try {
        render_report_html(run, options);
        FAIL() << "rendered a page past the bound";
    } catch (const intent::Error &e) {
        EXPECT_EQ(e.kind(), intent::ErrorKind::ResourceLimit);
    }
    // within a larger bound it renders
    options.max_bytes = size_t{1} << 30;
    EXPECT_GT(render_report_html(run, options).size(), options.max_bytes / 1024);

    // a coverage curve's point sets the y axis's range: a share, whatever
    // the document says (-150,000 right of 1 accepted drew a 240 MB axis)
    Json curve = deployed_run();
    curve["rows"]["curve"] = Json::array({Json::array({1, -150000}), Json::array({2, 1e300})});
    EXPECT_LT(render_report_html(curve, {}).size(), size_t{1} << 20);

    int polls = 0;
    options.interrupted = [&] { return ++polls > 3; };
    try {
        render_report_html(run, options);
        FAIL() << "a cancel did not stop the render";
    } catch (const intent::Error &e) {
        EXPECT_EQ(e.kind(), intent::ErrorKind::Cancelled);
    }
}

// A run of thousands of intents draws the 300 worst bars and says so.
TEST(ReportHtml, F1BarsDrawTheWorstThreeHundred) {
    Json run = deployed_run();
    Json per = Json::object();
    for (int i = 0; i < 400; ++i)
        per["i" + std::to_string(1000 + i)] = {
            {"f1", i / 400.0}, {"precision", 1}, {"recall", 1}, {"support", 1}};
    run["report"]["metrics"]["per_intent"] = per;
    const std::string page = render_report_html(run, {});
    EXPECT_EQ(count(page, "class=\"bar\""), 300u);
    EXPECT_NE(page.find("the 300 worst of 400, worst first"), std::string::npos);
    EXPECT_NE(page.find(">i1000<"), std::string::npos); // the worst is drawn
    EXPECT_EQ(page.find(">i1399<"), std::string::npos); // the best is not
    const std::string es = render_report_html(run, {Language::Spanish, false});
    EXPECT_NE(es.find("las 300 peores de 400"), std::string::npos);
}

// The document is the caller's (any role granted the report set passes
// one): a baseline no metric has (1e308, NaN written as a string) shows no
// change on its card. The card dereferenced the empty result of formatting
// the difference, and the backend died with "free(): invalid pointer".
TEST(ReportHtml, BaselineNoMetricHasShowsNoChange) {
    for (const char *baseline : {"1e308", "-1e308", "nan", "inf"}) {
        Json run = deployed_run();
        run["run"]["deploy_evidence"] = "estimates";
        run["run"]["baseline_f1_score"] = baseline;
        for (Language lang : {Language::English, Language::Spanish}) {
            const std::string page = render_report_html(run, {lang, false});
            const size_t card = page.find("data-metric=\"f1\"");
            ASSERT_NE(card, std::string::npos) << baseline;
            const std::string f1_card = page.substr(card, page.find("data-metric=", card + 1) - card);
            EXPECT_EQ(f1_card.find("class=\"delta"), std::string::npos) << baseline << ": " << f1_card;
            EXPECT_NE(page.find("</html>"), std::string::npos) << baseline;
        }
    }
}

// The subword_vectors option's weight is shown where the figures are
// explained: the weight, the candidates' out-of-fold accuracy when it was
// chosen, "left out" for 0; nothing when the run had the option off.
TEST(ReportHtml, SubwordWeightIsShownWithItsChoice) {
    Json run = deployed_run();
    std::string off = render_report_html(run, {Language::English, false});
    EXPECT_EQ(off.find("Subword vectors"), std::string::npos) << "the option was off";

    run["report"]["subword_weight"] = parse_json(R"j({"value": 0.5, "selected": true, "grid": [0, 0.5, 1, 2],
        "accuracy": [0.81, 0.8375, 0.83, 0.8], "seconds": 1.5,
        "reason": "out-of-fold accuracy over the grid (0 leaves the vectors out)"
})j",
                                                 "t");
    std::string en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("<dt>Subword vectors</dt><dd>weight <b>0.50</b>, chosen by out-of-fold accuracy among "
                      "0.00 (0.810), 0.50 (0.838), 1.00 (0.830), 2.00 (0.800): out-of-fold accuracy"),
              std::string::npos)
        << en;
    std::string es = render_report_html(run, {Language::Spanish, false});
    EXPECT_NE(
        es.find(
            "<dt>Vectores de subpalabras</dt><dd>peso <b>0,50</b>, elegido por la exactitud en "
            "validaci\xC3\xB3n cruzada entre 0,00 (0,810), 0,50 (0,838), 1,00 (0,830), 2,00 (0,800)</dd>"),
        std::string::npos)
        << "the English reason is not shown on the Spanish page";

    run["report"]["subword_weight"]["value"] = 0;
    run["report"]["subword_weight"]["selected"] = false;
    run["report"]["subword_weight"]["reason"] =
        "no subword vectors in a vocabulary shared by several partitions";
    en = render_report_html(run, {Language::English, false});
    EXPECT_NE(
        en.find("<b>left out</b> (weight 0): the model is the one trained without the option: no subword "
                "vectors in a vocabulary shared"),
        std::string::npos);
    EXPECT_EQ(en.find("as given in the options"), std::string::npos);

    run["report"]["subword_weight"]["value"] = 2;
    run["report"]["subword_weight"]["reason"] = "given";
    en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("weight <b>2.00</b>, as given in the options: given"), std::string::npos);
    run["report"]["subword_weight"]["reason"] = "x <script>";
    en = render_report_html(run, {Language::English, false});
    EXPECT_NE(en.find("x &lt;script&gt;"), std::string::npos);
}
