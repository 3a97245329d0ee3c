// Tokeniser and normaliser: Spanish and English cases, Unicode classes and
// strict UTF-8 validation.
#include "errors.h"
#include "text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using intent::Error;
using intent::ErrorKind;
using intent::normalize_text;
using intent::TextOptions;
using intent::tokenize;
using Tokens = std::vector<std::string>;

namespace {

const TextOptions kFold{true, true};
const TextOptions kNoFold{true, false};

// Runs `fn` and returns the byte-offset detail of the InvalidText error it throws.
template <class Fn> std::string invalid_text_detail(Fn fn) {
    try {
        fn();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidText);
        EXPECT_STREQ(e.what(), "invalid UTF-8 in message");
        return e.detail();
    }
    ADD_FAILURE() << "no InvalidText error thrown";
    return {};
}

} // namespace

TEST(Tokenize, SpanishQuestionWithFolding) {
    EXPECT_EQ(tokenize("¿Dónde está mi pedido #123?", kFold),
              (Tokens{"donde", "esta", "mi", "pedido", "123"}));
}

TEST(Tokenize, SpanishQuestionWithoutFoldingKeepsAccents) {
    EXPECT_EQ(tokenize("¿Dónde está mi pedido #123?", kNoFold),
              (Tokens{"dónde", "está", "mi", "pedido", "123"}));
}

TEST(Tokenize, AccentedCapitalsAreLowerCased) {
    EXPECT_EQ(tokenize("ENVÍO", kNoFold), Tokens{"envío"});
    EXPECT_EQ(tokenize("ÑANDÚ Ñandú", kNoFold), (Tokens{"ñandú", "ñandú"}));
    EXPECT_EQ(tokenize("ÁÉÍÓÚÜÇ", kNoFold), Tokens{"áéíóúüç"});
    EXPECT_EQ(tokenize("Ñandú", kFold), Tokens{"nandu"});
    EXPECT_EQ(tokenize("ENVÍO", kFold), Tokens{"envio"});
}

TEST(Tokenize, FoldingMakesSpellingsMatch) {
    EXPECT_EQ(tokenize("envío", kFold), tokenize("envio", kFold));
    EXPECT_EQ(tokenize("Pingüino façade straße", kFold), (Tokens{"pinguino", "facade", "strasse"}));
    // Decomposed input (e + combining acute) folds like the precomposed letter.
    EXPECT_EQ(tokenize("envi\xCC\x81o", kFold), Tokens{"envio"});
}

TEST(Tokenize, LowercaseOffKeepsCase) {
    TextOptions keep{false, true};
    EXPECT_EQ(tokenize("ENVÍO Ñu", keep), (Tokens{"ENVIO", "Nu"}));
    TextOptions raw{false, false};
    EXPECT_EQ(tokenize("ENVÍO Ñu", raw), (Tokens{"ENVÍO", "Ñu"}));
}

TEST(Tokenize, InvertedMarksAndPunctuationSplit) {
    EXPECT_EQ(tokenize("¡Hola!¿Qué tal?", kFold), (Tokens{"hola", "que", "tal"}));
    EXPECT_EQ(tokenize("hola,mundo;(prueba)...fin", kFold), (Tokens{"hola", "mundo", "prueba", "fin"}));
    EXPECT_EQ(tokenize("«comillas» “curly” —raya—", kFold), (Tokens{"comillas", "curly", "raya"}));
}

TEST(Tokenize, ApostrophesSplitLikeSklearn) {
    EXPECT_EQ(tokenize("I don't know", kFold), (Tokens{"i", "don", "t", "know"}));
    EXPECT_EQ(tokenize("it’s l'avion", kFold), (Tokens{"it", "s", "l", "avion"}));
}

TEST(Tokenize, EmojiAndSymbolsAreDropped) {
    EXPECT_EQ(tokenize("gracias 😀👍🏽 ok❤️", kFold), (Tokens{"gracias", "ok"}));
    EXPECT_EQ(tokenize("precio: 20€ o $30 → 50%", kFold), (Tokens{"precio", "20", "o", "30", "50"}));
    // Family emoji joined by ZWJ between two words still separates them.
    EXPECT_EQ(tokenize("a👨‍👩‍👧b", kFold), (Tokens{"a", "b"}));
}

TEST(Tokenize, NumbersAndMixedTokens) {
    EXPECT_EQ(tokenize("Llega en 48h, pedido 123456", kFold),
              (Tokens{"llega", "en", "48h", "pedido", "123456"}));
    EXPECT_EQ(tokenize("iPhone13 vs 2", kFold), (Tokens{"iphone13", "vs", "2"}));
    EXPECT_EQ(tokenize("3.5 1,000", kFold), (Tokens{"3", "5", "1", "000"}));
}

TEST(Tokenize, OrdinalIndicatorsAreLetters) {
    EXPECT_EQ(tokenize("1º piso, 2ª planta", kNoFold), (Tokens{"1º", "piso", "2ª", "planta"}));
    EXPECT_EQ(tokenize("1º piso, 2ª planta", kFold), (Tokens{"1o", "piso", "2a", "planta"}));
}

