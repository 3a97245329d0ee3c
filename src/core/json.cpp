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
    DomBuilder(Json &root, const std::function<bool()> &should_stop)
        : root_(root), should_stop_(should_stop) {}

    bool null() { return put(nullptr); }
    bool boolean(bool v) { return put(v); }
    bool number_integer(Json::number_integer_t v) { return put(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
    bool number_float(Json::number_float_t v, const Json::string_t &) { return put(v); }
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
    std::vector<Json *> stack_;                                 // the open containers, outermost first
    std::vector<std::unordered_map<std::string, size_t>> keys_; // each open container's keys (arrays: none)
    Json *slot_ = nullptr;
    const std::string *key_ = nullptr;
    size_t events_ = 0;
};

} // namespace

Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop) {
    Json result;
    DomBuilder sax(result, should_stop);
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
