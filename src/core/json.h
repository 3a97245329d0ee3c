// JSON for the core: nlohmann::json (Debian's nlohmann-json3-dev) with
// insertion-ordered objects, so reports and stored options keep a fixed key
// order and the same input always gives the same bytes. parse_json() adds
// what the core needs on top of the library: a depth limit (a hostile model
// blob or option object cannot exhaust the stack) and errors as
// intent::Error.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace intent {

using Json = nlohmann::ordered_json;

// Deepest nesting parse_json() accepts.
constexpr int kMaxJsonDepth = 64;

// Parses one JSON value (RFC 8259). Throws Error(InvalidArgument) naming
// `what` and the byte offset on malformed input or nesting deeper than
// kMaxJsonDepth. With `should_stop`, polls it every few thousand values and
// throws Error(Cancelled) when it says so: a caller may hand over megabytes.
Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop = {});

// Compact serialisation; invalid UTF-8 in strings is replaced (U+FFFD), so
// the output is always valid JSON for PostgreSQL's jsonb. NaN and infinities
// become null.
std::string dump_json(const Json &value);

} // namespace intent
