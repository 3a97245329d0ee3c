// Deterministic synthetic typos, so a model also learns the misspelt forms
// chat messages are full of.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace intent {

// A copy of `text` (valid UTF-8) with one or two of its words of at least
// three letters misspelt: a letter dropped, two neighbouring letters swapped,
// or a letter replaced by a neighbour on a QWERTY/Spanish keyboard. Which
// words and which edit depend only on the text, `seed` and `variant`, never on
// the row order. Returns the text unchanged when no word is long enough.
std::string typo_variant(std::string_view text, uint64_t seed, uint32_t variant);

} // namespace intent
