// Which model answers for a partition (src/core/deferral.h), over its whole
// table of cases, and when the fallback is asked at all.
#include "deferral.h"

#include <gtest/gtest.h>

using namespace intent;

TEST(Deferral, TheFallbackAnswersOnlyForAnAbstainingModelThatMayDeferWhenItIsConfident) {
    for (const bool may_defer : {false, true})
        for (const bool partition_uncertain : {false, true})
            for (const bool fallback_uncertain : {false, true}) {
                int asked = 0;
                const bool answers = fallback_answers(may_defer, partition_uncertain, [&] {
                    ++asked;
                    return fallback_uncertain;
                });
                SCOPED_TRACE(::testing::Message()
                             << "may_defer " << may_defer << ", partition uncertain " << partition_uncertain
                             << ", fallback uncertain " << fallback_uncertain);
                EXPECT_EQ(answers, may_defer && partition_uncertain && !fallback_uncertain);
                // a confident partition model, or one that may not defer,
                // never costs a prediction with the fallback
                EXPECT_EQ(asked, may_defer && partition_uncertain ? 1 : 0);
            }
}

TEST(Deferral, WhenBothAbstainThePartitionsOwnAnswerStays) {
    EXPECT_FALSE(fallback_answers(true, true, [] { return true; }));
}
