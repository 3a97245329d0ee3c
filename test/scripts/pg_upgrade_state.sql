-- What a database's pg_intent holds, one fact per line, for
-- test/scripts/pg_upgrade_major.sh to compare before and after pg_upgrade
-- (run as a superuser with psql -X -At). Objects by name, never by OID
-- (function and schema OIDs change in pg_upgrade): the extension (version,
-- schema, owner, pg_dump configuration), its members, every row of every
-- table of it (count and md5 of the rows' text), every sequence of it or
-- owned by its tables (value and is_called), the models' bytes (sha256),
-- the privileges on its objects and their columns (aclexplode, NULL as the
-- default it stands for; MAINTAIN, new in 17, left out: a table's owner has
-- it by default from 17 on), the initial privileges pg_dump compares with, the
-- default privileges of the database, the triggers of its tables (mode
-- included) and its event triggers.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET extra_float_digits = 1;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET IntervalStyle = 'postgres';
SET bytea_output = 'hex';
CREATE TEMP VIEW pgu_members AS
    SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS name
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'pg_intent' AND d.deptype = 'e'
       -- a relation's row type and its array: members of their own from
       -- PostgreSQL 17 on (a fresh install there has them too), part of
       -- their relation before
       AND NOT EXISTS (SELECT FROM pg_type t LEFT JOIN pg_type el ON el.oid = t.typelem
                        WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                          AND (t.typrelid <> 0 OR el.typrelid <> 0));
CREATE TEMP VIEW pgu_acls AS
    SELECT m.name AS object, coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS acl
      FROM pgu_members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT m.name || ' column ' || a.attname, a.attacl
      FROM pgu_members m JOIN pg_attribute a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid
     WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
    UNION ALL
    SELECT m.name, coalesce(p.proacl, acldefault('f'::"char", p.proowner))
      FROM pgu_members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    UNION ALL
    SELECT m.name, coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))
      FROM pgu_members m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
    UNION ALL
    SELECT m.name, coalesce(t.typacl, acldefault('T'::"char", t.typowner))
      FROM pgu_members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid;
CREATE TEMP VIEW pgu_init_privs AS
    SELECT m.name AS object, coalesce(i.initprivs, CASE m.classid
               WHEN 'pg_class'::regclass THEN (SELECT acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)
                                                 FROM pg_class c WHERE c.oid = m.objid)
               WHEN 'pg_proc'::regclass THEN (SELECT acldefault('f'::"char", p.proowner) FROM pg_proc p WHERE p.oid = m.objid)
               WHEN 'pg_namespace'::regclass THEN (SELECT acldefault('n'::"char", n.nspowner) FROM pg_namespace n WHERE n.oid = m.objid)
               WHEN 'pg_type'::regclass THEN (SELECT acldefault('T'::"char", t.typowner) FROM pg_type t WHERE t.oid = m.objid)
           END) AS acl
      FROM pgu_members m
      LEFT JOIN pg_init_privs i ON i.classoid = m.classid AND i.objoid = m.objid AND i.objsubid = 0
    UNION ALL
    SELECT m.name || ' column ' || a.attname, i.initprivs
      FROM pgu_members m
      JOIN pg_init_privs i ON i.classoid = m.classid AND i.objoid = m.objid AND i.objsubid > 0
      JOIN pg_attribute a ON a.attrelid = i.objoid AND a.attnum = i.objsubid;

SELECT line FROM (
    SELECT format('extension %s version %s schema %s owner %s relocatable %s', e.extname, e.extversion,
                  e.extnamespace::regnamespace, e.extowner::regrole, e.extrelocatable) AS line
      FROM pg_extension e WHERE e.extname = 'pg_intent'
    UNION ALL
    SELECT format('config %s where %L', t.tab::regclass, t.cond)
      FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS t(tab, cond) WHERE e.extname = 'pg_intent'
    UNION ALL
    SELECT format('member %s', name) FROM pgu_members
    UNION ALL
    SELECT format('acl %s: %s to %s by %s%s', a.object, x.privilege_type,
                  CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE x.grantee::regrole::text END,
                  x.grantor::regrole, CASE WHEN x.is_grantable THEN ' with grant option' ELSE '' END)
      FROM pgu_acls a, aclexplode(a.acl) x
     WHERE x.privilege_type <> 'MAINTAIN'
    UNION ALL
    -- (by meaning: a member without an entry has its default ACL as its
    -- initial privileges, and pg_upgrade writes no entry equal to it)
    SELECT format('initial privileges %s: %s to %s by %s', a.object, x.privilege_type,
                  CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE x.grantee::regrole::text END, x.grantor::regrole)
      FROM pgu_init_privs a, aclexplode(a.acl) x
     WHERE x.privilege_type <> 'MAINTAIN'
    UNION ALL
    SELECT format('default privileges of %s in %s on %s: %s to %s by %s', d.defaclrole::regrole,
                  coalesce(d.defaclnamespace::regnamespace::text, 'any schema'), d.defaclobjtype, x.privilege_type,
                  CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE x.grantee::regrole::text END, x.grantor::regrole)
      FROM pg_default_acl d, aclexplode(d.defaclacl) x
     WHERE x.privilege_type <> 'MAINTAIN'
    UNION ALL
    SELECT format('trigger %s on %s: %s enabled %s', t.tgname, t.tgrelid::regclass, t.tgfoid::regprocedure, t.tgenabled)
      FROM pg_trigger t JOIN pgu_members m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid
     WHERE NOT t.tgisinternal
    UNION ALL
    SELECT format('event trigger %s on %s tags %s: %s enabled %s owner %s', t.evtname, t.evtevent, t.evttags,
                  t.evtfoid::regprocedure, t.evtenabled, t.evtowner::regrole)
      FROM pg_event_trigger t
    UNION ALL
    SELECT format('model %s classifier %s partition %s active %s sha256 %s bytes %s', id, classifier, partition_key,
                  is_active, sha256, encode(sha256(model), 'hex'))
      FROM ai_intent_models
) AS facts ORDER BY line COLLATE "C";

-- Every row of every table of the extension, and of the test's own tables.
SELECT format($q$SELECT format('rows %%s %%s %%s', %L, count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text COLLATE "C"), ''))) FROM %s AS t$q$,
              c.oid::regclass, c.oid::regclass)
  FROM pg_class c
 WHERE c.relkind IN ('r', 'p')
   AND (c.oid IN (SELECT objid FROM pgu_members WHERE classid = 'pg_class'::regclass) OR c.relname LIKE 'pgu\_%')
 ORDER BY c.oid::regclass::text COLLATE "C" \gexec
-- Every sequence of the extension or owned by one of its tables' columns.
SELECT format($q$SELECT format('sequence %%s last_value %%s is_called %%s', %L, last_value, is_called) FROM %s$q$,
              c.oid::regclass, c.oid::regclass)
  FROM pg_class c
 WHERE c.relkind = 'S'
   AND (c.oid IN (SELECT objid FROM pgu_members WHERE classid = 'pg_class'::regclass)
        OR c.oid IN (SELECT d.objid FROM pg_depend d JOIN pgu_members m ON m.classid = d.refclassid AND m.objid = d.refobjid
                      WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
 ORDER BY c.oid::regclass::text COLLATE "C" \gexec
