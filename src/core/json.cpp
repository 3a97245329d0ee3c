// Minimal JSON writer and strict RFC 8259 reader.
#include "json.h"

#include "errors.h"

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <locale.h>

namespace intent {

namespace {

const char kHex[] = "0123456789abcdef";

// Appends code point `cp` (already known to be a valid scalar value) as UTF-8.
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

// Length of the valid UTF-8 sequence starting at s[i] (shortest form, no
// surrogates, <= U+10FFFF), or 0 when it is invalid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) return 1;
    size_t n = s.size() - i;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (b(i + 1) & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (b(i + 1) & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
        if (c == 0xED && b(i + 1) >= 0xA0) return 0; // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (b(i + 1) & 0xC0) != 0x80 || (b(i + 2) & 0xC0) != 0x80 || (b(i + 3) & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
        if (c == 0xF4 && b(i + 1) >= 0x90) return 0; // > U+10FFFF
        return 4;
    }
    return 0;
}

// A "C"-locale handle for strtod_l, so a backend or CLI running under a
// locale with a decimal comma still parses "0.5" as one half.
locale_t c_locale() {
    static locale_t loc = newlocale(LC_NUMERIC_MASK, "C", static_cast<locale_t>(nullptr));
    return loc;
}

// Recursive-descent parser over a string_view; every read is bounds-checked.
class Parser {
  public:
    explicit Parser(std::string_view text) : s_(text) {}

    // Parses the single top-level value and rejects anything after it.
    JsonValue parse_document() {
        JsonValue v;
        skip_ws();
        parse_value(v, 0);
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected characters after the JSON value");
        return v;
    }

  private:
    [[noreturn]] void fail(const char *what) const {
        throw Error(ErrorKind::InvalidArgument, "invalid JSON",
                    std::string("JSON parse error at byte ") + std::to_string(pos_) + ": " + what + ".");
    }

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return s_[pos_]; }

    void skip_ws() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }

    // Consumes the literal `word` (true/false/null) or fails.
    void expect_word(const char *word) {
        size_t n = std::strlen(word);
        if (s_.size() - pos_ < n || s_.compare(pos_, n, word) != 0) fail("invalid literal");
        pos_ += n;
    }

