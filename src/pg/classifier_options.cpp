// The training options pg_intent keeps from a named classifier, or from
// every training (classifier_options.h), and their SQL face for the checks
// of a classifier's stored options; and the rule of an integer key's value
// for SQL (_pg_intent_json_integer()).
#include "classifier_options.h"

#include "guard.h"
#include "json.h"
#include "text_io.h"

#include <cstdint>

namespace pg_intent {
namespace {

// One key kept from callers: who may not set it, and the one error that
// says so, worded as users read it wherever they set it.
struct ReservedOption {
    bool every_training; // also refused in train_intent_model()'s options
    bool (*is_set)(const intent::TrainingRequest &);
    const char *message;
    const char *detail;
    const char *hint;
};

const ReservedOption kReserved[] = {
    {true,
     [](const intent::TrainingRequest &r) {
         return r.model.features.min_feature_partitions !=
                intent::TrainingRequest().model.features.min_feature_partitions;
     },
     N_("invalid value for training option \"min_feature_partitions\""),
     N_("It is set by pg_intent for the fallback model of a partitioned classifier."),
     N_("Leave min_feature_partitions out of the training options.")},
    {false,
     [](const intent::TrainingRequest &r) {
         return r.run.min_confidence != intent::TrainingRequest().run.min_confidence;
     },
     N_("invalid value for training option \"min_confidence\""),
     N_("min_confidence filters the rows of intent by their detector's confidence_score; a "
        "classifier's source has none."),
     N_("Select the rows in the classifier's source (a view), or leave min_confidence out.")},
};

} // namespace

void refuse_reserved_options(const intent::TrainingRequest &options, OptionsOf of) {
    for (const ReservedOption &key : kReserved)
        if ((key.every_training || of == OptionsOf::NamedClassifier) && key.is_set(options))
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, intent::Message{key.message, {}}, key.detail,
                           key.hint);
}

} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_classifier_reserved_options(p_options jsonb): a classifier's
// stored training options (already valid training options) against the
// list, as train_classifier() checks a call's.
PG_INTENT_FUNCTION(pg_intent_classifier_reserved_options) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("p_options must not be null"), {}});
    intent::TrainingRequest options;
    options.apply_json(jsonb_to_utf8(PG_GETARG_DATUM(0)));
    refuse_reserved_options(options, OptionsOf::NamedClassifier);
    PG_RETURN_VOID();
}

// _pg_intent_json_integer(p_value jsonb): the integer a JSON number is,
// exactly, by the rule of every integer key (intent::json_number_integer(),
// which the training options' option_integer() reads too), on the number's
// text (jsonb keeps a number as an exact decimal and writes it so); NULL
// for any other value: a number that is not an integer or is beyond
// bigint, a string ("3"), every other JSON kind. SQL's readers of integer
// keys (src/sql/44_classifier_policy_types.sql and its callers) ask it, so
// that the rule is stated once.
PG_INTENT_FUNCTION(pg_intent_json_integer) {
    const std::string number = jsonb_to_utf8(PG_GETARG_DATUM(0));
    bool negative = false;
    uint64_t magnitude = 0;
    if (!intent::json_number_integer(number, negative, magnitude) ||
        magnitude > static_cast<uint64_t>(INT64_MAX) + (negative ? 1 : 0))
        PG_RETURN_NULL();
    PG_RETURN_INT64(negative ? -static_cast<int64_t>(magnitude - 1) - 1 : static_cast<int64_t>(magnitude));
}
