// Who may ask a training run for what the deploy rule does not decide: one
// rule for train_intent_model() and train_classifier().
#pragma once

#include "options.h"

#include <functional>

namespace pg_intent {

// Whose right to deploy a run needs: intent's (EXECUTE on
// deploy_intent_model(bigint)) or a classifier's ('deploy' access,
// grant_classifier_access()). Only the wording of the error differs.
enum class DeployRightOf { Intent, Classifier };

// {"deploy": "always"} skips the deploy rule. In a run that may deploy by
// the rule ({"deploy": "auto"}), the options the rule cannot weigh
// (intent::TrainingRequest::unweighed_options()) change what it lets serve:
// with them, a role allowed only to train deployed a model that answers
// "uncertain" to everything (threshold_floor 1), or one trained on 60 rows
// of 336 that passed on a lucky small holdout. Both need the right to
// deploy; {"deploy": "never"} needs neither.
//
// `request` is what the run will do: `base` with the caller's options over
// it. `base` is what the run does without them: a classifier's training
// options, which its owner stored and every run starts from (the defaults
// for intent, which has none). What the caller changes there is judged, not
// what differs from the defaults: an owner's {"deploy": "never"} undone by
// {"deploy": "auto"}, or an owner's threshold_floor set back to its default,
// needs the right to deploy as much as setting it does (a role allowed only
// to train had a model the owner kept a candidate serve). What the owner
// stored is the owner's rule for the classifier and needs no right of the
// caller.
//
// Throws SqlError (42501) when the run needs the right and `may_deploy()`,
// asked only then, says the caller has not got it.
void require_deploy_right(const intent::TrainingRequest &request, const intent::TrainingRequest &base,
                          DeployRightOf of, const std::function<bool()> &may_deploy);

} // namespace pg_intent
