// Typed errors thrown by the classifier core.
//
// The core never includes PostgreSQL headers. The SQL glue maps each ErrorKind
// to a SQLSTATE (see src/pg/guard.cpp); the CLI prints what() and exits.
#pragma once

#include "messages.h"

#include <stdexcept>
#include <string>

namespace intent {

enum class ErrorKind {
    InvalidArgument,   // bad option or parameter value          -> 22023
    InvalidText,       // input text is not valid UTF-8            -> 22021
    CorruptModel,      // model blob fails validation              -> XX001
    InsufficientData,  // too few rows or intents to train         -> 22023
    Cancelled,         // the cancel callback asked us to stop     -> 57014
    Internal,          // a broken invariant inside the core       -> XX000
    ResourceLimit = 6, // a configured memory budget would be exceeded -> 53200
    ModelTooLarge = 7, // a model would hold more memory once loaded than its caller allows -> 54000
};

// A detail the SQL glue words in the reader's language, as a pattern and
// its arguments (an option's range: the bounds are arguments, read from the
// constants that state them, never copied into the sentence).
// No default constructor, so that {} as a detail stays the empty string.
struct DetailWords {
    explicit DetailWords(Message w) : words(std::move(w)) {}
    Message words;
};

// The one exception type the core throws (besides std::bad_alloc).
// `detail` and `hint` are optional full sentences for errdetail/errhint.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string &message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), kind_(kind), detail_(std::move(detail)), hint_(std::move(hint)) {}
    // A message the SQL glue words in the reader's language (messages.h):
    // what() is its English rendering.
    Error(ErrorKind kind, Message message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(render(message.pattern, message.args)), kind_(kind), detail_(std::move(detail)),
          hint_(std::move(hint)), message_(std::move(message)) {}
    // The same with a detail that carries its pattern: detail() is its
    // English rendering.
    Error(ErrorKind kind, Message message, DetailWords detail, std::string hint = {})
        : std::runtime_error(render(message.pattern, message.args)), kind_(kind),
          detail_(render(detail.words.pattern, detail.words.args)), hint_(std::move(hint)),
          message_(std::move(message)), detail_message_(std::move(detail.words)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }
    // The pattern and arguments (pattern nullptr: English only).
    const Message &message() const noexcept { return message_; }
    // The detail's pattern and arguments (pattern nullptr: detail() as it is).
    const Message &detail_message() const noexcept { return detail_message_; }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
    Message message_;
    Message detail_message_;
};

} // namespace intent
