// Dual solutions of one-vs-rest problems (linear.h): their size, the rows of
// one for a problem on some of its rows, and the mean of the solutions of
// problems on parts of a problem's rows (cross-validation folds).
#include "errors.h"
#include "linear.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace intent {

size_t DualSolution::entries() const {
    size_t n = 0;
    for (const auto &list : classes)
        n += list.size();
    return n;
}

size_t DualSolution::bytes() const {
    size_t n = classes.capacity() * sizeof(classes[0]);
    for (const auto &list : classes)
        n += list.capacity() * sizeof(Entry);
    return n;
}

template <class Row> DualSolution dual_rows(const DualSolution &dual, const std::vector<Row> &rows) {
    size_t max_row = 0;
    for (const auto &list : dual.classes)
        for (const DualSolution::Entry &e : list)
            max_row = std::max<size_t>(max_row, e.row);
    std::vector<int64_t> position(max_row + 1, -1);
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] > max_row) continue; // no entry to carry
        if (position[rows[i]] >= 0) throw Error(ErrorKind::InvalidArgument, "a row is selected twice");
        position[rows[i]] = static_cast<int64_t>(i);
    }
    DualSolution out;
    out.complete = dual.complete;
    out.classes.resize(dual.classes.size());
    for (size_t c = 0; c < dual.classes.size(); ++c) {
        for (const DualSolution::Entry &e : dual.classes[c])
            if (position[e.row] >= 0)
                out.classes[c].push_back({static_cast<uint32_t>(position[e.row]), e.value});
        std::sort(out.classes[c].begin(), out.classes[c].end(),
                  [](const DualSolution::Entry &a, const DualSolution::Entry &b) { return a.row < b.row; });
    }
    return out;
}
template DualSolution dual_rows(const DualSolution &, const std::vector<size_t> &);
template DualSolution dual_rows(const DualSolution &, const std::vector<uint32_t> &);

DualSolution mean_duals(const std::vector<const DualSolution *> &parts,
                        const std::vector<const std::vector<uint32_t> *> &part_rows, size_t rows) {
    if (parts.size() != part_rows.size())
        throw Error(ErrorKind::InvalidArgument, "one row list per solution");
    DualSolution out;
    if (parts.empty()) return out;
    const size_t k = parts[0]->classes.size();
    for (size_t f = 0; f < parts.size(); ++f) {
        if (parts[f]->classes.size() != k)
            throw Error(ErrorKind::InvalidArgument, "the solutions differ in classes");
        if (!parts[f]->complete) {
            out.complete = false;
            return out;
        }
    }
    std::vector<uint32_t> times(rows, 0);
    for (const std::vector<uint32_t> *list : part_rows)
        for (uint32_t r : *list) {
            if (r >= rows) throw Error(ErrorKind::InvalidArgument, "row out of range for the mean");
            ++times[r];
        }
    out.classes.resize(k);
    std::vector<DualSolution::Entry> merged;
    for (size_t c = 0; c < k; ++c) {
        // Each part's list, mapped, is ascending when its row list is (a
        // fold's is): merging part by part is then linear. Stable either
        // way, so a row's values add up in part order.
        const auto by_row = [](const DualSolution::Entry &a, const DualSolution::Entry &b) {
            return a.row < b.row;
        };
        merged.clear();
        for (size_t f = 0; f < parts.size(); ++f) {
            const size_t start = merged.size();
            for (const DualSolution::Entry &e : parts[f]->classes[c]) {
                if (e.row >= part_rows[f]->size())
                    throw Error(ErrorKind::InvalidArgument, "row out of range in a solution");
                merged.push_back({(*part_rows[f])[e.row], e.value});
            }
            const auto mid = merged.begin() + static_cast<std::ptrdiff_t>(start);
            if (!std::is_sorted(mid, merged.end(), by_row)) std::stable_sort(mid, merged.end(), by_row);
            std::inplace_merge(merged.begin(), mid, merged.end(), by_row);
        }
        std::vector<DualSolution::Entry> &list = out.classes[c];
        for (size_t j = 0; j < merged.size();) {
            const uint32_t r = merged[j].row;
            double sum = 0;
            for (; j < merged.size() && merged[j].row == r; ++j)
                sum += merged[j].value;
            list.push_back({r, static_cast<float>(sum / times[r])});
        }
        list.shrink_to_fit();
    }
    return out;
}

} // namespace intent
