-- Describes every object of the pg_intent extension, one fact per line,
-- sorted, so that two databases (an upgraded one and a fresh install) can be
-- compared with diff: members, schemas (owner, ACL, comment), functions (signature, result, language,
-- volatility, strictness, SECURITY DEFINER, parallel safety, settings, body,
-- ACL, comment), tables and views (columns in order with types, defaults and
-- NOT NULL, constraints, indexes, triggers with their enabled state, view
-- definitions, options, row security and policies, ACL, comments), event
-- triggers (event, tags, function, enabled state, owner, comment), sequences,
-- the pg_dump configuration and the initial privileges pg_dump
-- compares against. ACLs are compared by meaning: as sets of items, and a
-- NULL ACL as the default it stands for. Column positions are ordinals among live columns, so a
-- column dropped by an upgrade does not count as a difference.
\pset footer off
WITH ext AS (
    SELECT e.oid, e.extversion, e.extrelocatable, e.extconfig, e.extcondition, e.extnamespace
      FROM pg_extension e WHERE e.extname = 'pg_intent'
), members AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rels AS (
    SELECT c.* FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
), funcs AS (
    SELECT p.* FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
), cols AS (
    SELECT c.relname, a.*, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS ordinal
      FROM rels c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
)
SELECT line FROM (
    SELECT format('extension version %s relocatable %s schema %s', x.extversion, x.extrelocatable,
                  x.extnamespace::regnamespace) AS line FROM ext x
    UNION ALL
    SELECT format('member %s', pg_describe_object(m.classid, m.objid, 0)) FROM members m
    UNION ALL
    SELECT format('config %s where %L', t.tab::regclass, t.cond)
      FROM ext x, unnest(x.extconfig, x.extcondition) AS t(tab, cond)
    -- functions
    UNION ALL
    SELECT format('function %s returns %s language %s volatile %s strict %s secdef %s leakproof %s parallel %s cost %s rows %s config %s owner %s',
                  p.oid::regprocedure, pg_get_function_result(p.oid), l.lanname, p.provolatile, p.proisstrict,
                  p.prosecdef, p.proleakproof, p.proparallel, p.procost, p.prorows, p.proconfig, p.proowner::regrole)
      FROM funcs p JOIN pg_language l ON l.oid = p.prolang
    UNION ALL
    SELECT format('function %s arguments %s', p.oid::regprocedure, pg_get_function_arguments(p.oid)) FROM funcs p
    UNION ALL
    SELECT format('function %s body md5 %s', p.oid::regprocedure, md5(p.prosrc || coalesce(p.probin, ''))) FROM funcs p
    UNION ALL
    SELECT format('function %s acl %s', p.oid::regprocedure,
                  (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(coalesce(p.proacl, acldefault('f', p.proowner))) AS a))
      FROM funcs p
    UNION ALL
    SELECT format('function %s comment %s', p.oid::regprocedure, obj_description(p.oid, 'pg_proc')) FROM funcs p
    -- schemas
    UNION ALL
    SELECT format('schema %s owner %s acl %s comment %s', n.nspname, n.nspowner::regrole,
                  (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS a),
                  obj_description(n.oid, 'pg_namespace'))
      FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
    -- relations
    UNION ALL
    SELECT format('relation %s kind %s persistence %s options %s rowsecurity %s forced %s owner %s',
                  c.oid::regclass, c.relkind, c.relpersistence, c.reloptions, c.relrowsecurity,
                  c.relforcerowsecurity, c.relowner::regrole) FROM rels c
    UNION ALL
    SELECT format('relation %s acl %s', c.oid::regclass,
                  (SELECT array_agg(a::text ORDER BY a::text)
                     FROM unnest(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS a))
      FROM rels c
    UNION ALL
    SELECT format('relation %s comment %s', c.oid::regclass, obj_description(c.oid, 'pg_class')) FROM rels c
    UNION ALL
    SELECT format('column %s.%s %s %s notnull %s default %s identity %s generated %s compression %s acl %s',
                  a.relname, a.ordinal, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcompression, a.attacl)
      FROM cols a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    UNION ALL
    SELECT format('column %s.%s comment %s', a.relname, a.attname, col_description(a.attrelid, a.attnum)) FROM cols a
    UNION ALL
    SELECT format('constraint %s %s %s deferrable %s', k.conrelid::regclass, k.conname, pg_get_constraintdef(k.oid),
                  k.condeferrable)
      FROM pg_constraint k JOIN rels c ON c.oid = k.conrelid
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
      FROM pg_index i JOIN rels c ON c.oid = i.indrelid
    UNION ALL
    SELECT format('event trigger %s on %s tags %s function %s enabled %s owner %s comment %s', t.evtname, t.evtevent,
                  t.evttags, t.evtfoid::regprocedure, t.evtenabled, t.evtowner::regrole,
                  obj_description(t.oid, 'pg_event_trigger'))
      FROM pg_event_trigger t JOIN members m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = t.oid
    UNION ALL
    SELECT format('trigger %s enabled %s', pg_get_triggerdef(t.oid), t.tgenabled)
      FROM pg_trigger t JOIN rels c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
    UNION ALL
    SELECT format('policy %s on %s: %s', p.polname, p.polrelid::regclass, pg_get_expr(p.polqual, p.polrelid))
      FROM pg_policy p JOIN rels c ON c.oid = p.polrelid
    UNION ALL
    SELECT format('view %s: %s', c.oid::regclass, regexp_replace(pg_get_viewdef(c.oid), '\s+', ' ', 'g'))
      FROM rels c WHERE c.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('sequence %s type %s start %s increment %s min %s max %s cache %s cycle %s owned by %s',
                  s.seqrelid::regclass, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                  s.seqmax, s.seqcache, s.seqcycle,
                  (SELECT pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype = 'a'))
      FROM pg_sequence s JOIN rels c ON c.oid = s.seqrelid
    UNION ALL
    -- (an entry equal to the object's default ACL means the same as none)
    SELECT format('initial privileges %s: %s', pg_describe_object(i.classoid, i.objoid, i.objsubid),
                  (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(i.initprivs) AS a))
      FROM pg_init_privs i JOIN members m ON m.classid = i.classoid AND m.objid = i.objoid
      LEFT JOIN pg_class c ON i.classoid = 'pg_class'::regclass AND c.oid = i.objoid
      LEFT JOIN pg_proc p ON i.classoid = 'pg_proc'::regclass AND p.oid = i.objoid
     WHERE (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(i.initprivs) AS a)
           IS DISTINCT FROM (SELECT array_agg(a::text ORDER BY a::text) FROM unnest(CASE
               WHEN c.oid IS NOT NULL THEN acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)
               WHEN p.oid IS NOT NULL THEN acldefault('f', p.proowner) END) AS a)
) facts
ORDER BY line COLLATE "C";