TEST(Tokenize, WhitespaceAndInvisiblesCollapse) {
    EXPECT_EQ(tokenize("  hola \t\r\n  mundo\xC2\xA0"
                       "fin  ",
                       kFold),
              (Tokens{"hola", "mundo", "fin"}));
    // Soft hyphen and zero-width joiner inside a word do not split it.
    EXPECT_EQ(tokenize("infor\xC2\xAD"
                       "mación",
                       kFold),
              Tokens{"informacion"});
    EXPECT_EQ(tokenize("", kFold), Tokens{});
    EXPECT_EQ(tokenize("¿¡!? 😀", kFold), Tokens{});
}

TEST(Tokenize, GreekCyrillicAndCjk) {
    EXPECT_EQ(tokenize("ΚΑΛΗΜΕΡΑ Ελλάδα", kNoFold), (Tokens{"καλημερα", "ελλάδα"}));
    EXPECT_EQ(tokenize("Ελλάδα", kFold), Tokens{"ελλαδα"});
    EXPECT_EQ(tokenize("ПРИВЕТ Мир", kFold), (Tokens{"привет", "мир"}));
    EXPECT_EQ(tokenize("東京、大阪。", kFold), (Tokens{"東京", "大阪"}));
}

TEST(Normalize, JoinsWordsWithSingleSpaces) {
    EXPECT_EQ(normalize_text("  ¿Dónde   está?? ", kFold), "donde esta");
    EXPECT_EQ(normalize_text("Straße ÆON Œuvre", kFold), "strasse aeon oeuvre");
    EXPECT_EQ(intent::utf8_length("añ😀"), 3u);
}

TEST(Normalize, SplitTokensPointsIntoInput) {
    std::string norm = "uno dos";
    std::vector<std::string_view> toks;
    intent::split_tokens(norm, toks);
    ASSERT_EQ(toks.size(), 2u);
    EXPECT_EQ(toks[1], "dos");
    EXPECT_EQ(toks[1].data(), norm.data() + 4);
}

TEST(Utf8, TruncatedSequence) {
    EXPECT_EQ(invalid_text_detail([] { tokenize("ab\xC3", kFold); }),
              "Invalid byte sequence at byte offset 2.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xE2\x82", kFold); }),
              "Invalid byte sequence at byte offset 0.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("x\xF0\x9F\x98", kFold); }),
              "Invalid byte sequence at byte offset 1.");
    // A lead byte followed by ASCII instead of a continuation byte.
    EXPECT_EQ(invalid_text_detail([] {
                  tokenize("\xC3"
                           "a",
                           kFold);
              }),
              "Invalid byte sequence at byte offset 0.");
}

TEST(Utf8, OverlongEncodings) {
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xC0\xAF", kFold); }),
              "Invalid byte sequence at byte offset 0.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("a\xC1\xBF", kFold); }),
              "Invalid byte sequence at byte offset 1.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("ab\xE0\x80\xAF", kFold); }),
              "Invalid byte sequence at byte offset 2.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xF0\x8F\xBF\xBF", kFold); }),
              "Invalid byte sequence at byte offset 0.");
}

TEST(Utf8, LoneContinuationByte) {
    EXPECT_EQ(invalid_text_detail([] { tokenize("hola \x80", kFold); }),
              "Invalid byte sequence at byte offset 5.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xBF", kFold); }),
              "Invalid byte sequence at byte offset 0.");
}

TEST(Utf8, SurrogatesAndOutOfRange) {
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xED\xA0\x80", kFold); }),
              "Invalid byte sequence at byte offset 0.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("é\xED\xBF\xBF", kFold); }),
              "Invalid byte sequence at byte offset 2.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xF4\x90\x80\x80", kFold); }),
              "Invalid byte sequence at byte offset 0.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xF5\x80\x80\x80", kFold); }),
              "Invalid byte sequence at byte offset 0.");
    EXPECT_EQ(invalid_text_detail([] { tokenize("\xFF", kFold); }),
              "Invalid byte sequence at byte offset 0.");
}

TEST(Utf8, BoundaryCodePointsAreValid) {
    // U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+10000, U+10FFFF are all valid.
    EXPECT_NO_THROW(tokenize("\xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBD \xF0\x90\x80\x80 "
                             "\xF4\x8F\xBF\xBF",
                             kFold));
    // Invalid bytes are reported even when lower-casing and folding are off.
    EXPECT_EQ(invalid_text_detail([] {
                  tokenize("\x80", TextOptions{false, false});
              }),
              "Invalid byte sequence at byte offset 0.");
}

namespace {

// normalize_text of `text` fed in pieces of about `piece` bytes, cut with
// utf8_cut; or the error detail, prefixed with "error: ".
std::string normalize_in_pieces(const std::string &text, size_t piece, const TextOptions &options) {
    std::string out;
    intent::NormalizeStream state;
    try {
        size_t pos = 0;
        while (pos < text.size()) {
            size_t end = text.size();
            if (end - pos > piece) end = intent::utf8_cut(text, pos + piece);
            intent::normalize_piece(std::string_view(text).substr(pos, end - pos), options, state, out);
            pos = end;
        }
    } catch (const Error &e) {
        return "error: " + e.detail();
    }
    return out;
}

std::string normalize_whole(const std::string &text, const TextOptions &options) {
    try {
        return normalize_text(text, options);
    } catch (const Error &e) {
        return "error: " + e.detail();
    }
}

} // namespace

