// parse_json() and dump_json(): nlohmann::json with a depth limit and the
// core's error type.
#include "json.h"

#include "errors.h"

namespace intent {

namespace {

// nlohmann's DOM builder, with the depth limit and the cancel poll on every
// value. (nlohmann's callback parser would do both, but in 3.11 it scans a
// container's elements each time one of them ends: an array of 150,000
// objects took 16 s to parse, where this builder takes milliseconds.)
class LimitedDomParser {
  public:
    LimitedDomParser(Json &result, const std::function<bool()> &should_stop)
        : dom_(result), should_stop_(should_stop) {}

    bool null() { return value() && dom_.null(); }
    bool boolean(bool v) { return value() && dom_.boolean(v); }
    bool number_integer(Json::number_integer_t v) { return value() && dom_.number_integer(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return value() && dom_.number_unsigned(v); }
    bool number_float(Json::number_float_t v, const Json::string_t &s) {
        return value() && dom_.number_float(v, s);
    }
    bool string(Json::string_t &v) { return value() && dom_.string(v); }
    bool binary(Json::binary_t &v) { return value() && dom_.binary(v); }
    bool key(Json::string_t &v) { return value() && dom_.key(v); }
    bool start_object(std::size_t n) { return value() && (++depth_, dom_.start_object(n)); }
    bool start_array(std::size_t n) { return value() && (++depth_, dom_.start_array(n)); }
    bool end_object() { return --depth_, dom_.end_object(); }
    bool end_array() { return --depth_, dom_.end_array(); }
    template <class Exception>
    bool parse_error(std::size_t at, const std::string &token, const Exception &e) {
        return dom_.parse_error(at, token, e);
    }

  private:
    // A value (or key) inside depth_ open containers.
    bool value() {
        if (depth_ >= kMaxJsonDepth)
            throw Error(ErrorKind::InvalidArgument, "JSON nested too deeply",
                        "JSON values may nest at most " + std::to_string(kMaxJsonDepth) + " levels.");
        if ((++events_ & 4095) == 0 && should_stop_ && should_stop_())
            throw Error(ErrorKind::Cancelled, "cancelled");
        return true;
    }

    nlohmann::detail::json_sax_dom_parser<Json> dom_;
    const std::function<bool()> &should_stop_;
    int depth_ = 0;
    size_t events_ = 0;
};

} // namespace

Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop) {
    try {
        Json result;
        LimitedDomParser sax(result, should_stop);
        Json::sax_parse(text.begin(), text.end(), &sax);
        return result;
    } catch (const Json::parse_error &e) {
        throw Error(ErrorKind::InvalidArgument, std::string("invalid JSON in ") + what,
                    "Malformed JSON at byte " + std::to_string(e.byte) + ".");
    } catch (const Json::exception &) {
        // nlohmann's other parse failures, e.g. out_of_range for a number
        // beyond double's range (1e99999): found by fuzz_model_load in a
        // model's options section.
        throw Error(ErrorKind::InvalidArgument, std::string("invalid JSON in ") + what,
                    "A value in the JSON is out of range.");
    }
}

std::string dump_json(const Json &value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace intent
