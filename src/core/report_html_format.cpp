// The HTML report's helpers (see report_html_internal.h): decimal
// formatting, JSON access, HTML escaping and UTF-8 handling.
#include "report_html_internal.h"

#include "errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

namespace intent::report {

namespace html_detail {

// ---------------------------------------------------------------- numbers

// The shortest decimal form of a finite double (std::to_chars), as a
// Decimal; nullopt for NaN, infinities and magnitudes a report never has.
std::optional<Decimal> to_decimal(double v) {
    if (!std::isfinite(v) || std::fabs(v) > 1e15) return std::nullopt;
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    if (res.ec != std::errc()) return std::nullopt;
    std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
    bool negative = false;
    if (!s.empty() && s[0] == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    size_t e = s.find('e');
    std::string_view mant = s.substr(0, e);
    int exponent = std::atoi(std::string(s.substr(e + 1)).c_str());
    Decimal d;
    int frac_digits = 0;
    bool after_point = false;
    for (char c : mant) {
        if (c == '.') {
            after_point = true;
            continue;
        }
        d.units = d.units * 10 + (c - '0');
        if (after_point) ++frac_digits;
    }
    d.scale = frac_digits - exponent;
    while (d.scale < 0) {
        d.units *= 10;
        ++d.scale;
    }
    if (d.scale > 30) { // far below any digit shown
        d.units = 0;
        d.scale = 0;
    }
    if (negative) d.units = -d.units;
    return d;
}

__int128 pow10(int n) {
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

// Rounds half away from zero to `digits` decimals and writes them all.
std::string write_rounded(Decimal d, int digits) {
    __int128 units = d.units;
    if (d.scale > digits) {
        __int128 div = pow10(d.scale - digits);
        __int128 q = units / div, r = units % div;
        if (r < 0) r = -r;
        if (2 * r >= div) q += units < 0 ? -1 : 1;
        units = q;
    } else {
        units *= pow10(digits - d.scale);
    }
    bool negative = units < 0;
    if (negative) units = -units;
    std::string s;
    do {
        s.push_back(static_cast<char>('0' + static_cast<int>(units % 10)));
        units /= 10;
    } while (units > 0);
    while (static_cast<int>(s.size()) <= digits)
        s.push_back('0');
    std::reverse(s.begin(), s.end());
    if (digits > 0) s.insert(s.end() - digits, '.');
    if (negative && s.find_first_not_of("0.") != std::string::npos) s.insert(s.begin(), '-');
    return s;
}

std::optional<double> number(const Json &v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        double d = 0;
        auto res = std::from_chars(s.data(), s.data() + s.size(), d);
        if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return d;
    }
    return std::nullopt;
}

// ------------------------------------------------------------ JSON access

const Json &null_json() {
    static const Json n = nullptr;
    return n;
}

// v[key] when v is an object holding key, else null.
const Json &at(const Json &v, const char *key) {
    if (!v.is_object()) return null_json();
    auto it = v.find(key);
    return it == v.end() ? null_json() : *it;
}
const Json &at(const Json &v, std::initializer_list<const char *> path) {
    const Json *cur = &v;
    for (const char *k : path)
        cur = &at(*cur, k);
    return *cur;
}
bool has(const Json &v, const char *key) {
    return v.is_object() && v.contains(key);
}
std::optional<double> num(const Json &v) {
    return number(v);
}
std::string str(const Json &v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return v.dump();
}
std::optional<std::string> opt_str(const Json &v) {
    if (v.is_null()) return std::nullopt;
    return str(v);
}

// ------------------------------------------------------------ formatting

// round(v, digits) as text, or an en dash.
std::string md(std::optional<double> v, int digits) {
    if (!v) return kDash;
    auto s = format_decimal(*v, digits);
    return s ? *s : kDash;
}
std::string md(const Json &v, int digits) {
    return md(num(v), digits);
}
std::string md(double v, int digits) {
    return md(std::optional<double>(v), digits);
}

// One decimal, for SVG coordinates.
std::string fx(double v) {
    return md(std::optional<double>(v), 1);
}
std::string itos(long long v) {
    return std::to_string(v);
}

} // namespace html_detail

namespace {

// Decodes one UTF-8 character at s[i]; returns its code point and advances
// i, or U+FFFD (advancing one byte) for an invalid sequence.
uint32_t next_code_point(std::string_view s, size_t &i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return 0xFFFD;
    }
    i += len;
    return cp;
}

void append_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

Language language_from_code(std::string_view code) {
    return code == "es" ? Language::Spanish : Language::English;
}

std::string subst(std::string_view pattern, std::initializer_list<std::string_view> args) {
    std::string out;
    out.reserve(pattern.size() + 32);
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9' &&
            pattern[i + 2] == '}') {
            size_t k = static_cast<size_t>(pattern[i + 1] - '0');
            if (k < args.size()) {
                out += *(args.begin() + k);
                i += 2;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
    return out;
}

std::string html_escape(std::string_view value, size_t max_chars) {
    if (max_chars == 0 || max_chars > kMaxTextChars) max_chars = kMaxTextChars;
    std::string out;
    size_t chars = 0, i = 0;
    // count the characters (up to one past the bound) first: a text longer
    // than max_chars keeps max_chars - 1 of them and the ellipsis
    for (size_t j = 0; j < value.size() && chars <= max_chars; ++chars)
        next_code_point(value, j);
    size_t keep = chars > max_chars ? max_chars - 1 : SIZE_MAX;
    out.reserve(std::min(value.size(), 4 * max_chars) + 16);
    size_t written = 0;
    while (i < value.size() && written < keep) {
        uint32_t cp = next_code_point(value, i);
        ++written;
        switch (cp) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            append_utf8(out, cp);
        }
    }
    if (keep != SIZE_MAX) out += html_detail::kEllipsis;
    return out;
}

std::optional<std::string> format_decimal(double value, int digits) {
    auto d = html_detail::to_decimal(value);
    if (!d) return std::nullopt;
    return html_detail::write_rounded(*d, digits);
}

std::optional<std::string> format_decimal(const Json &value, int digits) {
    auto v = html_detail::number(value);
    if (!v) return std::nullopt;
    return format_decimal(*v, digits);
}

std::string ascii_html(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    size_t i = 0;
    while (i < utf8.size()) {
        if (static_cast<unsigned char>(utf8[i]) < 0x80) {
            out.push_back(utf8[i++]);
            continue;
        }
        uint32_t cp = next_code_point(utf8, i);
        out += "&#" + std::to_string(cp) + ";";
    }
    return out;
}

} // namespace intent::report
