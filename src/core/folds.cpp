// The evaluation plan: the size rule, stratified folds and the stratified
// holdout (see folds.h for the rule and its reasons).
#include "folds.h"

#include "dataset.h" // Rng
#include "errors.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace intent {

namespace {

// Entry indices of each stratum, strata in ascending order.
std::map<int, std::vector<size_t>> members_by_stratum(const std::vector<int> &strata) {
    std::map<int, std::vector<size_t>> by;
    for (size_t i = 0; i < strata.size(); ++i)
        by[strata[i]].push_back(i);
    return by;
}

std::string format_work(double work) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fM", work / 1e6);
    return buf;
}

} // namespace

size_t learner_blocks(size_t columns) {
    return std::max<size_t>((columns + 15) / 16, columns > 4 ? 2 : 1);
}

double fit_work(size_t rows, size_t columns) {
    return static_cast<double>(rows) * static_cast<double>(learner_blocks(columns)) * 16.0;
}

std::vector<int> stratified_folds(const std::vector<int> &strata, size_t k, uint64_t seed) {
    if (k == 0) throw Error(ErrorKind::Internal, "zero folds requested");
    std::vector<int> fold(strata.size(), 0);
    Rng rng(seed);
    size_t next = 0;
    for (auto &kv : members_by_stratum(strata)) {
        std::vector<size_t> &m = kv.second;
        rng.shuffle(m);
        for (size_t idx : m) {
            fold[idx] = static_cast<int>(next);
            next = (next + 1) % k;
        }
    }
    return fold;
}

std::vector<int> stratified_holdout(const std::vector<int> &strata, double fraction, uint64_t seed) {
    std::vector<int> fold(strata.size(), -1);
    Rng rng(seed);
    for (auto &kv : members_by_stratum(strata)) {
        std::vector<size_t> &m = kv.second;
        rng.shuffle(m);
        const double want = std::floor(static_cast<double>(m.size()) * fraction + 0.5);
        const size_t n_hold = std::min(static_cast<size_t>(want), m.size() - 1);
        for (size_t j = 0; j < n_hold; ++j)
            fold[m[j]] = 0;
    }
    return fold;
}

const char *evaluation_reason_code(EvaluationReason reason) {
    switch (reason) {
    case EvaluationReason::SizeRule:
        return "size_rule";
    case EvaluationReason::FoldsGiven:
        return "cv_folds";
    case EvaluationReason::MethodGiven:
        return "evaluation_option";
    }
    return "unknown";
}

EvaluationPlan plan_evaluation(const std::vector<int> &strata, size_t training_rows, size_t columns,
                               const EvaluationOptions &options) {
    EvaluationPlan plan;
    const size_t n = strata.size();
    plan.work = fit_work(training_rows, columns);
    EvaluationMethod method = options.method;
    size_t k = options.folds > 0 ? static_cast<size_t>(options.folds) : 0;
    std::string why;
    if (method == EvaluationMethod::Auto) {
        if (k > 0) {
            method = EvaluationMethod::CrossValidation;
            plan.reason_code = EvaluationReason::FoldsGiven;
            why = "cv_folds was given";
        } else {
            method = EvaluationMethod::CrossValidation;
            plan.reason_code = EvaluationReason::SizeRule;
            k = plan.work <= kFiveFoldWork ? 5 : plan.work <= kThreeFoldWork ? 3 : 2;
            why = "size rule: work " + format_work(plan.work) + " (rows x class blocks x 16) " +
                  (k == 5   ? "<= 0.25M: 5 folds"
                   : k == 3 ? "<= 1.00M: 3 folds keep the evaluation within two refits"
                            : "> 1.00M: 2 folds keep the evaluation within one refit");
        }
    } else if (method == EvaluationMethod::CrossValidation) {
        if (k == 0) k = 5;
        plan.reason_code = EvaluationReason::MethodGiven;
        why = "evaluation was set to cross_validation";
    } else {
        plan.reason_code = EvaluationReason::MethodGiven;
        why = "evaluation was set to holdout";
    }
    if (method == EvaluationMethod::CrossValidation) {
        // No more folds than entries: every fold must hold something out.
        k = std::max<size_t>(2, std::min(k, n));
        plan.method = method;
        plan.folds = k;
        plan.fold = stratified_folds(strata, k, options.seed);
        plan.reason = why;
    } else {
        plan.method = EvaluationMethod::Holdout;
        plan.folds = 1;
        plan.fold = stratified_holdout(strata, options.holdout_fraction, options.seed);
        plan.reason = why;
    }
    return plan;
}

} // namespace intent
