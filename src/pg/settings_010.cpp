// COMPAT(0.1.0) 0.1.0's policy settings, kept defined but ignored: everything that goes
// when they are dropped is in this file (and the SQL function that names
// the ones a session set, _pg_intent_ignored_settings(), src/sql/17_compat_010.sql).
//
// Training no longer reads them: a caller of the privileged trainer could
// SET them (the policy is the row of ai_training_policy). They stay defined
// so that settings made for 0.1.0 in postgresql.conf, ALTER DATABASE or
// ALTER ROLE do not become errors, and a training run warns when the session
// set one. No C++ code reads the variables.
#include "settings.h"

namespace pg_intent {
namespace {

int guc_min_samples_for_training = 20;
int guc_auto_retrain_threshold = 100;
double guc_max_f1_regression = 0.05;
double guc_corrected_weight = 2.0;

} // namespace

// Pure PostgreSQL calls on static data, from _PG_init.
void define_settings_010() {
    DefineCustomIntVariable("pg_intent.min_samples_for_training",
                            "Ignored since 0.2.0: set ai_training_policy.min_samples_for_training.", nullptr,
                            &guc_min_samples_for_training, 20, 2, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomIntVariable("pg_intent.auto_retrain_threshold",
                            "Ignored since 0.2.0: set ai_training_policy.auto_retrain_threshold.", nullptr,
                            &guc_auto_retrain_threshold, 100, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr,
                            nullptr);
    DefineCustomRealVariable(
        "pg_intent.max_f1_regression", "Ignored since 0.2.0: set ai_training_policy.max_f1_regression.",
        nullptr, &guc_max_f1_regression, 0.05, 0.0, 1.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable(
        "pg_intent.corrected_weight", "Ignored since 0.2.0: set ai_training_policy.corrected_weight.",
        nullptr, &guc_corrected_weight, 2.0, 0.01, 1000.0, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

} // namespace pg_intent
