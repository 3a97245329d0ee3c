// Sparse containers shared by the vectoriser and the learners.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace intent {

// One sparse row: strictly increasing feature indices with their values.
struct SparseVector {
    std::vector<uint32_t> index;
    std::vector<float> value;

    void clear() {
        index.clear();
        value.clear();
    }
    size_t nnz() const { return index.size(); }
};

// Compressed sparse rows. Row r spans [row_ptr[r], row_ptr[r+1]) of col/val;
// column indices are strictly increasing within a row.
struct SparseMatrix {
    size_t cols = 0;
    std::vector<size_t> row_ptr{0};
    std::vector<uint32_t> col;
    std::vector<float> val;

    size_t rows() const { return row_ptr.size() - 1; }
    size_t nnz() const { return col.size(); }
    void append_row(const SparseVector &row) {
        col.insert(col.end(), row.index.begin(), row.index.end());
        val.insert(val.end(), row.value.begin(), row.value.end());
        row_ptr.push_back(col.size());
    }
    // Rows `which` (in that order) as a new matrix.
    SparseMatrix select_rows(const std::vector<size_t> &which) const {
        SparseMatrix out;
        out.cols = cols;
        for (size_t r : which) {
            out.col.insert(out.col.end(), col.begin() + row_ptr[r], col.begin() + row_ptr[r + 1]);
            out.val.insert(out.val.end(), val.begin() + row_ptr[r], val.begin() + row_ptr[r + 1]);
            out.row_ptr.push_back(out.col.size());
        }
        return out;
    }
};

} // namespace intent
