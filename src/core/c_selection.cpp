#include "c_selection.h"

#include "scoring.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

namespace intent {

namespace {

// The C grid is searched only while its fits cost at most this much work
// (grid size x fold fits x fit_work, see folds.h): on small data, where one
// C is least likely to suit every dataset and a fit takes milliseconds. The
// gains are small (bench/results), so it is not worth more time.
constexpr double kSelectCWork = 1e6;
// Multipliers of the given C tried by the grid.
constexpr double kCGrid[] = {0.25, 0.5, 1.0, 2.0, 4.0};

// Index of the C closest to `given` (in ratio) among the best accuracies.
size_t pick_C(const std::vector<double> &grid, const std::vector<double> &accuracy, double given) {
    size_t best = 0;
    for (size_t i = 1; i < grid.size(); ++i) {
        const double da = accuracy[i] - accuracy[best];
        const double dist_i = std::fabs(std::log(grid[i] / given)),
                     dist_b = std::fabs(std::log(grid[best] / given));
        // Accuracies closer than one row in a million are ties.
        if (da > 1e-9 || (std::fabs(da) <= 1e-9 && dist_i < dist_b)) best = i;
    }
    return best;
}

} // namespace

std::vector<uint8_t> oof_right(const FoldModels &fm, const TrainingSet &set, const PreparedDataset &d) {
    const size_t k = d.labels.size();
    std::vector<float> s(padded(set.columns));
    SparseVector row;
    std::vector<uint8_t> right;
    for (size_t e = 0; e < d.y.size(); ++e) {
        if (!fm.held_out(e) || d.y[e] == kOutOfScope) continue;
        fm.score(set, e, row, s.data());
        right.push_back(static_cast<int>(argmax(s.data(), k)) == d.y[e]);
    }
    return right;
}

double oof_accuracy(const std::vector<uint8_t> &right) {
    size_t n = 0;
    for (uint8_t r : right)
        n += r;
    return right.empty() ? 0.0 : static_cast<double>(n) / static_cast<double>(right.size());
}

double oof_accuracy(const FoldModels &fm, const TrainingSet &set, const PreparedDataset &d) {
    return oof_accuracy(oof_right(fm, set, d));
}

double paired_gain_se(const std::vector<uint8_t> &right, const std::vector<uint8_t> &base) {
    const size_t n = right.size();
    if (n < 2 || base.size() != n) return 0.0;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = static_cast<double>(right[i]) - static_cast<double>(base[i]);
        sum += x;
        sum2 += x * x;
    }
    const double nn = static_cast<double>(n), mean = sum / nn;
    const double var = std::max(0.0, (sum2 - nn * mean * mean) / (nn - 1));
    return std::sqrt(var / nn);
}

std::vector<double> c_candidates(const LearnerOptions &learner, bool select_C, double grid_unit_work,
                                 CSelection &selection) {
    const double grid_work = static_cast<double>(std::size(kCGrid)) * grid_unit_work;
    selection.chosen = learner.C;
    if (!select_C) {
        selection.reason = "select_C is off: C as given";
        return {learner.C};
    }
    if (grid_work > kSelectCWork) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "the C grid would cost %.2fM work units, more than the 1M allowed: C as given",
                      grid_work / 1e6);
        selection.reason = buf;
        return {learner.C};
    }
    // Within the learner's range (0, kMaxC]: a C an option may give, times
    // 2 or 4, may not be one (an audit: C 1e6 failed the run).
    std::vector<double> Cs;
    for (double m : kCGrid)
        if (const double c = learner.C * m; c > 0 && c <= LearnerOptions::kMaxC) Cs.push_back(c);
    selection.reason = std::string("C x {1/4, 1/2, 1, 2, 4}") +
                       (Cs.size() < std::size(kCGrid) ? ", within (0, 1e6]," : "") +
                       " by out-of-fold accuracy";
    return Cs;
}

size_t choose_C(const std::vector<double> &Cs, const std::vector<FoldModels> &cv, const TrainingSet &set,
                const PreparedDataset &d, double given, CSelection &selection) {
    if (Cs.size() <= 1) return 0;
    selection.selected = true;
    selection.grid = Cs;
    for (const FoldModels &fm : cv)
        selection.accuracy.push_back(oof_accuracy(fm, set, d));
    const size_t chosen = pick_C(Cs, selection.accuracy, given);
    selection.chosen = Cs[chosen];
    return chosen;
}

} // namespace intent
