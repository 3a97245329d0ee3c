// parse_json() and dump_json(): nlohmann::json with a depth limit and the
// core's error type.
#include "json.h"

#include "errors.h"
#include "text.h"

#include <unordered_map>
#include <vector>

namespace intent {

namespace {

// The DOM builder parse_json() parses with: the depth limit and the cancel
// poll on every value, and every insertion in constant time. nlohmann's
// own builders are not: its callback parser scans a container's elements
// each time one of them ends (an array of 150,000 objects took 16 s), and
// its plain builder finds a key's place in an ordered_json object by a
// linear search (an object of 50,000 keys took 10 s, one of 200,000 70 s;
// an audit). Here each open object keeps an index of its keys; a repeated
// key replaces the value in its first place, as nlohmann's operator[] does.
class DomBuilder {
  public:
    DomBuilder(Json &root, const std::function<bool()> &should_stop, JsonNumbers numbers)
        : root_(root), should_stop_(should_stop), numbers_(numbers) {}

    bool null() { return put(nullptr); }
    bool boolean(bool v) { return put(v); }
    bool number_integer(Json::number_integer_t v) { return put(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
    // `text` is the number as written: nlohmann calls this for every number
    // with a fraction or an exponent, and for an integer beyond 64 bits.
    bool number_float(Json::number_float_t v, const Json::string_t &text) {
        bool negative = false;
        uint64_t magnitude = 0;
        if (numbers_ == JsonNumbers::ExactIntegers && json_number_integer(text, negative, magnitude)) {
            if (!negative) return put(static_cast<Json::number_unsigned_t>(magnitude));
            if (magnitude <= static_cast<uint64_t>(INT64_MAX) + 1)
                return put(static_cast<Json::number_integer_t>(-static_cast<int64_t>(magnitude - 1) - 1));
        }
        return put(v);
    }
    bool string(Json::string_t &v) { return put(std::move(v)); }
    bool binary(Json::binary_t &v) { return put(Json::binary(std::move(v))); }
    bool start_object(std::size_t) {
        open(put(Json::object()));
        return true;
    }
    bool start_array(std::size_t) {
        open(put(Json::array()));
        return true;
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(Json::string_t &k) {
        check();
        auto &entries = static_cast<std::vector<Json::object_t::value_type> &>(
            *stack_.back()->get_ptr<Json::object_t *>());
        auto [at, fresh] = keys_.back().try_emplace(k, entries.size());
        if (fresh) entries.emplace_back(std::move(k), nullptr);
        slot_ = &entries[at->second].second;
        key_ = &entries[at->second].first;
        return true;
    }
    // The key whose value was read last (an array's elements included),
    // or nullptr at the top level: what a value's error names. Only key()
    // adds to an object's entries, and it sets this again, so the pointer
    // stays valid until then.
    const std::string *last_key() const { return key_; }
    template <class Exception> bool parse_error(std::size_t, const std::string &, const Exception &e) {
        throw e;
    }

  private:
    // Where the next value goes: the root, the end of the open array, or
    // the slot of the key just read. Returns the value's place.
    Json *put(Json &&v) {
        check();
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        Json &top = *stack_.back();
        if (top.is_array()) {
            top.get_ptr<Json::array_t *>()->push_back(std::move(v));
            return &top.get_ptr<Json::array_t *>()->back();
        }
        *slot_ = std::move(v);
        return slot_;
    }
    template <class V> bool put(V &&v) {
        put(Json(std::forward<V>(v)));
        return true;
    }
    void open(Json *container) {
        stack_.push_back(container);
        keys_.emplace_back();
    }
    bool close() {
        stack_.pop_back();
        keys_.pop_back();
        return true;
    }
    // A value (or key) inside the open containers: within the depth limit
    // (a value at depth kMaxJsonDepth is one level too deep), and the cancel.
    void check() {
        if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth))
            throw Error(ErrorKind::InvalidArgument, "JSON nested too deeply",
                        "JSON values may nest at most " + std::to_string(kMaxJsonDepth) + " levels.");
        if ((++events_ & 4095) == 0 && should_stop_ && should_stop_())
            throw Error(ErrorKind::Cancelled, "cancelled");
    }

    Json &root_;
    const std::function<bool()> &should_stop_;
    const JsonNumbers numbers_;
    std::vector<Json *> stack_;                                 // the open containers, outermost first
    std::vector<std::unordered_map<std::string, size_t>> keys_; // each open container's keys (arrays: none)
    Json *slot_ = nullptr;
    const std::string *key_ = nullptr;
    size_t events_ = 0;
};

} // namespace

bool json_number_integer(std::string_view text, bool &negative, uint64_t &magnitude) {
    auto digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
    size_t i = 0;
    negative = i < text.size() && text[i] == '-';
    if (negative) ++i;
    // The value is 0.D x 10^(point + exponent), D the digits without the
    // point: `point` of them before it.
    std::string digits;
    while (digit(i))
        digits += text[i++];
    const int64_t point = static_cast<int64_t>(digits.size());
    if (i < text.size() && text[i] == '.') {
        ++i;
        if (!digit(i)) return false;
        while (digit(i))
            digits += text[i++];
    }
    if (digits.empty()) return false;
    int64_t exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        const bool exponent_negative = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        if (!digit(i)) return false;
        // Past 10^9 the answer no longer depends on it: a non-zero digit
        // is then beyond 64 bits or after the point.
        while (digit(i)) {
            if (exponent < 1000000000) exponent = exponent * 10 + (text[i] - '0');
            ++i;
        }
        if (exponent_negative) exponent = -exponent;
    }
    if (i != text.size()) return false;
    const size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) { // zero, however written
        negative = false;
        magnitude = 0;
        return true;
    }
    const int64_t last = static_cast<int64_t>(digits.find_last_not_of('0'));
    const int64_t integer_digits = point + exponent; // of D, those before the value's point
    if (integer_digits <= last) return false;        // a non-zero digit after the point
    uint64_t m = 0;
    for (int64_t k = static_cast<int64_t>(first); k < integer_digits; ++k) {
        const unsigned d = k <= last ? static_cast<unsigned>(digits[static_cast<size_t>(k)] - '0') : 0;
        if (m > (UINT64_MAX - d) / 10) return false; // beyond 64 bits
        m = m * 10 + d;
    }
    magnitude = m;
    return true;
}

Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop,
                JsonNumbers numbers) {
    Json result;
    DomBuilder sax(result, should_stop, numbers);
    try {
        Json::sax_parse(text.begin(), text.end(), &sax);
        return result;
    } catch (const Json::parse_error &e) {
        throw Error(ErrorKind::InvalidArgument, std::string("invalid JSON in ") + what,
                    "Malformed JSON at byte " + std::to_string(e.byte) + ".");
    } catch (const Json::exception &) {
        // nlohmann's other parse failures, e.g. out_of_range for a number
        // beyond double's range (1e99999): found by fuzz_model_load in a
        // model's options section. The key says which option it was.
        const std::string *key = sax.last_key();
        throw Error(ErrorKind::InvalidArgument, std::string("invalid JSON in ") + what,
                    key ? "The value of \"" +
                              key->substr(0, key->size() > 64 ? utf8_cut(*key, 64) : key->size()) +
                              "\" is out of range (beyond a double)."
                        : std::string("A value in the JSON is out of range (beyond a double)."));
    }
}

std::string dump_json(const Json &value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace intent
