-- New in 0.2.0 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- intent_prediction: the row predict_intent() returns
-- -------------------------------------------------------------------------
-- A named row type rather than OUT parameters, with the same column names:
-- for a function declared with OUT parameters PostgreSQL rebuilds the
-- result's row descriptor from the parameter arrays whenever a statement
-- names it in FROM (parse analysis and executor start), while a named
-- type's descriptor is cached. That was 1.5-2.4 us of server CPU per
-- simple-protocol statement (bench/results/2026-11-23-vm-statement-cost-rowtype.md;
-- no change with prepared statements, whose plans are cached).
CREATE TYPE @extschema@.intent_prediction AS (
    predicted_intent text,
    confidence       double precision,
    top_intents      json,
    uncertain        boolean,
    model_id         bigint
);
COMMENT ON TYPE @extschema@.intent_prediction IS
    'The result of predict_intent(): the intent, its calibrated confidence (0-1), the top-k intents as json (most probable first, values equal to the probabilities), whether the confidence is below the abstain threshold, and the model id.';
