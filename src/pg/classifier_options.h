// The training options pg_intent keeps from a named classifier, or from
// every training: one list, read by each place such options arrive.
#pragma once

#include "options.h"

namespace pg_intent {

// Whose options are checked: any training run's (train_intent_model()'s, or
// a run of a classifier), or a named classifier's, which a named classifier
// sets in two places: its stored options (create_classifier(),
// alter_classifier(), through _pg_intent_classifier_reserved_options()) and
// a train_classifier() call's options. Both are checked by this one list, so
// a key is refused alike wherever it is set.
enum class OptionsOf { AnyTraining, NamedClassifier };

// Throws SqlError 22023 for the first key of the list that `options` sets to
// other than its default and `of` may not set:
// - min_feature_partitions, in every training: pg_intent sets it (2 for the
//   fallback model of a partitioned classifier, so that no n-gram of one
//   partition's rows is a feature every partition may explain); a run that
//   asked for it would fail, or would be told the rule it must keep;
// - min_confidence, in a named classifier's options: it filters intent's
//   rows by their detector's confidence_score, which a classifier's source
//   has not, so it would be stored and do nothing.
void refuse_reserved_options(const intent::TrainingRequest &options, OptionsOf of);

} // namespace pg_intent
