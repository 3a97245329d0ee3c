// The CLI's RFC 4180 reader: quoting, "" escapes, embedded newlines, CRLF.
#include "../../src/cli/csv.h"

#include <gtest/gtest.h>

using intent_cli::parse_csv;
using intent_cli::read_intent_csv;

TEST(Csv, QuotedFieldsEscapesAndEmbeddedNewlines) {
    auto r = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\r\nline2\"\r\n,,\r\n");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0], (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(r[1], (std::vector<std::string>{"x, y", "say \"hi\"", "line1\r\nline2"}));
    EXPECT_EQ(r[2], (std::vector<std::string>{"", "", ""}));
}

TEST(Csv, LfEndingsBomAndMissingFinalNewline) {
    auto r = parse_csv("\xEF\xBB\xBFsplit,text,intent\ntrain,hola,saludo");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0][0], "split");
    EXPECT_EQ(r[1], (std::vector<std::string>{"train", "hola", "saludo"}));
    EXPECT_EQ(parse_csv("\"\"\n").at(0), (std::vector<std::string>{""}));
}

TEST(Csv, RejectsBrokenQuoting) {
    EXPECT_THROW(parse_csv("a,\"unterminated\n"), std::runtime_error);
    EXPECT_THROW(parse_csv("a,b\"c\n"), std::runtime_error);
    EXPECT_THROW(parse_csv("\"a\"b,c\n"), std::runtime_error);
}

TEST(Csv, IntentTableByHeaderName) {
    auto rows = read_intent_csv("intent,split,text\r\nenvio,train,\"¿Dónde está, mi pedido?\"\r\n\r\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].split, "train");
    EXPECT_EQ(rows[0].text, "¿Dónde está, mi pedido?");
    EXPECT_EQ(rows[0].intent, "envio");
    EXPECT_THROW(read_intent_csv("split,text\ntrain,hola\n"), std::runtime_error);
    EXPECT_THROW(read_intent_csv("split,text,intent\ntrain,hola\n"), std::runtime_error);
}
