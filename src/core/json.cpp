// parse_json() and dump_json(): nlohmann::json with a depth limit and the
// core's error type.
#include "json.h"

#include "errors.h"

namespace intent {

Json parse_json(std::string_view text, const char *what, const std::function<bool()> &should_stop) {
    // The callback sees every value as it is parsed, with its depth, before
    // anything deeper is built.
    size_t events = 0;
    auto limit_depth = [&](int depth, Json::parse_event_t, Json &) {
        if (depth >= kMaxJsonDepth) // depth counts from 0 at the top level
            throw Error(ErrorKind::InvalidArgument, "JSON nested too deeply",
                        "JSON values may nest at most " + std::to_string(kMaxJsonDepth) + " levels.");
        if ((++events & 4095) == 0 && should_stop && should_stop())
            throw Error(ErrorKind::Cancelled, "cancelled");
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit_depth);
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
