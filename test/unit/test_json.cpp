// What the core adds around nlohmann::json: the depth limit, errors as
// intent::Error with the byte offset, output that is always valid JSON, key
// order kept, and numbers that read back as the same double.
#include "errors.h"
#include "json.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <string>

using intent::dump_json;
using intent::ErrorKind;
using intent::Json;
using intent::parse_json;

namespace {

// Expects parse_json to throw Error(InvalidArgument) whose detail contains `needle`.
void expect_reject(const std::string &text, const std::string &needle) {
    try {
        parse_json(text, "test input");
        ADD_FAILURE() << "accepted: " << text.substr(0, 80);
    } catch (const intent::Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << text.substr(0, 80);
        EXPECT_NE(e.detail().find(needle), std::string::npos) << e.detail();
    }
}

} // namespace

TEST(Json, ParsesObjectsKeepingKeyOrder) {
    Json j = parse_json(R"({"zeta": 1, "alpha": [true, null, "x"], "mid": {"b": 2.5, "a": -1}})", "t");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(dump_json(j), R"({"zeta":1,"alpha":[true,null,"x"],"mid":{"b":2.5,"a":-1}})");
}

TEST(Json, MalformedInputNamesTheByte) {
    expect_reject("{\"a\": }", "byte 7");
    expect_reject("[1, 2", "byte");
    expect_reject("", "byte");
    expect_reject("{\"a\": 1} trailing", "byte");
    expect_reject("\"\\x\"", "byte");
}

// nlohmann throws out_of_range, not parse_error, for a number beyond
// double's range; it must come out as the core's error like any bad JSON.
TEST(Json, NumberOutOfRangeIsRejected) {
    expect_reject("{\"tolerance\": 2e99999}", "The value of \"tolerance\" is out of range");
    expect_reject("{\"C\": 1, \"limits\": {\"rows\": [1, -1e400]}}", "The value of \"rows\" is out of range");
    expect_reject("[-1e400]", "A value in the JSON is out of range");
    // A long key is cut whole characters at a time (64 bytes at most).
    expect_reject("{\"" + std::string(63, 'k') + "\u00e9\u00e9\": 1e400}",
                  "\"" + std::string(63, 'k') + "\" is out of range");
}

TEST(Json, NestingIsLimited) {
    // At the limit it parses; one level deeper it is refused before the
    // deeper values are built (a hostile blob cannot exhaust the stack).
    std::string ok(intent::kMaxJsonDepth, '['), deep(intent::kMaxJsonDepth + 1, '[');
    ok += std::string(intent::kMaxJsonDepth, ']');
    deep += std::string(intent::kMaxJsonDepth + 1, ']');
    EXPECT_NO_THROW(parse_json(ok, "t"));
    expect_reject(deep, "nest");
    expect_reject(std::string(1000000, '['), "nest");
    std::string objects;
    for (int i = 0; i <= intent::kMaxJsonDepth; ++i)
        objects += "{\"a\":";
    objects += "1" + std::string(intent::kMaxJsonDepth + 1, '}');
    expect_reject(objects, "nest");
}

// A caller's should_stop is polled while a long document is parsed: a
// cancel stops the parse (Error(Cancelled)), and a short document or one
// never told to stop parses as before.
TEST(Json, ParseStopsWhenTold) {
    std::string many = "[";
    for (int i = 0; i < 100000; ++i)
        many += (i ? ",1" : "1");
    many += "]";
    int polls = 0;
    try {
        parse_json(many, "t", [&] { return ++polls >= 3; });
        ADD_FAILURE() << "parsed to the end";
    } catch (const intent::Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
    }
    EXPECT_EQ(polls, 3);
    polls = 0;
    EXPECT_EQ(parse_json(many, "t", [&] { return ++polls < 0; }).size(), 100000u);
    EXPECT_GT(polls, 10);
    EXPECT_EQ(parse_json("[1,2]", "t", [] { return true; }).size(), 2u);
}

TEST(Json, DumpIsValidJsonEvenForInvalidUtf8AndNonFiniteNumbers) {
    Json j = Json::object();
    j["bad"] = std::string("a\xff\xfe"
                           "b");
    j["nan"] = std::numeric_limits<double>::quiet_NaN();
    j["inf"] = std::numeric_limits<double>::infinity();
    j["ctl"] = std::string("tab\tnl\nq\"bs\\\x01");
    std::string out = dump_json(j);
    EXPECT_EQ(out, "{\"bad\":\"a\xEF\xBF\xBD\xEF\xBF\xBD"
                   "b\",\"nan\":null,\"inf\":null,"
                   "\"ctl\":\"tab\\tnl\\nq\\\"bs\\\\\\u0001\"}");
    EXPECT_NO_THROW(parse_json(out, "t"));
}

TEST(Json, DoublesReadBackExactly) {
    // Shortest round-trip output: a probability written to jsonb reads back
    // as the same double (predict_intent's top_intents equal confidence).
    const double values[] = {0.1, 1.0 / 3.0, 0.7480000257492065, 1e-300, 123456789.123, 5e-324, -0.0, 1.0};
    for (double v : values) {
        Json j = parse_json(dump_json(Json(v)), "t");
        EXPECT_EQ(j.get<double>(), v) << dump_json(Json(v));
    }
    for (int i = 1; i < 2000; ++i) {
        float f = static_cast<float>(i) / 2001.0f;
        EXPECT_EQ(parse_json(dump_json(Json(static_cast<double>(f))), "t").get<double>(),
                  static_cast<double>(f));
    }
}

