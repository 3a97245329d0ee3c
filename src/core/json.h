// JSON for the core: nlohmann::json (Debian's nlohmann-json3-dev) with
// insertion-ordered objects, so reports and stored options keep a fixed key
// order and the same input always gives the same bytes. parse_json() adds
// what the core needs on top of the library: a depth limit (a hostile model
// blob or option object cannot exhaust the stack) and errors as
// intent::Error.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace intent {

using Json = nlohmann::ordered_json;

// Deepest nesting parse_json() accepts.
constexpr int kMaxJsonDepth = 64;

// How parse_json() keeps a number written with a fraction or an exponent.
// AsParsed: a double, as nlohmann does (3.0000000000000001 and 3.0 are both
// the double 3). ExactIntegers: the integer when the number's exact decimal
// value is an integer that 64 bits hold (3.0, 30e-1, 1e0, -0.0), else a
// double; so a value is a JSON integer (is_number_integer()) exactly when
// the number as written is an integer, which a double cannot tell. The
// training options are parsed so (options.cpp, option_integer()).
enum class JsonNumbers { AsParsed, ExactIntegers };

// Parses one JSON value (RFC 8259). Throws Error(InvalidArgument) naming
// `what` and the byte offset on malformed input or nesting deeper than
// kMaxJsonDepth. With `should_stop`, polls it every few thousand values and
// throws Error(Cancelled) when it says so: a caller may hand over megabytes.
Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop = {},
                JsonNumbers numbers = JsonNumbers::AsParsed);

// The rule of JsonNumbers::ExactIntegers, on a JSON number's text (RFC
// 8259's grammar): true when its exact decimal value is an integer of
// magnitude below 2^64, given as its sign and magnitude (zero, "-0"
// included, is not negative); false for any other text, an integer beyond
// 64 bits included.
bool json_number_integer(std::string_view text, bool &negative, uint64_t &magnitude);

// Compact serialisation; invalid UTF-8 in strings is replaced (U+FFFD), so
// the output is always valid JSON for PostgreSQL's jsonb. NaN and infinities
// become null.
std::string dump_json(const Json &value);

} // namespace intent
