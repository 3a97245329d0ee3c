-- A training inside a training (0.3.2, security review round 3): code a
-- classifier's owner planted in its source (here a view's function) runs in
-- the training's backend and transaction, where the classifier's training
-- lock and the training slot are already held. Before the fix a
-- train_classifier() it called trained under them, and that training's read
-- of the source called it again: about 150 trainings deep, until the stack
-- ran out, each with its own memory budget and all in one of
-- max_concurrent_trainings' slots, also under a superuser's
-- retrain_classifiers(). Now every training entry point refuses to start
-- inside another training of its backend (55000); the outer training goes on.
SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on; -- the previous test's rows go (src/pg/drop_guard.cpp)
DROP EXTENSION IF EXISTS pg_intent CASCADE;
DROP SCHEMA IF EXISTS re_alice CASCADE;
DROP ROLE IF EXISTS pgi_re_alice;
CREATE EXTENSION pg_intent;
RESET pg_intent.allow_drop_with_data;

-- alice may create classifiers and owns a schema; she may also train the
-- built-in classifier and run retrain_classifiers() (the models set), so
-- that her code's calls of them reach the refusal.
CREATE ROLE pgi_re_alice;
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_re_alice', 'classifiers');
SELECT count(*) > 0 AS granted FROM grant_intent_access('pgi_re_alice', 'models');
CREATE SCHEMA re_alice AUTHORIZATION pgi_re_alice;
UPDATE ai_training_policy SET max_concurrent_trainings = 1;

SET ROLE pgi_re_alice;
CREATE TABLE re_alice.t (id bigint PRIMARY KEY, body text, label text);
INSERT INTO re_alice.t
SELECT n,
       CASE n % 3 WHEN 0 THEN 'quiero devolver el pedido numero ' WHEN 1 THEN 'donde esta mi paquete ' ELSE 'hola buenos dias ' END || n,
       CASE n % 3 WHEN 0 THEN 'return_process' WHEN 1 THEN 'order_status' ELSE 'greeting' END
  FROM generate_series(1, 90) AS n;
-- What the planted code does next (one nested call per read) and what it saw.
CREATE TABLE re_alice.next (n serial, call text);
CREATE TABLE re_alice.seen (n serial, call text, outcome text);
CREATE FUNCTION re_alice.hook(p_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_call text;
BEGIN
    IF p_id <> 1 THEN RETURN true; END IF;
    DELETE FROM re_alice.next WHERE n = (SELECT min(n) FROM re_alice.next) RETURNING call INTO v_call;
    IF v_call IS NULL THEN RETURN true; END IF;
    BEGIN
        IF v_call = 'train_classifier' THEN
            PERFORM public.train_classifier('re_trap', NULL, '{"deploy": "never"}');
        ELSIF v_call = 'train_classifier(intent)' THEN
            PERFORM public.train_classifier('intent');
        ELSIF v_call = 'train_intent_model' THEN
            PERFORM public.train_intent_model();
        ELSIF v_call = 'retrain_classifiers' THEN
            PERFORM public.retrain_classifiers();
        END IF;
        INSERT INTO re_alice.seen (call, outcome) VALUES (v_call, 'ran');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO re_alice.seen (call, outcome) VALUES (v_call, SQLSTATE || ': ' || SQLERRM);
    END;
    RETURN true;
END
$$;
CREATE VIEW re_alice.v AS SELECT * FROM re_alice.t WHERE re_alice.hook(id);
SELECT create_classifier('re_trap', 're_alice.v', 'body', 'label', '{"key_column": "id", "seed": 1}') ->> 'name' AS created;
RESET ROLE;

-- The documented pg_cron job, as the superuser. Its count of the source's
-- new rows reads the source first: that read is no training, and a
-- training the code starts there runs, as alice (her own right, not the
-- superuser's). Every read of the source inside a training (that
-- training's count of the rows, its read of them; then the job's own
-- training's) starts one more: refused.
INSERT INTO re_alice.next (call) SELECT 'train_classifier' FROM generate_series(1, 5);
SELECT c ->> 'classifier' AS classifier, c ->> 'retrained' AS retrained
  FROM jsonb_array_elements(retrain_classifiers() -> 'classifiers') AS c;
INSERT INTO re_alice.next (call) VALUES ('retrain_classifiers');
SELECT train_classifier('re_trap', NULL, '{"deploy": "never"}') ->> 'status' AS outer_status;

SET ROLE pgi_re_alice;

-- alice trains; her source starts a second training of the classifier.
INSERT INTO re_alice.next (call) VALUES ('train_classifier');
SELECT train_classifier('re_trap', NULL, '{"deploy": "never"}') ->> 'status' AS outer_status;
-- ... the built-in classifier, both ways.
INSERT INTO re_alice.next (call) VALUES ('train_classifier(intent)');
SELECT train_classifier('re_trap', NULL, '{"deploy": "never"}') ->> 'status' AS outer_status;
INSERT INTO re_alice.next (call) VALUES ('train_intent_model');
SELECT train_classifier('re_trap', NULL, '{"deploy": "never"}') ->> 'status' AS outer_status;
RESET ROLE;

-- Every call inside a training was refused; one run per training call.
SELECT call, outcome FROM re_alice.seen ORDER BY n;
SELECT count(*) AS runs, count(DISTINCT batch_id) AS calls
  FROM ai_training_runs WHERE classifier = 're_trap';
-- The refusal leaves nothing behind: the next training runs.
SELECT train_classifier('re_trap', NULL, '{"deploy": "never"}') ->> 'status' AS after_status;

SET client_min_messages = warning;
SET pg_intent.allow_drop_with_data = on;
DROP EXTENSION pg_intent CASCADE;
RESET pg_intent.allow_drop_with_data;
DROP SCHEMA re_alice CASCADE;
DROP ROLE pgi_re_alice;
