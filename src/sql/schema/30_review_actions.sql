-- New in 0.2.0 (also created by the upgrade, which includes this file).

-- -------------------------------------------------------------------------
-- ai_review_actions: every approval and rejection, for audit
-- -------------------------------------------------------------------------
CREATE TABLE @extschema@.ai_review_actions (
    id               bigserial   PRIMARY KEY,
    training_data_id uuid        NOT NULL, -- ai_training_data.id (src/sql/12_references.sql)
    action           text        NOT NULL
        CONSTRAINT ai_review_actions_action_check CHECK (action IN ('approve', 'reject')),
    intent           text,
    reason           text,
    reviewer_id      uuid,
    reviewed_by      text        NOT NULL DEFAULT session_user,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- What a decision needs, whoever writes the row (0.3.2): the review
    -- functions check the same first, with a clearer error, and a role with
    -- INSERT on this table cannot record a decision they refuse, which the
    -- table's trigger would then accept as the audit row of an approval or
    -- a rejection. An approval confirms a label training may use; a
    -- rejection says why (a reason that is not blank, as
    -- _pg_intent_review() reads blank).
    CONSTRAINT ai_review_actions_approve_intent_check
        CHECK (action <> 'approve' OR (intent IS NOT NULL AND @extschema@.is_valid_intent_name(intent))),
    CONSTRAINT ai_review_actions_reject_reason_check
        CHECK (action <> 'reject' OR (reason IS NOT NULL AND reason ~ '[^[:space:]]'))
);
COMMENT ON TABLE @extschema@.ai_review_actions IS
    'One row per approve_training_sample() or reject_training_sample() call: which row, what was decided, the intent it had then, why (for rejections), by whom and when.';
COMMENT ON COLUMN @extschema@.ai_review_actions.intent IS
    'The row''s label when it was approved or rejected (the correction when there was one, else the detected intent).';
COMMENT ON COLUMN @extschema@.ai_review_actions.reason IS
    'Why the row was rejected (required for rejections); an optional note for approvals.';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewer_id IS
    'Reviewer in the application (no foreign key): the JWT subject under PostgREST, else the p_reviewer_id the caller passed. Set by the server for every role but the owner.';
COMMENT ON COLUMN @extschema@.ai_review_actions.reviewed_by IS
    'Who made the call: the JWT subject (or role) under PostgREST, else the session user. Set by the server for every role but the owner (before 0.2.1: the session user, as the caller could override).';
CREATE INDEX ai_review_actions_training_data_id_idx ON @extschema@.ai_review_actions (training_data_id);
CREATE INDEX ai_review_actions_created_at_idx ON @extschema@.ai_review_actions (created_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_review_actions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ai_review_actions_id_seq', '');
