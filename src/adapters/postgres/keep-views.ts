// Keep the views that read a relation working when the relation is replaced (PostgreSQL).
//
// PostgreSQL binds a view to the oid of what it reads: after `drop t; alter t__stage rename
// to t` a plain drop fails while views read `t`, and `drop ... cascade` silently drops them.
// A rebuilt table (or view) is published as:
//
//   1. save-and-drop: collect every view that reads the target, directly or through other
//      views (pg_depend -> pg_rewrite, recursively), with its definition (pg_get_viewdef, read
//      with an empty search_path so every name is schema-qualified), options, grants and
//      comment, plus the target's own grants and comment; keep them in a transaction-local
//      setting (`sf.saved_relations`) and drop the views, deepest first;
//   2. the plain statements: drop the target (never CASCADE), rename the stage / create the view;
//   3. restore: create the saved views again in dependency order, re-grant, re-comment; give
//      the new target the old one's grants and comment (when it is of the same kind).
//
// All of it runs inside the step's transaction: readers wait on the locks and then see the
// new table with its views, and any failure rolls everything back to the old table.
//
// Why not refill the table in place (`truncate t; insert into t select * from stage`) when the
// columns are unchanged? It copies every row a second time and writes it to the WAL twice,
// TRUNCATE is not MVCC-safe (a repeatable-read reader with an older snapshot sees an empty
// table), and it covers only unchanged columns: the recreate path is needed anyway for a
// changed table, which is when views most need care. One path for both cases keeps the
// swap a metadata-only operation and gets tested on every rebuild.
//
// Consequences: views on the table are new objects (new oids, owned by the role that builds;
// grants, comments and options such as security_barrier are carried over; column comments
// and column-level grants are not). A view whose definition no longer fits the new table
// (a column it reads is gone) fails the step with its name, and the old table stays. Other
// dependents (materialized views, foreign keys, functions using the row type) make the plain
// drop fail with PostgreSQL's own message: nothing is ever dropped silently.
import type { Relation, Statement } from '../types.js';

export const SAVED_SETTING = 'sf.saved_relations';

export function saveAndDropDependentViews(target: Relation): Statement {
  return { sql: doBlock(`
declare
  target_oid oid := to_regclass(format('%I.%I', ${literal(target.schema)}, ${literal(target.name)}));
  path_before text := current_setting('search_path');
  saved jsonb;
  v record;
begin
  perform set_config('${SAVED_SETTING}', '', true);
  if target_oid is null then
    return;
  end if;
  -- An empty search_path makes pg_get_viewdef qualify every name it prints.
  perform set_config('search_path', '', true);
  with recursive dependents(oid, depth) as (
    select rw.ev_class, 1
    from pg_catalog.pg_depend d
    join pg_catalog.pg_rewrite rw on rw.oid = d.objid
    join pg_catalog.pg_class c on c.oid = rw.ev_class and c.relkind = 'v'
    where d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
      and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      and d.refobjid = target_oid and rw.ev_class <> target_oid
    union
    select rw.ev_class, dep.depth + 1
    from dependents dep
    join pg_catalog.pg_depend d on d.refobjid = dep.oid
      and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      and d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
    join pg_catalog.pg_rewrite rw on rw.oid = d.objid and rw.ev_class <> dep.oid
    join pg_catalog.pg_class c on c.oid = rw.ev_class and c.relkind = 'v'
  )
  select pg_catalog.jsonb_build_object(
    'self', pg_catalog.jsonb_build_object(
      'kind', t.relkind, 'acl', t.relacl::text, 'comment', pg_catalog.obj_description(t.oid, 'pg_class')),
    'views', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'schema_name', n.nspname, 'view_name', c.relname, 'depth', deepest.depth,
        'definition', pg_catalog.pg_get_viewdef(c.oid), 'options', c.reloptions,
        'acl', c.relacl::text, 'comment', pg_catalog.obj_description(c.oid, 'pg_class'))
        order by deepest.depth, n.nspname, c.relname)
      from (select oid, max(depth) as depth from dependents group by oid) deepest
      join pg_catalog.pg_class c on c.oid = deepest.oid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace), '[]'::jsonb))
  into saved
  from pg_catalog.pg_class t
  where t.oid = target_oid;
  perform set_config('${SAVED_SETTING}', saved::text, true);
  for v in
    select x->>'schema_name' as schema_name, x->>'view_name' as view_name
    from pg_catalog.jsonb_array_elements(saved->'views') as x
    order by (x->>'depth')::int desc
  loop
    execute format('drop view %I.%I', v.schema_name, v.view_name);
  end loop;
  perform set_config('search_path', path_before, true);
end`) };
}

