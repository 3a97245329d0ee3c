// Scoring a model on labelled texts, and the JSON of an evaluation.
#include "evaluation.h"

#include "errors.h"
#include "json.h"
#include "scoring.h"

#include <unordered_map>

namespace intent {

void write_metrics_fields(JsonWriter &w, const EvalReport &r, const std::vector<std::string> &labels,
                          const std::vector<std::string> &texts, const CalibrationReport *calibration) {
    auto label_name = [&](int i) -> const std::string * {
        return (i >= 0 && static_cast<size_t>(i) < labels.size()) ? &labels[static_cast<size_t>(i)] : nullptr;
    };
    w.key("rows").value(r.rows);
    w.key("accuracy").value(r.accuracy);
    w.key("precision").value(r.macro_precision);
    w.key("recall").value(r.macro_recall);
    w.key("f1").value(r.macro_f1);
    w.key("macro_precision").value(r.macro_precision);
    w.key("macro_recall").value(r.macro_recall);
    w.key("macro_f1").value(r.macro_f1);
    w.key("per_intent").begin_object();
    for (size_t c = 0; c < r.per_class.size() && c < labels.size(); ++c) {
        const auto &m = r.per_class[c];
        w.key(labels[c]).begin_object();
        w.key("precision").value(m.precision);
        w.key("recall").value(m.recall);
        w.key("f1").value(m.f1);
        w.key("support").value(m.support);
        w.end_object();
    }
    w.end_object();
    w.key("confusion").begin_object();
    w.key("labels").begin_array();
    for (const auto &l : labels)
        w.value(l);
    w.end_array();
    w.key("matrix").begin_array();
    for (const auto &row : r.confusion) {
        w.begin_array();
        for (size_t v : row)
            w.value(v);
        w.end_array();
    }
    w.end_array();
    w.end_object();
    w.key("misclassified").begin_array();
    for (const auto &m : r.misclassified) {
        w.begin_object();
        w.key("text");
        if (m.row < texts.size())
            w.value(texts[m.row]);
        else
            w.null();
        w.key("expected");
        if (const std::string *s = label_name(m.truth))
            w.value(*s);
        else
            w.null();
        w.key("predicted");
        if (const std::string *s = label_name(m.predicted))
            w.value(*s);
        else
            w.null();
        w.key("confidence").value(static_cast<double>(m.confidence));
        w.end_object();
    }
    w.end_array();
    w.key("unknown_truth").value(r.unknown_truth);
    if (calibration) {
        w.key("calibration").begin_object();
        w.key("ece").value(calibration->ece);
        w.key("brier").value(calibration->brier);
        w.end_object();
    }
}

std::string eval_report_json(const EvalReport &report, const std::vector<std::string> &labels,
                             const std::vector<std::string> &texts, const CalibrationReport *calibration) {
    JsonWriter w;
    w.begin_object();
    write_metrics_fields(w, report, labels, texts, calibration);
    w.end_object();
    return w.take();
}

EvalReport evaluate_model(const IntentModel &model, const std::vector<std::string> &texts,
                          const std::vector<std::string> &truth, CalibrationReport *calibration) {
    if (texts.size() != truth.size())
        throw Error(ErrorKind::InvalidArgument, "texts and labels differ in length",
                    "Every evaluated text needs exactly one expected label.");
    const auto &labels = model.labels();
    const size_t k = labels.size();
    std::unordered_map<std::string, int> index;
    for (size_t c = 0; c < k; ++c)
        index.emplace(labels[c], static_cast<int>(c));
    std::vector<int> y(texts.size()), pred(texts.size());
    std::vector<float> conf(texts.size());
    std::vector<float> all_probs;
    if (calibration) all_probs.reserve(texts.size() * k);
    PredictScratch scratch;
    for (size_t i = 0; i < texts.size(); ++i) {
        auto it = index.find(truth[i]);
        y[i] = it == index.end() ? -1 : it->second;
        model.probabilities(texts[i], scratch);
        size_t best = argmax(scratch.probs.data(), k);
        pred[i] = static_cast<int>(best);
        conf[i] = scratch.probs[best];
        if (calibration) all_probs.insert(all_probs.end(), scratch.probs.begin(), scratch.probs.begin() + k);
    }
    EvalReport r = evaluate(y, pred, conf, k);
    if (r.misclassified.size() > model.options().max_misclassified)
        r.misclassified.resize(model.options().max_misclassified);
    if (calibration) *calibration = calibration_report(all_probs, k, y);
    return r;
}

} // namespace intent