// parse_json() builds what nlohmann's own parser builds: the same values,
// types, key order, and a repeated key's last value in its first place.
TEST(Json, BuildsWhatNlohmannBuilds) {
    std::vector<std::string> inputs = {
        "0",
        "-0",
        "1.0",
        "-1.5e-300",
        "18446744073709551615",
        "-9223372036854775808",
        "9223372036854775808",
        "\"\\u00e9\\ud83d\\ude00\"",
        "true",
        "null",
        "[]",
        "{}",
        "[[], {}, [[]]]",
        R"({"a": 1, "b": {"c": [1, 2, {"d": null}]}, "a": 2, "e": "x", "b": 3})",
        R"({"z": 1, "y": 2, "x": {"z": [], "z": {}}, "y": 5})",
        R"([{"a": 1, "a": 1}, {"a": [1, {"a": 2}]}])"};
    // random documents, nested and with repeated keys
    uint64_t state = 42;
    auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
    std::function<std::string(int)> gen = [&](int depth) -> std::string {
        switch (depth > 5 ? next() % 4 : next() % 6) {
        case 0:
            return std::to_string(static_cast<int64_t>(next() >> 20) - (int64_t{1} << 42));
        case 1:
            return std::to_string(static_cast<double>(next() % 100000) / 7.0);
        case 2:
            return "\"k" + std::to_string(next() % 5) + "\"";
        case 3:
            return next() % 2 ? "true" : "null";
        case 4: {
            std::string a = "[";
            for (uint64_t i = 0, n = next() % 5; i < n; ++i)
                a += (i ? "," : "") + gen(depth + 1);
            return a + "]";
        }
        default: {
            std::string o = "{";
            for (uint64_t i = 0, n = next() % 6; i < n; ++i)
                o += (i ? ",\"k" : "\"k") + std::to_string(next() % 4) + "\":" + gen(depth + 1);
            return o + "}";
        }
        }
    };
    for (int i = 0; i < 3000; ++i)
        inputs.push_back(gen(0));
    for (const std::string &in : inputs) {
        const Json ours = parse_json(in, "t"), theirs = Json::parse(in);
        EXPECT_EQ(ours.dump(), theirs.dump()) << in;
        EXPECT_EQ(ours, theirs) << in;
    }
    // an object of 200,000 keys, which took 70 s before (no timing here:
    // that it parses whole)
    std::string big = "{";
    for (int i = 0; i < 200000; ++i)
        big += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + std::to_string(i);
    big += "}";
    const Json many = parse_json(big, "t");
    EXPECT_EQ(many.size(), 200000u);
    EXPECT_EQ(many["199999"], 199999);
}

// JsonNumbers::ExactIntegers: a number is a JSON integer exactly when its
// decimal value is an integer of 64 bits, on its text, never a double.
TEST(Json, ExactIntegersOnTheNumbersText) {
    const Json j =
        parse_json(R"([3.0, 30e-1, 1e0, -0.0, 3.0000000000000001, 2.5, 1e-400, 1.8446744073709551615e19,
                                  -9.223372036854775808e18, -9.223372036854775809e18, 18446744073709551616])",
                   "t", {}, intent::JsonNumbers::ExactIntegers);
    EXPECT_TRUE(j[0].is_number_unsigned() && j[0].get<uint64_t>() == 3);
    EXPECT_TRUE(j[1].is_number_unsigned() && j[1].get<uint64_t>() == 3);
    EXPECT_TRUE(j[2].is_number_unsigned() && j[2].get<uint64_t>() == 1);
    EXPECT_TRUE(j[3].is_number_unsigned() && j[3].get<uint64_t>() == 0);
    EXPECT_TRUE(j[4].is_number_float());
    EXPECT_TRUE(j[5].is_number_float());
    EXPECT_TRUE(j[6].is_number_float());
    EXPECT_TRUE(j[7].is_number_unsigned() && j[7].get<uint64_t>() == UINT64_MAX);
    EXPECT_TRUE(j[8].is_number_integer() && !j[8].is_number_unsigned() && j[8].get<int64_t>() == INT64_MIN);
    EXPECT_TRUE(j[9].is_number_float());
    EXPECT_TRUE(j[10].is_number_float());
    // As parsed, every one of them is a double.
    const Json d = parse_json("[3.0, 3.0000000000000001]", "t");
    EXPECT_TRUE(d[0].is_number_float() && d[1].is_number_float());
    EXPECT_EQ(d[0], d[1]);

    bool negative = true;
    uint64_t magnitude = 1;
    EXPECT_TRUE(intent::json_number_integer("0e999999999999", negative, magnitude));
    EXPECT_FALSE(negative);
    EXPECT_EQ(magnitude, 0u);
    EXPECT_TRUE(intent::json_number_integer("-120000e-4", negative, magnitude));
    EXPECT_TRUE(negative);
    EXPECT_EQ(magnitude, 12u);
    EXPECT_FALSE(intent::json_number_integer("1e999999999999", negative, magnitude));
    EXPECT_FALSE(intent::json_number_integer("1.00000000000000000000000001", negative, magnitude));
    for (const char *bad : {"", "-", ".5", "1.", "1e", "1e+", "x", "1 "})
        EXPECT_FALSE(intent::json_number_integer(bad, negative, magnitude)) << bad;
}