export function restoreDependentViews(target: Relation): Statement {
  return { sql: doBlock(`
declare
  saved jsonb := nullif(current_setting('${SAVED_SETTING}', true), '')::jsonb;
  target_name text := format('%I.%I', ${literal(target.schema)}, ${literal(target.name)});
  path_before text := current_setting('search_path');
  self_kind text;
  v record;
  g record;
begin
  if saved is null then
    return;
  end if;
  perform set_config('search_path', '', true);
  select c.relkind::text into self_kind from pg_catalog.pg_class c where c.oid = to_regclass(target_name);
  if self_kind = saved->'self'->>'kind' then
    -- The rebuilt relation keeps the grants and comment of the one it replaced.
    for g in
      select a.privilege_type, a.is_grantable,
        case when a.grantee = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) end as grantee
      from pg_catalog.aclexplode((saved->'self'->>'acl')::pg_catalog.aclitem[]) a
      where a.grantee <> (select c.relowner from pg_catalog.pg_class c where c.oid = to_regclass(target_name))
    loop
      execute format('grant %s on %s to %s%s', g.privilege_type, target_name, g.grantee,
        case when g.is_grantable then ' with grant option' else '' end);
    end loop;
    if saved->'self'->>'comment' is not null then
      execute format('comment on %s %s is %L', case when self_kind = 'v' then 'view' else 'table' end,
        target_name, saved->'self'->>'comment');
    end if;
  end if;
  for v in
    select * from pg_catalog.jsonb_to_recordset(saved->'views')
      as x(schema_name text, view_name text, depth int, definition text, options text[], acl text, comment text)
    order by depth
  loop
    begin
      execute format('create view %I.%I%s as %s', v.schema_name, v.view_name,
        case when v.options is null then '' else format(' with (%s)', pg_catalog.array_to_string(v.options, ', ')) end,
        regexp_replace(v.definition, ';\\s*$', ''));
    exception when others then
      raise exception 'replacing % would break view %.% that reads it: %', target_name, v.schema_name, v.view_name, sqlerrm
        using hint = format('the view needs something the new %s no longer has; change the view (or the model) so they fit, then build both', target_name);
    end;
    for g in
      select a.privilege_type, a.is_grantable,
        case when a.grantee = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) end as grantee
      from pg_catalog.aclexplode(v.acl::pg_catalog.aclitem[]) a
      where a.grantee <> (select c.relowner from pg_catalog.pg_class c where c.oid = to_regclass(format('%I.%I', v.schema_name, v.view_name)))
    loop
      execute format('grant %s on %I.%I to %s%s', g.privilege_type, v.schema_name, v.view_name, g.grantee,
        case when g.is_grantable then ' with grant option' else '' end);
    end loop;
    if v.comment is not null then
      execute format('comment on view %I.%I is %L', v.schema_name, v.view_name, v.comment);
    end if;
  end loop;
  perform set_config('${SAVED_SETTING}', '', true);
  perform set_config('search_path', path_before, true);
end`) };
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `do $sf$ ... $sf$` with a dollar-quote tag the body does not contain. */
function doBlock(body: string): string {
  let tag = '$sf$';
  for (let i = 1; body.includes(tag); i++) tag = `$sf${i}$`;
  return `do ${tag}${body}\n${tag}`;
}
