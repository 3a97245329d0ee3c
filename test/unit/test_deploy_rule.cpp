// The deploy rule over its whole table of cases (src/core/deploy_rule.h).
#include "deploy_rule.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace intent;

namespace {

// An active model, a candidate evaluated on 100 rows with out-of-fold F1
// 0.80, tolerance 0.02, no gate evidence and no recorded estimate.
DeployInputs with_active() {
    DeployInputs in;
    in.has_active = true;
    in.test_samples = 100;
    in.oof_f1 = 0.80;
    in.max_f1_regression = 0.02;
    return in;
}

// Enough fresh rows: candidate/active macro F1, and the discordant pairs.
DeployInputs on_fresh_rows(double candidate_f1, double active_f1, int64_t candidate_only,
                           int64_t active_only) {
    DeployInputs in = with_active();
    in.gate.sufficient = true;
    in.gate.candidate_f1 = candidate_f1;
    in.gate.active_f1 = active_f1;
    in.gate.candidate_accuracy = 0.9;
    in.gate.active_accuracy = 0.85;
    in.gate.candidate_only_correct = candidate_only;
    in.gate.active_only_correct = active_only;
    return in;
}

DeployInputs on_estimates(double oof_f1, double estimate) {
    DeployInputs in = with_active();
    in.oof_f1 = oof_f1;
    in.active_estimate = estimate;
    return in;
}

void expect(const DeployDecision &d, bool deploy, const char *reason, const char *evidence) {
    EXPECT_EQ(d.deploy, deploy);
    EXPECT_EQ(d.reason, reason);
    EXPECT_EQ(d.evidence, evidence);
}

} // namespace

TEST(DeployRule, FirstModelDeploysWhateverItScored) {
    DeployInputs in;
    in.test_samples = 0;
    in.oof_f1 = 0.1;
    in.max_f1_regression = 0.02;
    const DeployDecision d = decide_deploy(in);
    expect(d, true, "first", "none");
    EXPECT_EQ(d.candidate_f1, 0.1);
    EXPECT_FALSE(d.baseline_f1);
    EXPECT_FALSE(d.baseline_accuracy);
    EXPECT_FALSE(d.right_more);
}

TEST(DeployRule, UntestedNeverReplacesAnActiveModel) {
    DeployInputs in = on_fresh_rows(0.99, 0.5, 10, 0);
    in.test_samples = 0;
    const DeployDecision d = decide_deploy(in);
    expect(d, false, "untested", "none");
    EXPECT_FALSE(d.baseline_f1); // the evidence is not read
    EXPECT_EQ(d.candidate_f1, 0.80);
}

TEST(DeployRule, NoEvidenceIsInsufficient) {
    const DeployDecision d = decide_deploy(with_active());
    expect(d, false, "insufficient_evidence", "none");
    EXPECT_FALSE(d.baseline_f1);
    EXPECT_FALSE(d.right_more);
}

TEST(DeployRule, TooFewFreshRowsFallBackToTheEstimate) {
    DeployInputs in = on_estimates(0.85, 0.80);
    in.gate.candidate_f1 = 0.1; // an insufficient gate is not read
    in.gate.active_f1 = 0.9;
    in.gate.candidate_only_correct = 0;
    in.gate.active_only_correct = 5;
    const DeployDecision d = decide_deploy(in);
    expect(d, true, "improved", "estimates");
    EXPECT_EQ(d.candidate_f1, 0.85);
    EXPECT_EQ(d.baseline_f1, 0.80);
    EXPECT_FALSE(d.baseline_accuracy);
    EXPECT_FALSE(d.right_more);
}

TEST(DeployRule, EstimatesWithinToleranceAndRegression) {
    expect(decide_deploy(on_estimates(0.79, 0.80)), true, "within_tolerance", "estimates");
    expect(decide_deploy(on_estimates(0.80, 0.80)), true, "within_tolerance", "estimates");
    expect(decide_deploy(on_estimates(0.70, 0.80)), false, "regression", "estimates");
    // No tie on estimates: an equal F1 is within the tolerance.
    EXPECT_NE(decide_deploy(on_estimates(0.80, 0.80)).reason, "tie");
}

TEST(DeployRule, ExactlyAtTheToleranceDeploys) {
    // Figures whose difference is exact in binary: 0.75 - 0.25 = 0.5.
    DeployInputs in = on_estimates(0.5, 0.75);
    in.max_f1_regression = 0.25;
    expect(decide_deploy(in), true, "within_tolerance", "estimates");
    in.oof_f1 = std::nextafter(0.5, 0.0);
    expect(decide_deploy(in), false, "regression", "estimates");

    DeployInputs fresh = on_fresh_rows(0.5, 0.75, 3, 1);
    fresh.max_f1_regression = 0.25;
    expect(decide_deploy(fresh), true, "within_tolerance", "fresh_rows");
    fresh.gate.candidate_f1 = std::nextafter(0.5, 0.0);
    expect(decide_deploy(fresh), false, "regression", "fresh_rows");
}

