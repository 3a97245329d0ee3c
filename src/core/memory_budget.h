// A memory budget for training: code charges an estimate before each large
// allocation (the vectoriser's counting tables and feature matrix, the
// solver's state, the weight matrices) and releases it when the memory is
// freed. A charge that would take the total above the limit throws
// Error(ResourceLimit) before anything is allocated, so a training run that
// cannot fit fails cleanly (the SQL glue maps it to 53200 with a hint)
// instead of being killed by the kernel's OOM killer.
//
// The figures are the sizes of the core's own large buffers, not the
// process's RSS: small objects, allocator slack and the caller's data are
// not counted. Not thread-safe: only the calling thread charges (the
// solver charges its workers' state before starting them).
#pragma once

#include <cstddef>
#include <string>

namespace intent {

class MemoryBudget {
  public:
    // `limit_bytes` 0 means unlimited (charges are still tracked).
    explicit MemoryBudget(size_t limit_bytes = 0) : limit_(limit_bytes) {}
    MemoryBudget(const MemoryBudget &) = delete;
    MemoryBudget &operator=(const MemoryBudget &) = delete;

    // Adds `bytes` for `what` (a noun phrase for the error message, such as
    // "the feature matrix"), or throws Error(ResourceLimit) and adds nothing.
    void charge(size_t bytes, const char *what);
    // Adds `bytes` only when it fits; returns whether it did (for code that
    // can fall back to a smaller structure instead of failing).
    bool try_charge(size_t bytes);
    void release(size_t bytes) noexcept;

    bool unlimited() const { return limit_ == 0; }
    size_t limit() const { return limit_; }
    size_t used() const { return used_; }
    size_t peak() const { return peak_; }
    // Bytes that can still be charged (SIZE_MAX when unlimited).
    size_t available() const;

  private:
    size_t limit_;
    size_t used_ = 0;
    size_t peak_ = 0;
};

// A charge held for the lifetime of a structure, released on destruction
// (also when an exception unwinds). Works with no budget (a null pointer).
class MemoryCharge {
  public:
    MemoryCharge() = default;
    explicit MemoryCharge(MemoryBudget *budget) : budget_(budget) {}
    MemoryCharge(MemoryBudget *budget, size_t bytes, const char *what) : budget_(budget) { add(bytes, what); }
    ~MemoryCharge() { reset(); }
    MemoryCharge(const MemoryCharge &) = delete;
    MemoryCharge &operator=(const MemoryCharge &) = delete;
    MemoryCharge(MemoryCharge &&other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
        other.bytes_ = 0;
    }
    MemoryCharge &operator=(MemoryCharge &&other) noexcept {
        if (this != &other) {
            reset();
            budget_ = other.budget_;
            bytes_ = other.bytes_;
            other.bytes_ = 0;
        }
        return *this;
    }

    MemoryBudget *budget() const { return budget_; }
    // Charges `bytes` more (throws Error(ResourceLimit) when they do not fit).
    void add(size_t bytes, const char *what) {
        if (budget_) budget_->charge(bytes, what);
        bytes_ += bytes;
    }
    bool try_add(size_t bytes) {
        if (budget_ && !budget_->try_charge(bytes)) return false;
        bytes_ += bytes;
        return true;
    }
    // Adjusts the charge to `bytes` in total (growing may throw).
    void resize(size_t bytes, const char *what) {
        if (bytes > bytes_)
            add(bytes - bytes_, what);
        else
            shrink(bytes_ - bytes);
    }
    void shrink(size_t bytes) noexcept {
        if (bytes > bytes_) bytes = bytes_;
        if (budget_) budget_->release(bytes);
        bytes_ -= bytes;
    }
    void reset() noexcept { shrink(bytes_); }
    size_t bytes() const { return bytes_; }

  private:
    MemoryBudget *budget_ = nullptr;
    size_t bytes_ = 0;
};

// Gives the pages of freed heap memory back to the operating system (glibc's
// malloc_trim; nothing elsewhere). Training calls it after a phase frees
// many small allocations (the de-duplication's strings and map nodes):
// without it they stay resident, unused by the large buffers that follow,
// which are mapped separately.
void release_free_memory() noexcept;

// "12.3 MB": sizes in error messages.
std::string format_megabytes(size_t bytes);

} // namespace intent
