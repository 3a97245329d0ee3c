#include "messages.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace intent {

size_t render(const char *pattern, const std::vector<std::string> &args, char *buf, size_t cap) noexcept {
    size_t out = 0;
    const auto put = [&](const char *s, size_t n) {
        if (out + 1 >= cap) return;
        const size_t room = cap - 1 - out;
        if (n > room) n = room;
        std::memcpy(buf + out, s, n);
        out += n;
    };
    size_t next = 0;
    for (const char *p = pattern ? pattern : ""; *p != '\0'; ++p) {
        if (*p != '%') {
            put(p, 1);
            continue;
        }
        if (p[1] == '%') {
            put("%", 1);
            ++p;
            continue;
        }
        size_t index = next;
        const char *q = p + 1;
        size_t n = 0;
        while (*q >= '0' && *q <= '9')
            n = n * 10 + static_cast<size_t>(*q++ - '0');
        if (q > p + 1 && *q == '$' && q[1] == 's' && n > 0) {
            index = n - 1;
            p = q + 1;
        } else if (p[1] == 's') {
            ++next;
            p = p + 1;
        } else {
            put(p, 1); // not a placeholder: written as it is
            continue;
        }
        if (index < args.size()) put(args[index].data(), args[index].size());
    }
    buf[out] = '\0';
    return out;
}

// %.15g: exact for the integers a range states (below 10^15) and the
// short decimals (0.9 is not 0.90000000000000002).
std::string number_arg(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

std::string render(const char *pattern, const std::vector<std::string> &args) {
    size_t need = pattern ? std::strlen(pattern) + 1 : 1;
    for (const std::string &a : args)
        need += a.size();
    std::string out(need, '\0');
    out.resize(render(pattern, args, out.data(), out.size()));
    return out;
}

namespace {
uint32_t read_u32(const std::string &b, size_t at, bool swap) {
    uint32_t v = 0;
    std::memcpy(&v, b.data() + at, 4);
    return swap ? __builtin_bswap32(v) : v;
}
} // namespace

bool Catalogue::parse(std::string bytes) {
    entries_.clear();
    bytes_ = std::move(bytes);
    const std::string &b = bytes_;
    if (b.size() < 28) return false;
    uint32_t magic = 0;
    std::memcpy(&magic, b.data(), 4);
    const bool swap = magic == 0xde120495u;
    if (!swap && magic != 0x950412deu) return false;
    const uint64_t count = read_u32(b, 8, swap), originals = read_u32(b, 12, swap),
                   translations = read_u32(b, 16, swap);
    if (originals + count * 8 > b.size() || translations + count * 8 > b.size()) return false;
    // Every string must lie inside the file and end with its NUL.
    const auto string_at = [&](uint64_t table, uint64_t i, std::string_view &s) {
        const uint64_t len = read_u32(b, table + i * 8, swap), off = read_u32(b, table + i * 8 + 4, swap);
        if (off + len >= b.size() || b[off + len] != '\0') return false;
        s = std::string_view(b.data() + off, len);
        return true;
    };
    for (uint64_t i = 0; i < count; ++i) {
        std::string_view id, str;
        if (!string_at(originals, i, id) || !string_at(translations, i, str)) {
            entries_.clear();
            return false;
        }
        // A msgid with a context or a plural holds a NUL or EOT: none is used.
        if (id.empty() || str.empty()) continue;
        entries_.emplace(id, str.data());
    }
    return true;
}

bool Catalogue::load(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        entries_.clear();
        return false;
    }
    return parse(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

const char *Catalogue::find(std::string_view msgid) const noexcept {
    const auto it = entries_.find(msgid);
    return it == entries_.end() ? nullptr : it->second;
}

} // namespace intent
