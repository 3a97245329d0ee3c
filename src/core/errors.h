// Typed errors thrown by the classifier core.
//
// The core never includes PostgreSQL headers. The SQL glue maps each ErrorKind
// to a SQLSTATE (see src/pg/guard.cpp); the CLI prints what() and exits.
#pragma once

#include <stdexcept>
#include <string>

namespace intent {

enum class ErrorKind {
    InvalidArgument,  // bad option or parameter value          -> 22023
    InvalidText,      // input text is not valid UTF-8            -> 22021
    CorruptModel,     // model blob fails validation              -> XX001
    InsufficientData, // too few rows or intents to train         -> 22023
    Cancelled,        // the cancel callback asked us to stop     -> 57014
    Internal,         // a broken invariant inside the core       -> XX000
};

// A configured memory budget would be exceeded (MemoryBudget)  -> 53200.
// Not an enumerator yet: the glue's switch over ErrorKind (sqlstate_for in
// src/pg/guard.cpp) is exhaustive and built with -Werror=switch, so a new
// enumerator would break the extension's build until the glue maps it.
// Until then such errors reach SQL as XX000 with their message, detail and
// hint. To finish: add `ResourceLimit = 6,` above (replacing this constant
// and its uses) and `case intent::ErrorKind::ResourceLimit: return
// ERRCODE_OUT_OF_MEMORY;` to sqlstate_for, in one commit.
constexpr ErrorKind kResourceLimit = static_cast<ErrorKind>(6);

// The one exception type the core throws (besides std::bad_alloc).
// `detail` and `hint` are optional full sentences for errdetail/errhint.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string &message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), kind_(kind), detail_(std::move(detail)), hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

} // namespace intent
