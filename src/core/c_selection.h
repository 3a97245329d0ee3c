// Choosing the learner's C: the grid tried around the given C, and the
// pick among its out-of-fold accuracies.
#pragma once

#include "crossval.h"
#include "dataset.h"
#include "linear.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace intent {

// How C was chosen.
struct CSelection {
    bool selected = false;        // false: C as given (the grid would cost too much, or select_C is off)
    std::vector<double> grid;     // candidate values
    std::vector<double> accuracy; // out-of-fold accuracy of each
    double chosen = 1.0;
    std::string reason;
};

// The C values the out-of-fold models are fit with: the given C alone, or
// the grid around it when select_C is on and `grid_unit_work` (fold fits x
// fit work, see folds.h) times the grid's size is affordable. Fills
// `selection`'s chosen C (the given one) and reason.
std::vector<double> c_candidates(const LearnerOptions &learner, bool select_C, double grid_unit_work,
                                 CSelection &selection);

// Out-of-fold accuracy (served label = raw argmax over the intents) of the
// in-scope held-out entries, rescored by their fold models: what C and the
// subword weight (training.cpp) are chosen by.
double oof_accuracy(const FoldModels &fm, const TrainingSet &set, const PreparedDataset &d);

// The same entries, each 1 when its fold model serves its label, in entry
// order; and their mean (oof_accuracy()).
std::vector<uint8_t> oof_right(const FoldModels &fm, const TrainingSet &set, const PreparedDataset &d);
double oof_accuracy(const std::vector<uint8_t> &right);

// The standard error of the mean of the paired per-entry differences
// right[i] - base[i] (the same entries, two models): the noise of one
// out-of-fold accuracy's gain over another's. 0 below two entries.
double paired_gain_se(const std::vector<uint8_t> &right, const std::vector<uint8_t> &base);

// Index into `cv` (one fold-model set per candidate) of the C to keep: the
// best out-of-fold accuracy of the in-scope held-out entries, ties to the C
// closest to the given one. Records the grid and its accuracies in
// `selection` when there was a choice.
size_t choose_C(const std::vector<double> &Cs, const std::vector<FoldModels> &cv, const TrainingSet &set,
                const PreparedDataset &d, double given, CSelection &selection);

} // namespace intent
