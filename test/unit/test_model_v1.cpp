// Models of earlier formats: a format 1 blob written by 0.1.0 and a format 2
// blob written by 0.3.x must load, predict exactly what their release
// predicted (labels, float bits of every probability, the uncertain flag,
// the top 5) and re-serialise to the same bytes; and the loader's NUL-label
// check.
#include "crc32c.h"
#include "errors.h"
#include "model.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace intent;

namespace {

std::string fixture(const std::string &name) {
    std::ifstream in(std::string(INTENT_SOURCE_DIR) + "/test/fixtures/models/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> lines(const std::string &s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line))
        out.push_back(line);
    return out;
}

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

IntentModel load(const std::string &blob) {
    return IntentModel::deserialize(reinterpret_cast<const uint8_t *>(blob.data()), blob.size());
}

// The fixture `blob_name` predicts exactly what `predictions_name` records
// for each message of ecommerce_v1_messages.txt.
void expect_recorded_predictions(const std::string &blob_name, const std::string &predictions_name) {
    const IntentModel m = load(fixture(blob_name));
    const std::vector<std::string> messages = lines(fixture("ecommerce_v1_messages.txt"));
    const std::vector<std::string> expected = lines(fixture(predictions_name));
    ASSERT_EQ(messages.size(), 31u);
    ASSERT_EQ(expected.size(), messages.size());
    PredictScratch scratch;
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::vector<std::string> f = split(expected[i], '\t');
        ASSERT_EQ(f.size(), 5u) << expected[i];
        const Prediction p = m.predict(messages[i], 5, scratch);
        EXPECT_EQ(m.labels()[static_cast<size_t>(p.label)], f[0]) << messages[i];
        EXPECT_EQ(bits(p.confidence), std::stoul(f[1], nullptr, 16)) << messages[i];
        EXPECT_EQ(p.uncertain, f[3] == "1") << messages[i];
        const std::vector<std::string> top = split(f[4], ' ');
        ASSERT_EQ(p.top.size(), top.size()) << messages[i];
        for (size_t j = 0; j < top.size(); ++j) {
            const std::vector<std::string> lb = split(top[j], ':');
            ASSERT_EQ(lb.size(), 2u);
            EXPECT_EQ(m.labels()[static_cast<size_t>(p.top[j].first)], lb[0]) << messages[i] << " #" << j;
            EXPECT_EQ(bits(p.top[j].second), std::stoul(lb[1], nullptr, 16)) << messages[i] << " #" << j;
        }
        // classify() agrees with predict() on the same path.
        const int c = m.classify(messages[i], scratch);
        EXPECT_EQ(c, p.uncertain ? -1 : p.label) << messages[i];
        // explain() gives the reason by the same rule: formats 1 and 2 have
        // no evidence rule, so an uncertain answer is below its threshold.
        const Explanation e = m.explain(messages[i], -1, 0, scratch);
        EXPECT_FALSE(e.checks_evidence) << messages[i];
        EXPECT_EQ(e.uncertain(), p.uncertain) << messages[i];
        EXPECT_EQ(e.uncertain_reason, p.uncertain ? UncertainReason::BelowThreshold : UncertainReason::None)
            << messages[i];
    }
}

} // namespace

TEST(ModelV1, FixtureLoadsAsFormat1AndRoundTripsByteForByte) {
    const std::string blob = fixture("ecommerce_v1.bin");
    ASSERT_GT(blob.size(), 1000u);
    const IntentModel m = load(blob);
    EXPECT_EQ(m.format_version(), 1u);
    EXPECT_EQ(m.labels().size(), 14u);
    EXPECT_EQ(m.serialize(), blob);
}

TEST(ModelV1, FixturePredictsExactlyWhat010Predicted) {
    expect_recorded_predictions("ecommerce_v1.bin", "ecommerce_v1_predictions.tsv");
}

// Format 2, as 0.2.0 to 0.3.1 wrote it: no evidence floor, so the empty
// message keeps the answer (and the uncertain flag) it had.
TEST(ModelV2, FixtureLoadsAsFormat2AndRoundTripsByteForByte) {
    const std::string blob = fixture("ecommerce_v2.bin");
    ASSERT_GT(blob.size(), 1000u);
    const IntentModel m = load(blob);
    EXPECT_EQ(m.format_version(), 2u);
    EXPECT_FALSE(m.checks_evidence());
    EXPECT_EQ(m.labels().size(), 14u);
    EXPECT_EQ(m.serialize(), blob);
}

TEST(ModelV2, FixturePredictsExactlyWhat03Predicted) {
    expect_recorded_predictions("ecommerce_v2.bin", "ecommerce_v2_predictions.tsv");
}

// A crafted blob whose label holds a NUL byte: 0.1.0's loader accepted it,
// and PostgreSQL's text then cut the label short at the NUL.
TEST(ModelV1, LabelWithNulByteIsRefused) {
    std::string blob = fixture("ecommerce_v1.bin");
    // The labels section follows the options and algorithm sections; find
    // the first label ("cancel_order") and put a NUL in its middle.
    const size_t at = blob.find("cancel_order");
    ASSERT_NE(at, std::string::npos);
    blob[at + 6] = '\0';
    const uint32_t crc = crc32c(reinterpret_cast<const uint8_t *>(blob.data()), blob.size() - 4);
    for (int i = 0; i < 4; ++i)
        blob[blob.size() - 4 + static_cast<size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFF);
    try {
        load(blob);
        FAIL() << "a label with a NUL byte was accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::CorruptModel);
        EXPECT_NE(e.detail().find("NUL"), std::string::npos) << e.detail();
    }
}
