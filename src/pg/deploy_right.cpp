// The right to deploy a training run asks for (deploy_right.h).
#include "deploy_right.h"

#include "guard.h"

#include <string>
#include <vector>

namespace pg_intent {

void require_deploy_right(const intent::TrainingRequest &request, DeployRightOf of,
                          const std::function<bool()> &may_deploy) {
    const bool always = request.run.deploy == intent::DeployMode::Always;
    const std::vector<std::string> unweighed =
        request.run.deploy == intent::DeployMode::Auto ? request.unweighed_options() : std::vector<std::string>{};
    if (!always && unweighed.empty()) return;
    if (may_deploy()) return;
    const bool intent_model = of == DeployRightOf::Intent;
    if (always) {
        if (intent_model)
            throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE, intent::Message{N_("permission denied to deploy a model"), {}},
                           N_("The training option {\"deploy\": \"always\"} deploys without the deploy rule, which "
                              "needs EXECUTE on deploy_intent_model(bigint)."),
                           N_("Train with {\"deploy\": \"auto\"} (the default) or ask an administrator."));
        throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                       intent::Message{N_("permission denied to deploy a model of this classifier"), {}},
                       N_("The training option {\"deploy\": \"always\"} deploys without the deploy rule."),
                       N_("Train with {\"deploy\": \"auto\"}, or ask the classifier's owner for "
                          "grant_classifier_access(name, role, 'deploy')."));
    }
    std::string keys;
    for (const std::string &key : unweighed)
        keys += (keys.empty() ? "" : ", ") + key;
    const intent::Message message{N_("permission denied for training options the deploy rule cannot weigh: %s"),
                                  {keys}};
    if (intent_model)
        throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE, message,
                       N_("A run that may deploy and sets them needs EXECUTE on deploy_intent_model(bigint)."),
                       N_("Add {\"deploy\": \"never\"} to train a candidate; an administrator can deploy it "
                          "with deploy_intent_model()."));
    throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE, message,
                   N_("A run that may deploy and sets them needs the right to deploy the classifier."),
                   N_("Add {\"deploy\": \"never\"} to train a candidate."));
}

} // namespace pg_intent
