// JSON writer and parser: exact output, round trips, RFC 8259 rejects.
#include "errors.h"
#include "json.h"

#include <clocale>
#include <gtest/gtest.h>

using intent::ErrorKind;
using intent::json_parse;
using intent::JsonValue;
using intent::JsonWriter;

namespace {

// Expects json_parse to throw Error(InvalidArgument).
void expect_reject(const std::string &text) {
    try {
        json_parse(text);
        ADD_FAILURE() << "accepted: " << text;
    } catch (const intent::Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << text;
        EXPECT_NE(e.detail().find("byte"), std::string::npos) << e.detail();
    }
}

} // namespace

TEST(JsonWriter, WritesNestedStructuresWithCommas) {
    JsonWriter w;
    w.begin_object();
    w.key("a").value(1);
    w.key("b").begin_array().value(true).value(false).null().value("x").end_array();
    w.key("c").begin_object().end_object();
    w.key("d").value(0.25);
    w.key("e").raw("[1,2]");
    w.key("f").value(uint64_t(18446744073709551615u));
    w.key("g").value(int64_t(-5));
    w.end_object();
    EXPECT_EQ(
        w.str(),
        R"({"a":1,"b":[true,false,null,"x"],"c":{},"d":0.25,"e":[1,2],"f":18446744073709551615,"g":-5})");
}

TEST(JsonWriter, EscapesStringsAndKeys) {
    std::string out;
    intent::json_append_string(out, std::string("a\"b\\c\n\t\x01\x1f é"));
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f é\"");
    JsonWriter w;
    w.begin_object().key("k\"").value("v").end_object();
    EXPECT_EQ(w.str(), R"({"k\"":"v"})");
}

TEST(JsonWriter, NumbersHaveSixSignificantDigitsAndNoNaN) {
    auto num = [](double v) {
        std::string s;
        intent::json_append_number(s, v);
        return s;
    };
    EXPECT_EQ(num(0.5), "0.5");
    EXPECT_EQ(num(1.0 / 3.0), "0.333333");
    EXPECT_EQ(num(15000), "15000");
    EXPECT_EQ(num(-2.5e-7), "-2.5e-07");
    EXPECT_EQ(num(-0.0), "0");
    EXPECT_EQ(num(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(num(std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonParse, ParsesAllValueTypes) {
    JsonValue v = json_parse(R"( {"a": [1, -2.5e2, 0.125, true, false, null], "b": {"c": "d"}, "e": ""} )");
    ASSERT_EQ(v.type, JsonValue::Type::Object);
    ASSERT_EQ(v.object.size(), 3u);
    EXPECT_EQ(v.object[0].first, "a");
    const auto &a = v.object[0].second.array;
    ASSERT_EQ(a.size(), 6u);
    EXPECT_EQ(a[0].number, 1.0);
    EXPECT_EQ(a[1].number, -250.0);
    EXPECT_EQ(a[2].number, 0.125);
    EXPECT_TRUE(a[3].boolean);
    EXPECT_EQ(a[4].type, JsonValue::Type::Bool);
    EXPECT_FALSE(a[4].boolean);
    EXPECT_EQ(a[5].type, JsonValue::Type::Null);
    EXPECT_EQ(v.object[1].second.object[0].second.string, "d");
    EXPECT_EQ(v.object[2].second.type, JsonValue::Type::String);
    EXPECT_EQ(v.object[2].second.string, "");
}

TEST(JsonParse, DecodesEscapesAndSurrogatePairs) {
    JsonValue v = json_parse(R"("a\"\\\/\b\f\n\r\t\u00e9\u00C1\u20ac\ud83d\ude00")");
    EXPECT_EQ(v.string, "a\"\\/\b\f\n\r\t\xC3\xA9\xC3\x81\xE2\x82\xAC\xF0\x9F\x98\x80");
    // Raw UTF-8 passes through unchanged.
    EXPECT_EQ(json_parse("\"envío ¿qué?\"").string, "envío ¿qué?");
}

TEST(JsonParse, RoundTripsWriterOutput) {
    JsonWriter w;
    std::string tricky = "línea\n\"cita\" \\ \x01 ñ 😀";
    w.begin_object().key(tricky).value(tricky).key("n").value(0.001234).end_object();
    JsonValue v = json_parse(w.str());
    ASSERT_EQ(v.object.size(), 2u);
    EXPECT_EQ(v.object[0].first, tricky);
    EXPECT_EQ(v.object[0].second.string, tricky);
    EXPECT_DOUBLE_EQ(v.object[1].second.number, 0.001234);
}

TEST(JsonParse, RejectsMalformedInput) {
    for (const char *bad : {"",
                            "   ",
                            "{",
                            "}",
                            "[1,]",
                            "[,1]",
                            "{\"a\":1,}",
                            "{\"a\" 1}",
                            "{a:1}",
                            "01",
                            "1.",
                            ".5",
                            "-",
                            "1e",
                            "+1",
                            "tru",
                            "nul",
                            "\"abc",
                            "\"\\x\"",
                            "\"\\u12g4\"",
                            "\"\\ud800\"",
                            "\"\\udc00\"",
                            "\"\\ud800\\u0041\"",
                            "NaN",
                            "Infinity",
                            "1e999",
                            "'a'",
                            "[1 2]",
                            "{\"a\":1}}",
                            "1 2",
                            "true false",
                            "[1]x"})
        expect_reject(bad);
    expect_reject(std::string("\"a\x01\""));        // raw control character
    expect_reject(std::string("\"\xC3\"", 3));      // truncated UTF-8
    expect_reject(std::string("\"\xED\xA0\x80\"")); // encoded surrogate
    expect_reject(std::string("\"\xC0\xAF\""));     // overlong
    expect_reject(std::string("[1]\0", 4));         // trailing NUL
}

TEST(JsonParse, DepthLimitIs64) {
    std::string ok(64, '[');
    ok += std::string(64, ']');
    EXPECT_NO_THROW(json_parse(ok));
    std::string deep(65, '[');
    deep += std::string(65, ']');
    expect_reject(deep);
    // Very deep input fails cleanly rather than overflowing the stack.
    expect_reject(std::string(100000, '['));
}

TEST(JsonParse, NumbersIgnoreTheProcessLocale) {
    // Under a decimal-comma locale strtod would stop at '.'; the parser must not.
    const char *old = std::setlocale(LC_NUMERIC, nullptr);
    std::string saved = old ? old : "C";
    bool switched = std::setlocale(LC_NUMERIC, "es_ES.UTF-8") || std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
    EXPECT_EQ(json_parse("0.5").number, 0.5);
    EXPECT_EQ(json_parse("-1.25E+1").number, -12.5);
    std::string s;
    intent::json_append_number(s, 0.75);
    EXPECT_EQ(s, "0.75");
    std::setlocale(LC_NUMERIC, saved.c_str());
    (void)switched;
}
