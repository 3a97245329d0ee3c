// Many strings held compactly, for what a training run keeps of each of its
// rows while the core trains: a column of repeated values (the rows' labels)
// as one small number a row (StringIds), and a column of short distinct
// values (a classifier's row keys) as one buffer and where each ends
// (PackedStrings). A std::string a row costs 32 bytes before its text, and a
// heap block of its own for a text longer than 15 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace intent {

// Distinct strings, numbered from 0 in the order they are first given.
class StringIds {
  public:
    StringIds() = default;
    // The map's keys view the strings the deque holds, which neither a new
    // string nor a move relocates; a copy would view the original's.
    StringIds(const StringIds &) = delete;
    StringIds &operator=(const StringIds &) = delete;
    StringIds(StringIds &&) noexcept = default;
    StringIds &operator=(StringIds &&) noexcept = default;
    ~StringIds() = default;

    // The number of `s`: its earlier one, or the next when it is new. At
    // most 2^32 distinct strings (a run reads at most INT32_MAX rows).
    uint32_t id(std::string_view s);
    // The string numbered `id` (< size()).
    const std::string &operator[](uint32_t id) const { return strings_[id]; }
    size_t size() const { return strings_.size(); }
    // The memory held, approximately (the strings, their index).
    size_t bytes() const;

  private:
    std::deque<std::string> strings_;
    std::unordered_map<std::string_view, uint32_t> ids_;
};

// A sequence of strings in one buffer: their bytes back to back and the
// offset where each ends (8 bytes a string beside its bytes).
class PackedStrings {
  public:
    void reserve(size_t count, size_t bytes) {
        ends_.reserve(count);
        bytes_.reserve(bytes);
    }
    void push_back(std::string_view s) {
        bytes_.append(s.data(), s.size());
        ends_.push_back(bytes_.size());
    }
    std::string_view operator[](size_t i) const {
        const size_t begin = i == 0 ? 0 : ends_[i - 1];
        return std::string_view(bytes_.data() + begin, ends_[i] - begin);
    }
    size_t size() const { return ends_.size(); }
    bool empty() const { return ends_.empty(); }
    // Gives back what reserve() or growth left unused.
    void shrink_to_fit() {
        bytes_.shrink_to_fit();
        ends_.shrink_to_fit();
    }
    // The memory held (the capacities).
    size_t bytes() const { return bytes_.capacity() + ends_.capacity() * sizeof(size_t); }

  private:
    std::string bytes_;
    std::vector<size_t> ends_;
};

} // namespace intent
