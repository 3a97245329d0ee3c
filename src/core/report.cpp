// The training report as JSON (the SQL layer stores it as jsonb).
#include "training.h"

#include "evaluation.h"
#include "json.h"

namespace intent {

std::string TrainReport::to_json(const IntentModel &model) const {
    const auto &labels = model.labels();
    Json w = Json::object();
    w["input_rows"] = data.input_rows;
    w["training_samples"] = data.train.size();
    w["validation_samples"] = data.val.size();
    w["test_samples"] = data.test.size();
    w["total_intents"] = labels.size();
    w["intents"] = labels;
    w["small_classes"] = data.small_classes;
    w["duplicates_removed"] = data.duplicates_removed;
    w["conflicts_resolved"] = data.conflicts_resolved;
    w["empty_removed"] = data.empty_removed;
    w["algorithm"] = algorithm_name(model.algorithm());
    w["features"] = model.num_features();
    w["threshold"] = {{"value", static_cast<double>(threshold.threshold)},
                      {"precision", threshold.precision},
                      {"coverage", threshold.coverage},
                      {"target_precision", model.options().target_precision},
                      {"target_reached", threshold.target_reached}};

    std::vector<std::string> val_texts, test_texts;
    val_texts.reserve(data.val.size());
    for (size_t i : data.val)
        val_texts.push_back(data.texts[i]);
    test_texts.reserve(data.test.size());
    for (size_t i : data.test)
        test_texts.push_back(data.texts[i]);

    w["validation"] = metrics_json(validation, labels, val_texts, nullptr);
    Json metrics = metrics_json(test, labels, test_texts, &test_calibration);
    metrics["coverage"] = test_coverage;
    metrics["accepted_accuracy"] = test_accepted_accuracy;
    w["metrics"] = std::move(metrics);
    w["timings"] = {{"features", seconds_features},
                    {"train", seconds_train},
                    {"calibrate", seconds_calibrate},
                    {"evaluate", seconds_evaluate}};
    w["options"] = parse_json(model.options().to_json(), "model options");
    return dump_json(w);
}

} // namespace intent
