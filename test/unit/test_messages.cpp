// Messages for people (messages.h): the rendering of a pattern and the
// reader of the gettext catalogue (.mo) the SQL glue translates errors with.
#include "errors.h"
#include "messages.h"

#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

using intent::Catalogue;
using intent::render;

namespace {

// A .mo file as msgfmt writes it (little-endian, no hash table): magic,
// revision, count, the offsets of the two tables, then the strings.
std::string make_mo(const std::vector<std::pair<std::string, std::string>> &entries, bool swap = false) {
    const uint32_t n = static_cast<uint32_t>(entries.size());
    std::vector<uint32_t> head = {0x950412deu, 0, n, 28, 28 + 8 * n, 0, 28 + 16 * n};
    std::string strings;
    std::vector<uint32_t> originals, translations;
    const uint32_t base = 28 + 16 * n;
    for (const auto &e : entries) {
        originals.push_back(static_cast<uint32_t>(e.first.size()));
        originals.push_back(base + static_cast<uint32_t>(strings.size()));
        strings += e.first + '\0';
    }
    for (const auto &e : entries) {
        translations.push_back(static_cast<uint32_t>(e.second.size()));
        translations.push_back(base + static_cast<uint32_t>(strings.size()));
        strings += e.second + '\0';
    }
    std::string out;
    const auto put = [&](uint32_t v) {
        if (swap) v = __builtin_bswap32(v);
        out.append(reinterpret_cast<const char *>(&v), 4);
    };
    for (uint32_t v : head)
        put(v);
    for (uint32_t v : originals)
        put(v);
    for (uint32_t v : translations)
        put(v);
    return out + strings;
}

} // namespace

TEST(Messages, RendersPlaceholdersInOrderAndByPosition) {
    EXPECT_EQ(render("classifier \"%s\" does not exist", {"x"}), "classifier \"x\" does not exist");
    EXPECT_EQ(render("%2$s before %1$s", {"a", "b"}), "b before a");
    EXPECT_EQ(render("31,35 %% (above %s %%)", {"30"}), "31,35 % (above 30 %)");
    EXPECT_EQ(render("a %s and %s", {"one"}), "a one and "); // a missing argument is nothing
    EXPECT_EQ(render("100 %d %", {}), "100 %d %");           // not a placeholder: as it is
    EXPECT_EQ(render(nullptr, {"x"}), "");
}

TEST(Messages, RenderingIntoAFixedBufferIsCut) {
    char buf[8];
    EXPECT_EQ(render("model %s", {"123456789"}, buf, sizeof buf), 7u);
    EXPECT_STREQ(buf, "model 1");
}

TEST(Messages, ErrorsKeepThePatternAndWhatIsEnglish) {
    const intent::Error e(intent::ErrorKind::InvalidArgument,
                          intent::Message{N_("unknown training option \"%s\""), {"k"}});
    EXPECT_STREQ(e.what(), "unknown training option \"k\"");
    EXPECT_STREQ(e.message().pattern, "unknown training option \"%s\"");
    ASSERT_EQ(e.message().args.size(), 1u);
}

TEST(Messages, CatalogueReadsAMoFileOfEitherByteOrder) {
    for (bool swap : {false, true}) {
        Catalogue c;
        ASSERT_TRUE(c.parse(make_mo({{"", "Content-Type: text/plain; charset=UTF-8\n"},
                                     {"model %s does not exist", "el modelo %s no existe"},
                                     {"untranslated", ""}},
                                    swap)));
        EXPECT_EQ(c.size(), 1u); // the header and the empty translation are left out
        ASSERT_NE(c.find("model %s does not exist"), nullptr);
        EXPECT_STREQ(c.find("model %s does not exist"), "el modelo %s no existe");
        EXPECT_EQ(c.find("untranslated"), nullptr);
        EXPECT_EQ(c.find("model"), nullptr);
    }
}

TEST(Messages, CatalogueRefusesWhatIsNotAMoFile) {
    Catalogue c;
    EXPECT_FALSE(c.parse("not a catalogue at all, but long enough"));
    EXPECT_FALSE(c.parse(""));
    std::string mo = make_mo({{"a", "b"}});
    std::string cut = mo.substr(0, mo.size() - 2); // the last string runs past the end
    EXPECT_FALSE(c.parse(cut));
    EXPECT_EQ(c.size(), 0u);
    std::string bad = mo;
    const uint32_t huge = 0xfffffff0u;
    std::memcpy(&bad[12], &huge, 4); // the table of originals outside the file
    EXPECT_FALSE(c.parse(bad));
    EXPECT_FALSE(c.load("/nonexistent/pg_intent.mo"));
    EXPECT_EQ(c.size(), 0u);
}

TEST(Messages, CatalogueReadsTheShippedSpanishFile) {
    Catalogue c;
    // The build compiles po/es.po into this file (CMakeLists.txt).
    const std::string path = INTENT_CATALOGUE_ES;
    ASSERT_TRUE(c.load(path)) << path;
    EXPECT_GT(c.size(), 100u);
    EXPECT_STREQ(c.find("classifier \"%s\" does not exist"), "el clasificador \"%s\" no existe");
}
