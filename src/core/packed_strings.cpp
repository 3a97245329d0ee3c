// Strings held compactly (packed_strings.h).
#include "packed_strings.h"

#include "memory_budget.h"

namespace intent {

uint32_t StringIds::id(std::string_view s) {
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    const auto next = static_cast<uint32_t>(strings_.size());
    strings_.emplace_back(s);
    try {
        ids_.emplace(std::string_view(strings_.back()), next);
    } catch (...) {
        strings_.pop_back();
        throw;
    }
    return next;
}

size_t StringIds::bytes() const {
    size_t total = ids_.bucket_count() * sizeof(void *);
    for (const std::string &s : strings_)
        total += sizeof(std::string) + string_heap_bytes(s) +
                 sizeof(std::pair<const std::string_view, uint32_t>) + 2 * sizeof(void *);
    return total;
}

} // namespace intent
