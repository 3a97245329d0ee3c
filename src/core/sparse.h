// Sparse containers shared by the vectoriser and the learners.
#pragma once

#include "memory_budget.h"

#include <cmath>
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

// One stored value of a FeatureMatrix: a 16-bit feature index when the
// matrix has at most 65,536 columns (6 bytes, unaligned), else 32-bit.
#pragma pack(push, 1)
struct NarrowEntry {
    uint16_t index;
    float value;
};
#pragma pack(pop)
struct WideEntry {
    uint32_t index;
    float value;
};
// A coded entry (3 bytes): the feature index and the code of the term's
// count in the text (code c = count c + 1). Its value is recomputed from the
// matrix's FeatureCoding and the row's scale, bit for bit what the
// vectoriser computed (see FeatureCoding::value).
#pragma pack(push, 1)
struct CodedEntry {
    uint16_t index;
    uint8_t code;
};
#pragma pack(pop)
static_assert(sizeof(NarrowEntry) == 6 && sizeof(WideEntry) == 8 && sizeof(CodedEntry) == 3, "entry layouts");

// The tf of a term seen `count` times in a text: the count, or 1 + ln(count)
// when sublinear and the count is above 1. The one rule the vectoriser
// weighs with and a coded matrix recomputes with (so both give one float).
inline double tf_of_count(uint32_t count, bool sublinear) {
    const double tf = static_cast<double>(count);
    return sublinear && count > 1 ? 1.0 + std::log(tf) : tf;
}

// The value of a coded entry given its feature's idf, the tf of each code
// and its row's scale: float(tf * idf) * scale, as the vectoriser computes
// it. A count of 1 (code 0) weighs 1.0, and float(1.0 * double(x)) is x,
// so that common case skips the double arithmetic. Every reader of coded
// entries (FeatureCoding::value, the solvers' rows) goes through this.
inline float coded_value(const float *idf, const double *tf_weight, CodedEntry e, float scale) {
    const float x = idf[e.index];
    return (e.code == 0 ? x : static_cast<float>(tf_weight[e.code] * static_cast<double>(x))) * scale;
}

// How a coded matrix's values are recomputed: TF-IDF rows store, per
// entry, the count of the term in the text, and per row the L2 scale, so
// value = float(tf_weight[code] * idf[index]) * scale: the same operations
// on the same operands as the vectoriser's (vectorizer_transform.cpp, weigh_sorted),
// hence the same float. Codes cover counts 1..kMaxCodes.
struct FeatureCoding {
    static constexpr size_t kMaxCodes = 256;
    std::vector<float> idf;        // per feature
    std::vector<double> tf_weight; // per code: count, or 1 + ln(count) when sublinear (count > 1)

    FeatureCoding() = default;
    FeatureCoding(std::vector<float> idf, bool sublinear_tf);
    bool operator==(const FeatureCoding &o) const { return idf == o.idf && tf_weight == o.tf_weight; }
    float value(const CodedEntry &e, float scale) const {
        return coded_value(idf.data(), tf_weight.data(), e, scale);
    }
};

// Compressed sparse rows for training at scale: each row is one contiguous
// run of (index, value) entries, 6 bytes each when the vocabulary allows
// (the default 30,000 features do), against 8 for SparseMatrix's separate
// col and val arrays plus the 8 the solver used to add for its packed copy.
// The solvers read it in place. Values are the same floats SparseMatrix
// holds, so training on either gives bit-identical weights.
//
// A matrix the vectoriser builds for training at scale (fit_transform
// above Vectorizer::kCodedMatrixBytes, new_matrix) is coded instead when it
// has at most 65,536 columns: 3 bytes per value (CodedEntry) plus a float
// per row, from which every value is recomputed exactly. Each coded row is
// checked on append (every decoded value equal to the float given); a row
// that cannot be coded (a count above kMaxCodes) turns the matrix into the
// plain narrow form, with the same values.
//
// Given a MemoryBudget, the matrix charges its buffers before it allocates
// them (Error(ResourceLimit) when they would not fit) and releases the
// charge when it is destroyed. Move-only, so the charge has one owner.
class FeatureMatrix {
  public:
    static constexpr size_t kNarrowMaxCols = size_t{1} << 16;

