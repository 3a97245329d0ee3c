// The right to deploy a training run asks for (deploy_right.h).
#include "deploy_right.h"

#include "guard.h"

#include <string>
#include <vector>

namespace pg_intent {

void require_deploy_right(const intent::TrainingRequest &request, const intent::TrainingRequest &base,
                          DeployRightOf of, const std::function<bool()> &may_deploy) {
    using intent::DeployMode;
    const bool always = request.run.deploy == DeployMode::Always && base.run.deploy != DeployMode::Always;
    const bool undoes_never = request.run.deploy == DeployMode::Auto && base.run.deploy == DeployMode::Never;
    const std::vector<std::string> unweighed =
        request.run.deploy == DeployMode::Auto ? request.unweighed_options(base) : std::vector<std::string>{};
    if (!always && !undoes_never && unweighed.empty()) return;
    if (may_deploy()) return;
    const bool intent_model = of == DeployRightOf::Intent;
    if (undoes_never)
        throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                       intent::Message{N_("permission denied to deploy a model of this classifier"), {}},
                       N_("Its owner trains it with {\"deploy\": \"never\"}: its runs make candidates, which "
                          "only a role with the right to deploy it serves."),
                       N_("Leave out \"deploy\", or ask the classifier's owner for "
                          "grant_classifier_access(name, role, 'deploy')."));
    if (always) {
        if (intent_model)
            throw SqlError(
                ERRCODE_INSUFFICIENT_PRIVILEGE,
                intent::Message{N_("permission denied to deploy a model"), {}},
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
    const intent::Message message{
        N_("permission denied for training options the deploy rule cannot weigh: %s"), {keys}};
    if (intent_model)
        throw SqlError(
            ERRCODE_INSUFFICIENT_PRIVILEGE, message,
            N_("A run that may deploy and sets them needs EXECUTE on deploy_intent_model(bigint)."),
            N_("Add {\"deploy\": \"never\"} to train a candidate; an administrator can deploy it "
               "with deploy_intent_model()."));
    throw SqlError(ERRCODE_INSUFFICIENT_PRIVILEGE, message,
                   N_("A run that may deploy and sets them needs the right to deploy the classifier."),
                   N_("Add {\"deploy\": \"never\"} to train a candidate."));
}

} // namespace pg_intent
