// Messages for people in more than one language: an English pattern, its
// arguments, and the gettext catalogue (.mo) that translates the pattern.
//
// Errors carry their pattern and arguments (errors.h) rather than only the
// finished English sentence, so the SQL glue can word them in the reader's
// language when it raises them (src/pg/language.cpp chooses the language
// and holds the catalogue). The catalogue is the standard gettext one that
// msgfmt builds from po/es.po, read here rather than through libintl: it
// then works on a server built without NLS, and the language is the one
// pg_intent.language chooses, whatever locales the host has compiled.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace intent {

// A pattern marked for translation: xgettext extracts the string literal
// given to N_() (make update-po); at run time it is the literal itself.
#ifndef N_
#define N_(pattern) pattern
#endif

// A pattern and its arguments. In the pattern, %s stands for the next
// argument, %N$s for argument N (1-based, so a translation may reorder
// them) and %% for a percent sign: the c-format subset that msgfmt --check
// verifies between a msgid and its msgstr.
struct Message {
    const char *pattern = nullptr; // a string literal (N_()), never freed
    std::vector<std::string> args;
};

// `pattern` with the arguments substituted, written into buf (cap > 0
// bytes, always terminated; the end is cut when it does not fit). A missing
// argument is written as nothing. Allocates nothing, so it may run while an
// exception is in flight. Returns the length written.
size_t render(const char *pattern, const std::vector<std::string> &args, char *buf, size_t cap) noexcept;
std::string render(const char *pattern, const std::vector<std::string> &args);

// A number as a message argument: an integral value without a fraction or
// an exponent (1e6 is "1000000"), any other with up to 15 significant
// digits (0.9 is "0.9"), as the sentences that state a range wrote them.
std::string number_arg(double v);

// A gettext catalogue (.mo, either byte order): msgid -> msgstr. Entries
// with an empty msgstr, and the header entry (empty msgid), are left out,
// so their English pattern stands.
class Catalogue {
  public:
    // Reads `path`; false (and the catalogue empty) when it is missing or
    // is not a valid .mo file.
    bool load(const std::string &path);
    // Parses the bytes of a .mo file; false when they are not one.
    bool parse(std::string bytes);
    // The translation of msgid, or nullptr. Allocates nothing.
    const char *find(std::string_view msgid) const noexcept;
    size_t size() const noexcept { return entries_.size(); }

  private:
    std::string bytes_;
    std::unordered_map<std::string_view, const char *> entries_;
};

} // namespace intent
