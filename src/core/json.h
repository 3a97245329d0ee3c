// Minimal JSON writer and reader, enough for options objects and reports.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace intent {

// Appends `s` as a JSON string literal (quotes, escapes, control characters
// as \u00XX; valid UTF-8 is passed through).
void json_append_string(std::string &out, std::string_view s);
// Appends a finite double with up to 6 significant decimals ("null" for NaN/inf).
void json_append_number(std::string &out, double v);

// Streaming writer that handles commas. Keys are escaped.
class JsonWriter {
  public:
    JsonWriter &begin_object();
    JsonWriter &end_object();
    JsonWriter &begin_array();
    JsonWriter &end_array();
    JsonWriter &key(std::string_view k);
    JsonWriter &value(std::string_view s);
    JsonWriter &value(const char *s) { return value(std::string_view(s)); }
    JsonWriter &value(double v);
    // Integers: one overload per fundamental type, because int64_t/uint64_t/
    // size_t are typedefs of these and coincide differently per platform.
    JsonWriter &value(long long v);
    JsonWriter &value(unsigned long long v);
    JsonWriter &value(int v) { return value(static_cast<long long>(v)); }
    JsonWriter &value(unsigned v) { return value(static_cast<unsigned long long>(v)); }
    JsonWriter &value(long v) { return value(static_cast<long long>(v)); }
    JsonWriter &value(unsigned long v) { return value(static_cast<unsigned long long>(v)); }
    JsonWriter &value(bool v);
    JsonWriter &null();
    JsonWriter &raw(std::string_view json); // an already-serialised JSON value
    const std::string &str() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    void comma();
    std::string out_;
    std::vector<bool> first_; // per open container: no element written yet
    bool after_key_ = false;
};

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<JsonValue> array;
    std::vector<std::pair<std::string, JsonValue>> object; // in document order
};

// Parses one JSON value (RFC 8259). Throws Error(InvalidArgument) with the
// byte offset on malformed input. Depth is limited to 64.
JsonValue json_parse(std::string_view text);

} // namespace intent
