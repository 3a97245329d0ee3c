// How a training option's value is read and refused (option_values.cpp):
// the typed readers the options parser reads every key through, and the
// errors ModelOptions::validate() raises for the same ranges. Internal to
// the core's options (options.cpp), not an API.
#pragma once

#include "errors.h"
#include "json.h"

#include <cstdint>
#include <string>
#include <type_traits>

namespace intent::option_values {

// 22023 "invalid value for training option KEY", with a plain detail or one
// whose pattern takes the range's bounds as arguments (DetailWords).
[[noreturn]] void bad_option(const std::string &key, const std::string &detail);
[[noreturn]] void bad_option(const std::string &key, Message detail);

// A number's range, false for NaN: within [lo, hi]; within (0, hi].
bool number_within(double x, double lo, double hi);
bool positive_at_most(double x, double hi);

// A number option outside (0, hi] or [lo, hi]: the error. `name` is the
// option as the detail names it ("subword_vectors.weight").
[[noreturn]] void positive_out_of_range(const std::string &key, const std::string &name, double hi);
[[noreturn]] void positive_out_of_range(const std::string &key, double hi);
[[noreturn]] void number_out_of_range(const std::string &key, double lo, double hi);

// A number option's value within (0, hi] or [lo, hi], else the error.
double option_positive_at_most(const std::string &key, const std::string &name, const Json &v, double hi);
double option_positive_at_most(const std::string &key, const Json &v, double hi);
double option_number_between(const std::string &key, const Json &v, double lo, double hi);

// An integer option's value: a JSON number whose exact decimal value is an
// integer within [lo, hi], however written (the one rule of every integer
// key, see option_values.cpp); option_integer() refuses any other with its
// own detail, ranged_integer() with "KEY must be an integer between LO and HI."
bool integer_in_range(const Json &v, int64_t lo, int64_t hi, int64_t &out);
int64_t option_integer(const std::string &key, const Json &v, int64_t lo, int64_t hi, const char *detail);
[[noreturn]] void integer_out_of_range(const std::string &key, const std::string &name, int64_t lo,
                                       int64_t hi);
[[noreturn]] void integer_out_of_range(const std::string &key, int64_t lo, int64_t hi);
int64_t ranged_integer(const std::string &key, const std::string &name, const Json &v, int64_t lo,
                       int64_t hi);
int ranged_integer(const std::string &key, const Json &v, int lo, int hi);

// Whether a field's value, signed or not, is within [lo, hi]:
// validate()'s side of an integer range.
template <class T> bool integer_within(T v, int64_t lo, int64_t hi) {
    if constexpr (std::is_unsigned_v<T>)
        return hi >= 0 && static_cast<uint64_t>(v) <= static_cast<uint64_t>(hi) &&
               static_cast<int64_t>(v) >= lo;
    else
        return static_cast<int64_t>(v) >= lo && static_cast<int64_t>(v) <= hi;
}

// validate()'s side of a range, stated once a line: the field's value
// within it, else the parser's error for the key (`name` as above).
void require_number_within(const std::string &key, double x, double lo, double hi);
void require_positive_at_most(const std::string &key, const std::string &name, double x, double hi);
void require_positive_at_most(const std::string &key, double x, double hi);
template <class T>
void require_integer_within(const std::string &key, const std::string &name, T v, int64_t lo, int64_t hi) {
    if (!integer_within(v, lo, hi)) integer_out_of_range(key, name, lo, hi);
}
template <class T> void require_integer_within(const std::string &key, T v, int64_t lo, int64_t hi) {
    require_integer_within(key, key, v, lo, hi);
}

// A boolean option's value, else "KEY must be true or false."
bool option_bool(const std::string &key, const Json &v);

} // namespace intent::option_values