    FeatureMatrix() = default;
    explicit FeatureMatrix(size_t cols, MemoryBudget *budget = nullptr)
        : cols_(cols), narrow_(cols <= kNarrowMaxCols),
          charge_(budget, sizeof(size_t), "the feature matrix") {}
    FeatureMatrix(FeatureMatrix &&) = default;
    FeatureMatrix &operator=(FeatureMatrix &&) = default;
    FeatureMatrix(const FeatureMatrix &) = delete;
    FeatureMatrix &operator=(const FeatureMatrix &) = delete;

    // An empty coded matrix (narrow when cols <= kNarrowMaxCols; a wide
    // matrix is never coded).
    FeatureMatrix(size_t cols, MemoryBudget *budget, const FeatureCoding &coding);

    size_t rows() const { return row_ptr_.size() - 1; }
    size_t cols() const { return cols_; }
    size_t nnz() const { return row_ptr_.back(); }
    bool narrow() const { return narrow_; }
    bool coded() const { return coded_; }
    // Bytes a matrix of this shape holds (entries plus row pointers, plus
    // the row scales and coding when coded).
    static size_t bytes_for(size_t cols, size_t rows, size_t nnz, bool coded);

    // Makes room for `rows` rows and `nnz` values in all (charged first).
    void reserve(size_t rows, size_t nnz);
    // Appends a row (its indices must be increasing; an index at or above
    // cols() throws Error(InvalidArgument)). Growth is charged first.
    void append_row(const SparseVector &row);
    // Appends a TF-IDF row given its terms' counts (one per entry) and its
    // L2 scale (1 when not normalised): coded when the matrix is and the
    // row can be, else as append_row(row).
    void append_row(const SparseVector &row, const uint32_t *counts, float scale);
    // Bytes held (capacity), as charged.
    size_t memory_bytes() const;

    const size_t *row_ptr() const { return row_ptr_.data(); }
    const NarrowEntry *narrow_entries() const { return narrow_entries_.data(); }
    const WideEntry *wide_entries() const { return wide_entries_.data(); }
    const CodedEntry *coded_entries() const { return coded_entries_.data(); }
    const float *row_scale() const { return row_scale_.data(); }
    const FeatureCoding &coding() const { return coding_; }

    // Calls f(index, value) for the entries of row r in order.
    template <class F> void for_each_in_row(size_t r, F &&f) const {
        if (coded_) {
            const float s = row_scale_[r];
            for (size_t j = row_ptr_[r]; j < row_ptr_[r + 1]; ++j)
                f(uint32_t{coded_entries_[j].index}, coding_.value(coded_entries_[j], s));
        } else if (narrow_) {
            for (size_t j = row_ptr_[r]; j < row_ptr_[r + 1]; ++j)
                f(uint32_t{narrow_entries_[j].index}, float{narrow_entries_[j].value});
        } else {
            for (size_t j = row_ptr_[r]; j < row_ptr_[r + 1]; ++j)
                f(wide_entries_[j].index, wide_entries_[j].value);
        }
    }
    void row(size_t r, SparseVector &out) const;

    // Rows `which` (in that order) as a new matrix (cross-validation folds).
    FeatureMatrix select_rows(const std::vector<size_t> &which, MemoryBudget *budget = nullptr) const;
    static FeatureMatrix from_sparse(const SparseMatrix &m, MemoryBudget *budget = nullptr);
    SparseMatrix to_sparse() const;

  private:
    // Grows capacity to hold `rows` rows and `nnz` values (at least by half
    // when it grows), charging the new buffers before allocating them.
    void grow(size_t rows, size_t nnz);
    template <class Entry> void append_entries(std::vector<Entry> &entries, const SparseVector &row);
    void check_indices(const SparseVector &row, size_t n) const;
    // Rewrites a coded matrix in the plain narrow form (same values).
    void uncode();

    size_t cols_ = 0;
    bool narrow_ = true;
    std::vector<size_t> row_ptr_{0};
    std::vector<NarrowEntry> narrow_entries_;
    std::vector<WideEntry> wide_entries_;
    bool coded_ = false;
    std::vector<CodedEntry> coded_entries_;
    std::vector<float> row_scale_; // coded: per row
    FeatureCoding coding_;
    MemoryCharge charge_;
};

} // namespace intent