    void parse_value(JsonValue &v, int depth) {
        if (at_end()) fail("unexpected end of input");
        switch (peek()) {
        case '{':
            parse_object(v, depth + 1);
            return;
        case '[':
            parse_array(v, depth + 1);
            return;
        case '"':
            v.type = JsonValue::Type::String;
            parse_string(v.string);
            return;
        case 't':
            expect_word("true");
            v.type = JsonValue::Type::Bool;
            v.boolean = true;
            return;
        case 'f':
            expect_word("false");
            v.type = JsonValue::Type::Bool;
            v.boolean = false;
            return;
        case 'n':
            expect_word("null");
            v.type = JsonValue::Type::Null;
            return;
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                v.type = JsonValue::Type::Number;
                v.number = parse_number();
                return;
            }
            fail("unexpected character");
        }
    }

    void check_depth(int depth) {
        if (depth > kMaxDepth) fail("nesting deeper than 64 levels");
    }

    void parse_object(JsonValue &v, int depth) {
        check_depth(depth);
        v.type = JsonValue::Type::Object;
        ++pos_; // '{'
        skip_ws();
        if (!at_end() && peek() == '}') {
            ++pos_;
            return;
        }
        for (;;) {
            skip_ws();
            if (at_end() || peek() != '"') fail("expected a string key");
            std::string key;
            parse_string(key);
            skip_ws();
            if (at_end() || peek() != ':') fail("expected ':' after an object key");
            ++pos_;
            skip_ws();
            v.object.emplace_back(std::move(key), JsonValue{});
            parse_value(v.object.back().second, depth);
            skip_ws();
            if (at_end()) fail("unterminated object");
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return;
            }
            fail("expected ',' or '}' in an object");
        }
    }

    void parse_array(JsonValue &v, int depth) {
        check_depth(depth);
        v.type = JsonValue::Type::Array;
        ++pos_; // '['
        skip_ws();
        if (!at_end() && peek() == ']') {
            ++pos_;
            return;
        }
        for (;;) {
            skip_ws();
            v.array.emplace_back();
            parse_value(v.array.back(), depth);
            skip_ws();
            if (at_end()) fail("unterminated array");
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return;
            }
            fail("expected ',' or ']' in an array");
        }
    }

    // Four hex digits after "\u".
    uint32_t parse_hex4() {
        if (s_.size() - pos_ < 4) fail("truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<uint32_t>(c - 'A' + 10);
            else
                fail("invalid hex digit in \\u escape");
        }
        return v;
    }

    void parse_string(std::string &out) {
        ++pos_; // opening quote
        for (;;) {
            if (at_end()) fail("unterminated string");
            unsigned char c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++pos_;
                return;
            }
            if (c < 0x20) fail("control character in a string");
            if (c == '\\') {
                ++pos_;
                if (at_end()) fail("unterminated escape");
                char e = s_[pos_++];
                switch (e) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    uint32_t cp = parse_hex4();
                    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("unpaired low surrogate");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (s_.size() - pos_ < 2 || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
                            fail("unpaired high surrogate");
                        pos_ += 2;
                        uint32_t lo = parse_hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) fail("unpaired high surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    fail("invalid escape");
                }
                continue;
            }
            size_t n = utf8_sequence_length(s_, pos_);
            if (n == 0) fail("invalid UTF-8 in a string");
            out.append(s_.data() + pos_, n);
            pos_ += n;
        }
    }

    // Validates the RFC 8259 number grammar, then converts with strtod_l.
    double parse_number() {
        size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (at_end()) fail("truncated number");
        if (peek() == '0') {
            ++pos_;
        } else if (peek() >= '1' && peek() <= '9') {
            while (!at_end() && peek() >= '0' && peek() <= '9')
                ++pos_;
        } else {
            fail("invalid number");
        }
        if (!at_end() && peek() == '.') {
            ++pos_;
            if (at_end() || !(peek() >= '0' && peek() <= '9')) fail("digit expected after '.'");
            while (!at_end() && peek() >= '0' && peek() <= '9')
                ++pos_;
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++pos_;
            if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
            if (at_end() || !(peek() >= '0' && peek() <= '9')) fail("digit expected in exponent");
            while (!at_end() && peek() >= '0' && peek() <= '9')
                ++pos_;
        }
        // strtod needs a NUL-terminated copy; numbers are short.
        std::string copy(s_.substr(start, pos_ - start));
        double v = strtod_l(copy.c_str(), nullptr, c_locale());
        if (!std::isfinite(v)) {
            pos_ = start;
            fail("number out of range");
        }
        return v;
    }

    static constexpr int kMaxDepth = 64;
    std::string_view s_;
    size_t pos_ = 0;
};

} // namespace

// Escapes quotes, backslashes and control characters; other bytes pass through.
void json_append_string(std::string &out, std::string_view s) {
    out.push_back('"');
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
}

// Six significant digits in the shortest of fixed/scientific form; locale-free.
void json_append_number(std::string &out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    if (v == 0) v = 0; // no "-0"
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
    out.append(buf, res.ptr);
}

// Writes the separating comma unless this is the first element or follows a key.
void JsonWriter::comma() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_.push_back(',');
        first_.back() = false;
    }
}

JsonWriter &JsonWriter::begin_object() {
    comma();
    out_.push_back('{');
    first_.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::end_object() {
    out_.push_back('}');
    if (!first_.empty()) first_.pop_back();
    return *this;
}

JsonWriter &JsonWriter::begin_array() {
    comma();
    out_.push_back('[');
    first_.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::end_array() {
    out_.push_back(']');
    if (!first_.empty()) first_.pop_back();
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view k) {
    comma();
    json_append_string(out_, k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
}

JsonWriter &JsonWriter::value(std::string_view s) {
    comma();
    json_append_string(out_, s);
    return *this;
}

JsonWriter &JsonWriter::value(double v) {
    comma();
    json_append_number(out_, v);
    return *this;
}

JsonWriter &JsonWriter::value(long long v) {
    comma();
    out_ += std::to_string(v);
    return *this;
}

JsonWriter &JsonWriter::value(unsigned long long v) {
    comma();
    out_ += std::to_string(v);
    return *this;
}

JsonWriter &JsonWriter::value(bool v) {
    comma();
    out_ += v ? "true" : "false";
    return *this;
}

JsonWriter &JsonWriter::null() {
    comma();
    out_ += "null";
    return *this;
}

JsonWriter &JsonWriter::raw(std::string_view json) {
    comma();
    out_.append(json.data(), json.size());
    return *this;
}

JsonValue json_parse(std::string_view text) {
    return Parser(text).parse_document();
}

} // namespace intent