TEST(DeployRule, FreshRowsRightOnMoreDeploys) {
    const DeployDecision d = decide_deploy(on_fresh_rows(0.82, 0.80, 5, 2));
    expect(d, true, "improved", "fresh_rows");
    EXPECT_EQ(d.candidate_f1, 0.82); // the gate's figure, not the out-of-fold one
    EXPECT_EQ(d.baseline_f1, 0.80);
    EXPECT_EQ(d.baseline_accuracy, 0.85);
    EXPECT_EQ(d.right_more, 3);
    expect(decide_deploy(on_fresh_rows(0.79, 0.80, 5, 2)), true, "within_tolerance", "fresh_rows");
}

TEST(DeployRule, RightOnFewerIsARegressionWhateverTheF1) {
    const DeployDecision d = decide_deploy(on_fresh_rows(0.95, 0.80, 2, 3));
    expect(d, false, "regression", "fresh_rows");
    EXPECT_EQ(d.right_more, -1);
}

TEST(DeployRule, BelowTheToleranceIsARegressionWhateverTheRows) {
    expect(decide_deploy(on_fresh_rows(0.70, 0.80, 9, 0)), false, "regression", "fresh_rows");
}

TEST(DeployRule, TieKeepsTheActiveModel) {
    expect(decide_deploy(on_fresh_rows(0.80, 0.80, 4, 4)), false, "tie", "fresh_rows");
    expect(decide_deploy(on_fresh_rows(0.79, 0.80, 0, 0)), false, "tie", "fresh_rows");
    // As many rows right with a higher macro F1 is an improvement.
    const DeployDecision d = decide_deploy(on_fresh_rows(0.81, 0.80, 4, 4));
    expect(d, true, "improved", "fresh_rows");
    EXPECT_EQ(d.right_more, 0);
}

TEST(DeployRule, ModesOverrideTheDecisionButKeepTheEvidence) {
    DeployInputs in = on_fresh_rows(0.70, 0.80, 0, 5);
    in.mode = DeployMode::Always;
    DeployDecision d = decide_deploy(in);
    expect(d, true, "manual", "fresh_rows");
    EXPECT_EQ(d.baseline_f1, 0.80);
    EXPECT_EQ(d.right_more, -5);

    in = on_fresh_rows(0.95, 0.80, 5, 0);
    in.mode = DeployMode::Never;
    d = decide_deploy(in);
    expect(d, false, "never", "fresh_rows");
    EXPECT_EQ(d.candidate_f1, 0.95);

    DeployInputs first;
    first.mode = DeployMode::Never;
    expect(decide_deploy(first), false, "never", "none");
    DeployInputs untested = with_active();
    untested.test_samples = 0;
    untested.mode = DeployMode::Always;
    expect(decide_deploy(untested), true, "manual", "none");
}

// A missing figure (SQL NULL) makes no comparison true.
TEST(DeployRule, MissingFiguresCompareAsSqlNulls) {
    DeployInputs in = on_estimates(0.5, 0.8);
    in.oof_f1.reset();
    // not a regression (NULL < x is not true), not improved (NULL > x)
    expect(decide_deploy(in), true, "within_tolerance", "estimates");
    in = on_estimates(0.5, 0.8);
    in.max_f1_regression.reset();
    expect(decide_deploy(in), true, "within_tolerance", "estimates");
    // A gate without its discordant counts: no right_more, so no tie either.
    DeployInputs fresh = on_fresh_rows(0.80, 0.80, 0, 0);
    fresh.gate.active_only_correct.reset();
    const DeployDecision d = decide_deploy(fresh);
    expect(d, true, "within_tolerance", "fresh_rows");
    EXPECT_FALSE(d.right_more);
}

// A partition's first model against the fallback (issue 34, point 2): the
// same rule, its losses and ties named fallback_better.
TEST(DeployRule, APartitionsFirstModelIsWeighedAgainstTheFallback) {
    DeployInputs in = on_fresh_rows(0.76, 0.95, 2, 30);
    in.baseline_is_fallback = true;
    expect(decide_deploy(in), false, "fallback_better", "fallback_rows");
    in = on_fresh_rows(0.90, 0.90, 3, 3);
    in.baseline_is_fallback = true;
    expect(decide_deploy(in), false, "fallback_better", "fallback_rows");
    in = on_fresh_rows(0.96, 0.90, 6, 1);
    in.baseline_is_fallback = true;
    expect(decide_deploy(in), true, "improved", "fallback_rows");
    in = on_estimates(0.70, 0.90);
    in.baseline_is_fallback = true;
    expect(decide_deploy(in), false, "fallback_better", "fallback_estimates");
    in = on_estimates(0.90, 0.90);
    in.baseline_is_fallback = true;
    expect(decide_deploy(in), true, "within_tolerance", "fallback_estimates");
    in.mode = DeployMode::Never;
    expect(decide_deploy(in), false, "never", "fallback_estimates");
}

// Against the fallback on few rows (estimates), a first model right on
// fewer of the same rows loses whatever its macro F1.
TEST(DeployRule, AgainstTheFallbackFewerRightRowsLoseOnEstimatesToo) {
    DeployInputs in = on_estimates(0.95, 0.90);
    in.baseline_is_fallback = true;
    in.gate.candidate_only_correct = 1;
    in.gate.active_only_correct = 4;
    DeployDecision d = decide_deploy(in);
    expect(d, false, "fallback_better", "fallback_estimates");
    EXPECT_EQ(d.right_more, -3);
    // An active model's estimates carry no paired counts: unchanged.
    in.baseline_is_fallback = false;
    expect(decide_deploy(in), true, "improved", "estimates");
}