// Pieces cut anywhere utf8_cut allows give exactly the whole text's output
// (separating spaces included) and fail at the same absolute byte offset.
TEST(NormalizePieces, EqualTheWholeTextForEveryPieceSize) {
    const std::vector<std::string> texts = {
        "¿Dónde está mi pedido?  Quiero DEVOLVERLO!!",
        "hola,mundo😀👍🏽adiós ȺȾ ÆON Œuvre 東京、大阪。 e\xCC\x81 infor\xC2\xAD"
        "mación",
        "   ¡¡¡   ",
        "ab\xC3",                         // truncated at the end
        "abcd\xE2\x82xyz",                // truncated in the middle
        "abcdefg\x80\x80\x80\x80\x80hij", // a run of stray continuation bytes
        "héllo \xED\xA0\x80 wörld",       // a surrogate
    };
    for (const TextOptions &options : {kFold, kNoFold, TextOptions{false, false}})
        for (const std::string &t : texts)
            for (size_t piece = 4; piece <= t.size() + 1; ++piece)
                ASSERT_EQ(normalize_whole(t, options), normalize_in_pieces(t, piece, options))
                    << "text \"" << t << "\", pieces of " << piece;
}

// The cancellable normalize_append (what _pg_intent_fold() runs) appends
// the whole text's bytes over many pieces, polls between them, and stops
// with Error(Cancelled) naming how far it read.
TEST(NormalizePieces, CancellableAppendEqualsTheWholeTextAndStops) {
    std::string text;
    while (text.size() < 300 * 1024)
        text += "¿Dónde está mi PEDIDO? 😀 ñandú, devuélvelo ";
    std::string out = " ";
    int polls = 0;
    intent::normalize_append(text, kFold, out, [&polls] { return ++polls < 0; });
    EXPECT_EQ(out, " " + normalize_text(text, kFold));
    EXPECT_EQ(polls, 4); // five pieces of at most 64 kB
    std::string stopped;
    try {
        intent::normalize_append(text, kFold, stopped, [] { return true; });
        ADD_FAILURE() << "not cancelled";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
        EXPECT_EQ(std::string(e.what()), "text folding cancelled");
        EXPECT_NE(e.detail().find(" of " + std::to_string(text.size()) + " bytes"), std::string::npos)
            << e.detail();
    }
}

TEST(NormalizePieces, CutNeverSplitsAValidSequence) {
    const std::string t = "a😀é東b";
    // Positions inside the emoji (1..4), é (5..6) and 東 (7..9) move back to their lead byte.
    EXPECT_EQ(intent::utf8_cut(t, 4), 1u);
    EXPECT_EQ(intent::utf8_cut(t, 5), 5u);
    EXPECT_EQ(intent::utf8_cut(t, 6), 5u);
    EXPECT_EQ(intent::utf8_cut(t, 8), 7u);
    EXPECT_EQ(intent::utf8_cut(t, 10), 10u);
    // Four continuation bytes in a row: no valid sequence to protect.
    EXPECT_EQ(intent::utf8_cut("ab\x80\x80\x80\x80\x80", 6), 6u);
}

// The validity rule training applies to rows of a SQL_ASCII database is the
// normaliser's: what it accepts, normalize_text() accepts.
TEST(Text, IsValidUtf8MatchesTheNormaliser) {
    const std::vector<std::string> texts = {"hola",
                                            "devolución ñ €",
                                            "\xff\xfe hola",
                                            "\xc0\xaf",
                                            "\xed\xa0\x80",
                                            "\xf4\x90\x80\x80",
                                            "abc\xe2\x82",
                                            "",
                                            "\xf0\x9f\x98\x80 ok"};
    for (const std::string &t : texts) {
        bool normalises = true;
        try {
            normalize_text(t, TextOptions{});
        } catch (const Error &e) {
            normalises = false;
            EXPECT_EQ(e.kind(), ErrorKind::InvalidText);
        }
        EXPECT_EQ(intent::is_valid_utf8(t), normalises) << t;
    }
    EXPECT_FALSE(intent::is_valid_utf8("\xff\xfe hola"));
    EXPECT_TRUE(intent::is_valid_utf8("devolución"));
    // Replacing what is not UTF-8 leaves valid UTF-8, and valid text as it was.
    for (const std::string &t : texts) {
        const std::string replaced = intent::replace_invalid_utf8(t);
        EXPECT_TRUE(intent::is_valid_utf8(replaced)) << t;
        if (intent::is_valid_utf8(t)) EXPECT_EQ(replaced, t);
    }
    EXPECT_EQ(intent::replace_invalid_utf8("\xff\xfe hola \xc3\xb3 \xe2\x82"), "?? hola \xc3\xb3 ??");
}
