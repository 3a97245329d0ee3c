// The training memory budget (see memory_budget.h).
#include "memory_budget.h"

#include "errors.h"

#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <limits>

namespace intent {

// Below a tenth of a megabyte in kB or bytes: a charge of one row (a few
// kB) that met the limit read "needs 0.0 MB but only 0.0 MB of the 400.0
// MB limit remain" (test/scripts/partition_memory.sh).
std::string format_megabytes(size_t bytes) {
    char buf[48];
    if (bytes < 1024)
        std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
    else if (bytes < 1024 * 1024 / 10)
        std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(bytes) / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

void release_free_memory() noexcept {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

size_t MemoryBudget::available() const {
    if (limit_ == 0) return std::numeric_limits<size_t>::max();
    return used_ >= limit_ ? 0 : limit_ - used_;
}

bool MemoryBudget::try_charge(size_t bytes) {
    if (limit_ != 0 && bytes > available()) return false;
    used_ += bytes;
    if (used_ > peak_) peak_ = used_;
    return true;
}

void MemoryBudget::charge(size_t bytes, const char *what) {
    if (try_charge(bytes)) return;
    throw Error(ErrorKind::ResourceLimit, "training would exceed its memory limit",
                std::string(what) + " needs " + format_megabytes(bytes) + " but only " +
                    format_megabytes(available()) + " of the " + format_megabytes(limit_) +
                    " limit remain (" + format_megabytes(used_) + " in use).",
                "Raise the training memory limit, or train on fewer rows, with lower max_features and "
                "max_char_features, or with fewer threads.");
}

void MemoryBudget::release(size_t bytes) noexcept {
    used_ = bytes > used_ ? 0 : used_ - bytes;
}

} // namespace intent
