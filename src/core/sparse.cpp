// FeatureMatrix: the compact sparse rows the solvers read in place.
#include "sparse.h"

#include "errors.h"

#include <algorithm>
#include <cstring>

namespace intent {

namespace {

const char kWhat[] = "the feature matrix";

size_t entry_size(bool narrow) {
    return narrow ? sizeof(NarrowEntry) : sizeof(WideEntry);
}

// Bytes per row besides the entries: the row pointer, and a coded row's scale.
size_t row_size(bool coded) {
    return sizeof(size_t) + (coded ? sizeof(float) : 0);
}

size_t coding_bytes(const FeatureCoding &c) {
    return c.idf.capacity() * sizeof(float) + c.tf_weight.capacity() * sizeof(double);
}

} // namespace

FeatureCoding::FeatureCoding(std::vector<float> idf_values, bool sublinear_tf) : idf(std::move(idf_values)) {
    tf_weight.resize(kMaxCodes);
    for (size_t c = 0; c < kMaxCodes; ++c)
        tf_weight[c] = tf_of_count(static_cast<uint32_t>(c + 1), sublinear_tf);
}

FeatureMatrix::FeatureMatrix(size_t cols, MemoryBudget *budget, const FeatureCoding &coding)
    : FeatureMatrix(cols, budget) {
    if (!narrow_) return;
    if (coding.idf.size() != cols || coding.tf_weight.size() != FeatureCoding::kMaxCodes)
        throw Error(ErrorKind::Internal, "feature coding does not match the matrix");
    charge_.add(coding_bytes(coding), kWhat);
    coding_ = coding;
    coded_ = true;
}

size_t FeatureMatrix::bytes_for(size_t cols, size_t rows, size_t nnz, bool coded) {
    const bool narrow = cols <= kNarrowMaxCols;
    if (coded && narrow)
        return nnz * sizeof(CodedEntry) + (rows + 1) * row_size(true) + cols * sizeof(float) +
               FeatureCoding::kMaxCodes * sizeof(double);
    return nnz * entry_size(narrow) + (rows + 1) * row_size(false);
}

size_t FeatureMatrix::memory_bytes() const {
    return row_ptr_.capacity() * sizeof(size_t) + narrow_entries_.capacity() * sizeof(NarrowEntry) +
           wide_entries_.capacity() * sizeof(WideEntry) + coded_entries_.capacity() * sizeof(CodedEntry) +
           row_scale_.capacity() * sizeof(float) + coding_bytes(coding_);
}

void FeatureMatrix::grow(size_t rows, size_t nnz) {
    const size_t have_rows = row_ptr_.capacity();
    const size_t have_nnz = coded_    ? coded_entries_.capacity()
                            : narrow_ ? narrow_entries_.capacity()
                                      : wide_entries_.capacity();
    const size_t want_rows =
        rows + 1 <= have_rows ? have_rows : std::max(rows + 1, have_rows + have_rows / 2);
    const size_t want_nnz = nnz <= have_nnz ? have_nnz : std::max(nnz, have_nnz + have_nnz / 2);
    if (want_rows == have_rows && want_nnz == have_nnz) return;
    // While a buffer is copied both copies exist: charge the new ones in
    // full first, then drop the charge of the old ones.
    const size_t entry = coded_ ? sizeof(CodedEntry) : entry_size(narrow_);
    size_t transient = 0, old = 0;
    if (want_rows != have_rows) {
        transient += want_rows * row_size(coded_);
        old += have_rows * sizeof(size_t) + (coded_ ? row_scale_.capacity() * sizeof(float) : 0);
    }
    if (want_nnz != have_nnz) {
        transient += want_nnz * entry;
        old += have_nnz * entry;
    }
    charge_.add(transient, kWhat);
    row_ptr_.reserve(want_rows);
    if (coded_) {
        row_scale_.reserve(want_rows);
        coded_entries_.reserve(want_nnz);
    } else if (narrow_) {
        narrow_entries_.reserve(want_nnz);
    } else {
        wide_entries_.reserve(want_nnz);
    }
    charge_.shrink(old);
}

void FeatureMatrix::reserve(size_t rows, size_t nnz) {
    grow(rows, nnz);
}

// Throws unless every index of the row's first `n` entries is below cols_:
// one (vectorisable) pass for the largest index.
void FeatureMatrix::check_indices(const SparseVector &row, size_t n) const {
    const uint32_t *index = row.index.data();
    uint32_t largest = 0;
    for (size_t j = 0; j < n; ++j)
        largest = std::max(largest, index[j]);
    if (n > 0 && largest >= cols_)
        throw Error(ErrorKind::InvalidArgument, "feature index out of range",
                    "Index " + std::to_string(largest) + " in a matrix of " + std::to_string(cols_) +
                        " columns.");
}

// Appends one row's entries: the range check, then a plain copy.
template <class Entry>
void FeatureMatrix::append_entries(std::vector<Entry> &entries, const SparseVector &row) {
    const size_t n = std::min(row.index.size(), row.value.size());
    check_indices(row, n);
    const uint32_t *index = row.index.data();
    const float *value = row.value.data();
    const size_t old = entries.size();
    if (old + n > entries.capacity()) grow(rows(), old + n);
    entries.resize(old + n);
    Entry *out = entries.data() + old;
    for (size_t j = 0; j < n; ++j)
        out[j] = Entry{static_cast<decltype(Entry::index)>(index[j]), value[j]};
}

void FeatureMatrix::append_row(const SparseVector &row, const uint32_t *counts, float scale) {
    if (coded_) {
        const size_t n = std::min(row.index.size(), row.value.size());
        // Checked first, so that a row refused leaves the matrix coded.
        check_indices(row, n);
        const uint32_t *index = row.index.data();
        const float *value = row.value.data();
        bool codable = true;
        for (size_t j = 0; j < n && codable; ++j) {
            if (counts[j] == 0 || counts[j] > FeatureCoding::kMaxCodes) {
                codable = false;
                break;
            }
            // Coded only when the value recomputed is the very float given.
            const CodedEntry e{static_cast<uint16_t>(index[j]), static_cast<uint8_t>(counts[j] - 1)};
            const float v = coding_.value(e, scale);
            codable = std::memcmp(&v, &value[j], sizeof v) == 0;
        }
        if (codable) {
            if (row_ptr_.size() == row_ptr_.capacity() ||
                coded_entries_.size() + n > coded_entries_.capacity())
                grow(rows() + 1, coded_entries_.size() + n);
            const size_t old = coded_entries_.size();
            coded_entries_.resize(old + n);
            CodedEntry *out = coded_entries_.data() + old;
            for (size_t j = 0; j < n; ++j)
                out[j] = CodedEntry{static_cast<uint16_t>(index[j]), static_cast<uint8_t>(counts[j] - 1)};
            row_scale_.push_back(scale);
            row_ptr_.push_back(coded_entries_.size());
            return;
        }
        uncode();
    }
    append_row(row);
}

void FeatureMatrix::uncode() {
    if (!coded_) return;
    // Both forms exist while the entries are rewritten.
    const size_t entries = nnz();
    const size_t plain = std::max(entries, coded_entries_.capacity()) * sizeof(NarrowEntry);
    charge_.add(plain, kWhat);
    std::vector<NarrowEntry> out;
    out.reserve(std::max(entries, coded_entries_.capacity()));
    for (size_t r = 0; r < rows(); ++r)
        for (size_t j = row_ptr_[r]; j < row_ptr_[r + 1]; ++j)
            out.push_back(
                NarrowEntry{coded_entries_[j].index, coding_.value(coded_entries_[j], row_scale_[r])});
    const size_t freed = coded_entries_.capacity() * sizeof(CodedEntry) +
                         row_scale_.capacity() * sizeof(float) + coding_bytes(coding_);
    narrow_entries_ = std::move(out);
    std::vector<CodedEntry>().swap(coded_entries_);
    std::vector<float>().swap(row_scale_);
    coding_ = FeatureCoding();
    coded_ = false;
    charge_.shrink(freed);
}

void FeatureMatrix::append_row(const SparseVector &row) {
    uncode();
    if (row_ptr_.size() == row_ptr_.capacity()) grow(rows() + 1, nnz());
    if (narrow_)
        append_entries(narrow_entries_, row);
    else
        append_entries(wide_entries_, row);
    row_ptr_.push_back(narrow_ ? narrow_entries_.size() : wide_entries_.size());
}

void FeatureMatrix::row(size_t r, SparseVector &out) const {
    out.clear();
    for_each_in_row(r, [&](uint32_t index, float value) {
        out.index.push_back(index);
        out.value.push_back(value);
    });
}

FeatureMatrix FeatureMatrix::select_rows(const std::vector<size_t> &which, MemoryBudget *budget) const {
    FeatureMatrix out = coded_ ? FeatureMatrix(cols_, budget, coding_) : FeatureMatrix(cols_, budget);
    size_t nnz = 0;
    for (size_t r : which)
        nnz += row_ptr_[r + 1] - row_ptr_[r];
    out.reserve(which.size(), nnz);
    for (size_t r : which) {
        if (coded_) {
            out.coded_entries_.insert(out.coded_entries_.end(), coded_entries_.begin() + row_ptr_[r],
                                      coded_entries_.begin() + row_ptr_[r + 1]);
            out.row_scale_.push_back(row_scale_[r]);
        } else if (narrow_)
            out.narrow_entries_.insert(out.narrow_entries_.end(), narrow_entries_.begin() + row_ptr_[r],
                                       narrow_entries_.begin() + row_ptr_[r + 1]);
        else
            out.wide_entries_.insert(out.wide_entries_.end(), wide_entries_.begin() + row_ptr_[r],
                                     wide_entries_.begin() + row_ptr_[r + 1]);
        out.row_ptr_.push_back(out.row_ptr_.back() + row_ptr_[r + 1] - row_ptr_[r]);
    }
    return out;
}

FeatureMatrix FeatureMatrix::from_sparse(const SparseMatrix &m, MemoryBudget *budget) {
    FeatureMatrix out(m.cols, budget);
    out.reserve(m.rows(), m.nnz());
    SparseVector row;
    for (size_t r = 0; r < m.rows(); ++r) {
        row.index.assign(m.col.begin() + static_cast<std::ptrdiff_t>(m.row_ptr[r]),
                         m.col.begin() + static_cast<std::ptrdiff_t>(m.row_ptr[r + 1]));
        row.value.assign(m.val.begin() + static_cast<std::ptrdiff_t>(m.row_ptr[r]),
                         m.val.begin() + static_cast<std::ptrdiff_t>(m.row_ptr[r + 1]));
        out.append_row(row);
    }
    return out;
}

SparseMatrix FeatureMatrix::to_sparse() const {
    SparseMatrix m;
    m.cols = cols_;
    m.row_ptr.reserve(rows() + 1);
    m.col.reserve(nnz());
    m.val.reserve(nnz());
    for (size_t r = 0; r < rows(); ++r) {
        for_each_in_row(r, [&](uint32_t index, float value) {
            m.col.push_back(index);
            m.val.push_back(value);
        });
        m.row_ptr.push_back(m.col.size());
    }
    return m;
}

} // namespace intent
