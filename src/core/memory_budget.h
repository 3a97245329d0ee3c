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

// What one entry of a std::unordered_set or std::unordered_map costs beside
// its key's characters: its node (the next pointer, the value and the cached
// hash, in one allocation of malloc's 16-byte granularity with its 8-byte
// header) and its bucket (a bucket an entry, as a reserved set has). 56
// bytes on x86-64 for a set of views. The one formula of the core's charges
// and the glue's (src/pg/row_key.h).
template <class Value> constexpr size_t hashed_entry_bytes() {
    return (sizeof(void *) + sizeof(Value) + sizeof(size_t) + 8 + 15) / 16 * 16 + sizeof(void *);
}

// The same for one entry of a std::map or std::set: its tree node (the
// value, three pointers and a colour, counted as a fourth pointer) in one
// allocation of malloc's 16-byte granularity with its 8-byte header.
template <class Value> constexpr size_t tree_entry_bytes() {
    return (sizeof(Value) + 4 * sizeof(void *) + 8 + 15) / 16 * 16;
}

// What a string's characters cost beyond the std::string itself: nothing
// within the short-string buffer (15 bytes in libstdc++), else its capacity
// and the terminator.
inline size_t string_heap_bytes(const std::string &s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// "12.3 MB" (below 0.1 MB "12.3 kB" or "512 bytes"): sizes in error messages.
std::string format_megabytes(size_t bytes);

} // namespace intent
