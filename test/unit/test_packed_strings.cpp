// StringIds and PackedStrings (packed_strings.h): what a training run keeps
// of its rows' labels and keys while the core trains.
#include "packed_strings.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using intent::PackedStrings;
using intent::StringIds;

TEST(StringIds, NumbersDistinctStringsInTheOrderFirstGiven) {
    StringIds ids;
    EXPECT_EQ(ids.id("transfer"), 0u);
    EXPECT_EQ(ids.id("international_visa_card"), 1u); // longer than a std::string holds inline
    EXPECT_EQ(ids.id("transfer"), 0u);
    EXPECT_EQ(ids.id(""), 2u);
    EXPECT_EQ(ids.id(std::string("a\0b", 3)), 3u); // bytes, not C strings
    EXPECT_EQ(ids.id(std::string("a\0c", 3)), 4u);
    EXPECT_EQ(ids.id("international_visa_card"), 1u);
    ASSERT_EQ(ids.size(), 5u);
    EXPECT_EQ(ids[0], "transfer");
    EXPECT_EQ(ids[1], "international_visa_card");
    EXPECT_EQ(ids[2], "");
    EXPECT_EQ(ids[3], std::string("a\0b", 3));
    EXPECT_GT(ids.bytes(), 0u);
}

TEST(StringIds, KeepsItsStringsWhenManyAreAddedAndWhenMoved) {
    // The index views the stored strings: neither growth nor a move may
    // relocate them.
    StringIds ids;
    std::vector<std::string> given;
    for (int i = 0; i < 5000; ++i) {
        given.push_back((i % 2 ? "label_with_a_long_name_" : "l") + std::to_string(i));
        ASSERT_EQ(ids.id(given.back()), static_cast<uint32_t>(i));
    }
    StringIds moved(std::move(ids));
    for (int i = 0; i < 5000; ++i) {
        ASSERT_EQ(moved.id(given[static_cast<size_t>(i)]), static_cast<uint32_t>(i));
        ASSERT_EQ(moved[static_cast<uint32_t>(i)], given[static_cast<size_t>(i)]);
    }
    EXPECT_EQ(moved.id("new"), 5000u);
}

TEST(PackedStrings, GivesBackEachStringAsGiven) {
    PackedStrings keys;
    EXPECT_TRUE(keys.empty());
    const std::vector<std::string> given = {"k1", "", "a key longer than a std::string holds inline",
                                            std::string("x\0y", 3), ""};
    keys.reserve(given.size(), 64);
    for (const std::string &s : given)
        keys.push_back(s);
    keys.shrink_to_fit();
    ASSERT_EQ(keys.size(), given.size());
    EXPECT_FALSE(keys.empty());
    for (size_t i = 0; i < given.size(); ++i)
        EXPECT_EQ(keys[i], given[i]) << i;
    EXPECT_GE(keys.bytes(), given.size() * sizeof(size_t));
}

TEST(PackedStrings, ManyStringsTakeTheirBytesAndOneOffsetEach) {
    PackedStrings keys;
    size_t total = 0;
    for (int i = 0; i < 100000; ++i) {
        const std::string s = "row-" + std::to_string(i);
        total += s.size();
        keys.push_back(s);
    }
    keys.shrink_to_fit();
    EXPECT_EQ(keys[0], "row-0");
    EXPECT_EQ(keys[99999], "row-99999");
    // Not 32 bytes a string before its text, as a std::string a row is.
    EXPECT_LE(keys.bytes(), total + 100000 * sizeof(size_t) + 64);
}
