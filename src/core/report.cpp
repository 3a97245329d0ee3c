// The training report as JSON (the SQL layer stores it as jsonb).
#include "training.h"

#include "evaluation.h"
#include "json.h"

namespace intent {

std::string TrainReport::to_json(const IntentModel &model) const {
    const auto &labels = model.labels();
    JsonWriter w;
    w.begin_object();
    w.key("input_rows").value(data.input_rows);
    w.key("training_samples").value(data.train.size());
    w.key("validation_samples").value(data.val.size());
    w.key("test_samples").value(data.test.size());
    w.key("total_intents").value(labels.size());
    w.key("intents").begin_array();
    for (const auto &l : labels)
        w.value(l);
    w.end_array();
    w.key("small_classes").begin_array();
    for (const auto &l : data.small_classes)
        w.value(l);
    w.end_array();
    w.key("duplicates_removed").value(data.duplicates_removed);
    w.key("conflicts_resolved").value(data.conflicts_resolved);
    w.key("empty_removed").value(data.empty_removed);
    w.key("algorithm").value(algorithm_name(model.algorithm()));
    w.key("features").value(model.num_features());

    w.key("threshold").begin_object();
    w.key("value").value(static_cast<double>(threshold.threshold));
    w.key("precision").value(threshold.precision);
    w.key("coverage").value(threshold.coverage);
    w.key("target_precision").value(model.options().target_precision);
    w.key("target_reached").value(threshold.target_reached);
    w.end_object();

    std::vector<std::string> val_texts, test_texts;
    val_texts.reserve(data.val.size());
    for (size_t i : data.val)
        val_texts.push_back(data.texts[i]);
    test_texts.reserve(data.test.size());
    for (size_t i : data.test)
        test_texts.push_back(data.texts[i]);

    w.key("validation").begin_object();
    write_metrics_fields(w, validation, labels, val_texts, nullptr);
    w.end_object();

    w.key("metrics").begin_object();
    write_metrics_fields(w, test, labels, test_texts, &test_calibration);
    w.key("coverage").value(test_coverage);
    w.key("accepted_accuracy").value(test_accepted_accuracy);
    w.end_object();

    w.key("timings").begin_object();
    w.key("features").value(seconds_features);
    w.key("train").value(seconds_train);
    w.key("calibrate").value(seconds_calibrate);
    w.key("evaluate").value(seconds_evaluate);
    w.end_object();

    w.key("options").raw(model.options().to_json());
    w.end_object();
    return w.take();
}

} // namespace intent
