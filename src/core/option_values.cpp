// How a training option's value is read and refused: the typed readers
// (a number within a range, an integer however written, a boolean) and the
// one error of a bad value (22023, "invalid value for training option"),
// its detail giving the range's bounds as arguments. The options parser
// (options.cpp) reads every key through these, and ModelOptions::validate()
// raises the same errors for the same ranges.
#include "option_values.h"

#include "errors.h"

namespace intent::option_values {

[[noreturn]] void bad_option(const std::string &key, const std::string &detail) {
    throw Error(ErrorKind::InvalidArgument, Message{N_("invalid value for training option \"%s\""), {key}},
                detail);
}

// The same with a detail whose pattern takes arguments: an option's range,
// its bounds given as arguments from the constants that state them (the
// options structs' headers), so that a range is written once.
[[noreturn]] void bad_option(const std::string &key, Message detail) {
    throw Error(ErrorKind::InvalidArgument, Message{N_("invalid value for training option \"%s\""), {key}},
                DetailWords(std::move(detail)));
}

// The two rules of a number option's range, false for NaN: within
// [lo, hi], and within (0, hi] (a lower bound of 0 excluded is the
// pattern's own words, "greater than 0").
bool number_within(double x, double lo, double hi) {
    return x >= lo && x <= hi;
}
bool positive_at_most(double x, double hi) {
    return x > 0 && x <= hi;
}

// A number option outside (0, hi]: the parser's error, and
// ModelOptions::validate()'s for the same range. `name` is the option as
// the detail names it (a key of subword_vectors' object: "subword_vectors.weight").
[[noreturn]] void positive_out_of_range(const std::string &key, const std::string &name, double hi) {
    bad_option(key,
               Message{N_("%s must be a number greater than 0 and at most %s."), {name, number_arg(hi)}});
}
[[noreturn]] void positive_out_of_range(const std::string &key, double hi) {
    positive_out_of_range(key, key, hi);
}

// A number option within (0, hi]: "KEY must be a number greater than 0 and
// at most HI."
double option_positive_at_most(const std::string &key, const std::string &name, const Json &v, double hi) {
    if (v.is_number()) {
        const double x = v.get<double>();
        if (positive_at_most(x, hi)) return x;
    }
    positive_out_of_range(key, name, hi);
}
double option_positive_at_most(const std::string &key, const Json &v, double hi) {
    return option_positive_at_most(key, key, v, hi);
}

// A number option outside [lo, hi]: the parser's error and validate()'s.
[[noreturn]] void number_out_of_range(const std::string &key, double lo, double hi) {
    bad_option(key,
               Message{N_("%s must be a number between %s and %s."), {key, number_arg(lo), number_arg(hi)}});
}

// A number option within [lo, hi]: "KEY must be a number between LO and HI."
double option_number_between(const std::string &key, const Json &v, double lo, double hi) {
    if (v.is_number()) {
        const double x = v.get<double>();
        if (number_within(x, lo, hi)) return x;
    }
    number_out_of_range(key, lo, hi);
}

// An integer option's value, the one rule of every integer key: a JSON
// number whose exact decimal value is an integer within [lo, hi], however
// it is written (3, 3.0, 30e-1 and 1e0 are 3). A JSON number is an exact
// decimal: 3.0000000000000001 is not 3, though a double rounds it to 3, and
// is refused (before, this read the double: it applied 3 there, 0 for
// 1e-400, and 2^53 for 2^53 + 1, past seed's bound). parse_options_object()
// parses with JsonNumbers::ExactIntegers, so such a number, and only such a
// number, is a JSON integer here; it is never read through a double.
bool integer_in_range(const Json &v, int64_t lo, int64_t hi, int64_t &out) {
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo) return false;
        out = static_cast<int64_t>(u);
        return true;
    }
    if (!v.is_number_integer()) return false;
    const int64_t n = v.get<int64_t>();
    if (n < lo || n > hi) return false;
    out = n;
    return true;
}

int64_t option_integer(const std::string &key, const Json &v, int64_t lo, int64_t hi, const char *detail) {
    int64_t n = 0;
    if (!integer_in_range(v, lo, hi, n)) bad_option(key, detail);
    return n;
}

// An integer option outside [lo, hi]: the parser's error, and
// ModelOptions::validate()'s for the same range (`name` as in
// positive_out_of_range()).
[[noreturn]] void integer_out_of_range(const std::string &key, const std::string &name, int64_t lo,
                                       int64_t hi) {
    bad_option(key, Message{N_("%s must be an integer between %s and %s."),
                            {name, std::to_string(lo), std::to_string(hi)}});
}
[[noreturn]] void integer_out_of_range(const std::string &key, int64_t lo, int64_t hi) {
    integer_out_of_range(key, key, lo, hi);
}

// An integer option within [lo, hi]: "KEY must be an integer between LO and
// HI." (option_integer()'s rule).
int64_t ranged_integer(const std::string &key, const std::string &name, const Json &v, int64_t lo,
                       int64_t hi) {
    int64_t n = 0;
    if (!integer_in_range(v, lo, hi, n)) integer_out_of_range(key, name, lo, hi);
    return n;
}
int ranged_integer(const std::string &key, const Json &v, int lo, int hi) {
    return static_cast<int>(ranged_integer(key, key, v, lo, hi));
}

void require_number_within(const std::string &key, double x, double lo, double hi) {
    if (!number_within(x, lo, hi)) number_out_of_range(key, lo, hi);
}
void require_positive_at_most(const std::string &key, const std::string &name, double x, double hi) {
    if (!positive_at_most(x, hi)) positive_out_of_range(key, name, hi);
}
void require_positive_at_most(const std::string &key, double x, double hi) {
    require_positive_at_most(key, key, x, hi);
}

bool option_bool(const std::string &key, const Json &v) {
    if (!v.is_boolean()) bad_option(key, key + " must be true or false.");
    return v.get<bool>();
}

} // namespace intent::option_values
