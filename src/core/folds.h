// How a training run is evaluated: stratified, seeded k-fold cross-validation
// while that is affordable, a stratified holdout beyond, and which entry each
// fold holds out.
//
// The size rule (EvaluationMethod::Auto). The one-vs-rest solver solves up to
// 16 classes per pass over the rows (a class block, see linear_internal.h), and a
// pass costs about the same whatever the block's width (it is bound by
// fetching the rows' weights), so the cost of one fit grows with
//   work = training rows (typo variants included) x class blocks x 16,
// which is rows x classes for many classes (CLINC150: 15k x 160 = 2.4M) and
// counts a few classes as one block (SNIPS, 7 classes in 2 blocks: 13k x 32).
// Measured on the 2-core benchmark machine, one fit costs about 0.35 µs per
// unit. k-fold cross-validation costs about k - 1 fits on top of the final
// refit on every row, so the rule keeps the evaluation within about one
// refit on large data and lets small data (where a fit takes milliseconds)
// have 5 folds, whose fold models see 80 % of the rows:
//   work <= 0.25M (e.g. 5k rows x 50 intents): 5 folds;
//   work <= 1.0M  (e.g. BANKING77's 10k x 77, HWU64, SNIPS): 3 folds (67 %);
//   beyond (e.g. CLINC150's 15k x 150): 2 folds (50 %).
// Every usable row thus always gets an out-of-fold prediction. A single
// holdout is never chosen by the rule: measured on CLINC150, a 20 % holdout
// costs as much as 2 folds (one fit on 80 % against two on 50 %) while only
// its 3,000 rows get a prediction, and the temperature fitted on 2-fold
// scores calibrates the final model as well (val ECE 0.025 against 0.023).
// It stays available as evaluation = "holdout".
// `cv_folds` forces the fold count and `evaluation` the method.
#pragma once

#include "options.h"

#include <cstddef>
#include <string>
#include <vector>

namespace intent {

// Work units at or below which the size rule cross-validates with 5 and 3
// folds (2 beyond).
constexpr double kFiveFoldWork = 0.25e6;
constexpr double kThreeFoldWork = 1.0e6;

// Class blocks train_one_vs_rest splits `columns` classes into: up to 16 per
// block, and at least two above four classes (linear_pool.cpp).
size_t learner_blocks(size_t columns);

// The cost measure of one fit (see above).
double fit_work(size_t rows, size_t columns);

// Why this method and fold count, typed: the report words it in the
// reader's language, evaluation_reason_code() names it in the stored report
// (evaluation.reason_code).
enum class EvaluationReason {
    SizeRule,    // the size rule above chose the folds
    FoldsGiven,  // cv_folds was given
    MethodGiven, // the evaluation option named the method
};
const char *evaluation_reason_code(EvaluationReason reason);

struct EvaluationPlan {
    EvaluationMethod method = EvaluationMethod::CrossValidation; // never Auto
    size_t folds = 0;      // fold fits: k for cross-validation, 1 for a holdout
    std::vector<int> fold; // per entry: the fold that holds it out, or -1 (never held out)
    double work = 0;       // fit_work() of one full fit
    EvaluationReason reason_code = EvaluationReason::SizeRule;
    std::string reason; // the same in English, for the stored report's readers
};

// Chooses the method and folds (the rule above) and assigns entries to folds,
// stratified by `strata` (one value per entry, e.g. the label with
// out-of-scope as its own stratum). `training_rows` counts typo variants.
EvaluationPlan plan_evaluation(const std::vector<int> &strata, size_t training_rows, size_t columns,
                               const EvaluationOptions &options);

// Stratified k-fold assignment: each stratum is shuffled (seeded) and dealt
// round-robin, continuing where the previous stratum stopped, so folds differ
// in size by at most one and every stratum is spread evenly.
std::vector<int> stratified_folds(const std::vector<int> &strata, size_t k, uint64_t seed);

// Stratified holdout: round(count x fraction) entries of each stratum get
// fold 0, the rest -1; a stratum always keeps at least one entry out of the
// holdout (so a one-row intent is never held out).
std::vector<int> stratified_holdout(const std::vector<int> &strata, double fraction, uint64_t seed);

} // namespace intent
