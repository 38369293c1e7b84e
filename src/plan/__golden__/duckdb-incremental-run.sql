-- setup
create schema if not exists "main";
create schema if not exists "sf";
create table if not exists "sf"."partitions" (
  relation_name text not null,
  model_name text not null,
  partition_key text not null,
  row_count bigint,
  checksum text,
  run_id text not null,
  started_at text not null,
  finished_at text not null,
  status text not null,
  attempts integer not null,
  error text,
  primary key (relation_name, partition_key)
);

-- incremental main.appended [append]
begin;
drop table if exists "main"."appended__sf_stage";
create table "main"."appended__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
insert into "main"."appended" ("id", "d", "amount")
select "id", "d", "amount" from "main"."appended__sf_stage";
drop table if exists "main"."appended__sf_stage";
commit;

-- incremental main.batched [microbatch by day]
-- unit 2026-06-02
begin;
drop table if exists "main"."batched__sf_b0";
create table "main"."batched__sf_b0" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00' and d < timestamp '2026-06-03 00:00:00') as "events" where amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b0" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-02');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, row_count, checksum, 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."batched"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
) as written;
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', k.partition_key, 0, '0', 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (select '2026-06-02' as partition_key) as k
where not exists (select 1 from "sf"."partitions" as l where l.relation_name = 'main.batched' and l.partition_key = k.partition_key);
drop table if exists "main"."batched__sf_b0";
commit;

-- unit 2026-06-03
begin;
drop table if exists "main"."batched__sf_b1";
create table "main"."batched__sf_b1" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-03 00:00:00' and d < timestamp '2026-06-04 00:00:00') as "events" where amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b1" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, row_count, checksum, 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."batched"
  where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
) as written;
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', k.partition_key, 0, '0', 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (select '2026-06-03' as partition_key) as k
where not exists (select 1 from "sf"."partitions" as l where l.relation_name = 'main.batched' and l.partition_key = k.partition_key);
drop table if exists "main"."batched__sf_b1";
commit;

-- incremental main.by_bucket [insert_overwrite]
begin;
drop table if exists "main"."by_bucket__sf_stage";
create table "main"."by_bucket__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "main"."by_bucket" as DBT_INTERNAL_DEST
where (("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100));
insert into "main"."by_bucket" ("id", "d", "amount")
select "id", "d", "amount" from "main"."by_bucket__sf_stage";
delete from "sf"."partitions" where relation_name = 'main.by_bucket' and partition_key in ('0', '10', '__unpartitioned__');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.by_bucket', 'by_bucket', partition_key, row_count, checksum, 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) // (10) * 10 as text) end as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."by_bucket"
  where ("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100)
  group by case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) // (10) * 10 as text) end
) as written;
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.by_bucket', 'by_bucket', k.partition_key, 0, '0', 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (select '0' as partition_key union all select '10' as partition_key union all select '__unpartitioned__' as partition_key) as k
where not exists (select 1 from "sf"."partitions" as l where l.relation_name = 'main.by_bucket' and l.partition_key = k.partition_key);
drop table if exists "main"."by_bucket__sf_stage";
commit;

-- incremental main.deleted [delete+insert]
begin;
drop table if exists "main"."deleted__sf_stage";
create table "main"."deleted__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "main"."deleted" as DBT_INTERNAL_DEST
where ("id", "d") in (select "id", "d" from "main"."deleted__sf_stage" as DBT_INTERNAL_SOURCE)
  and (amount > 0);
insert into "main"."deleted" ("id", "d", "amount")
select "id", "d", "amount" from "main"."deleted__sf_stage";
drop table if exists "main"."deleted__sf_stage";
commit;

-- incremental main.merged [merge]
begin;
drop table if exists "main"."merged__sf_stage";
create table "main"."merged__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
merge into "main"."merged" as DBT_INTERNAL_DEST
using "main"."merged__sf_stage" as DBT_INTERNAL_SOURCE
on (DBT_INTERNAL_DEST.d > cast('2026-01-01' as date)) and DBT_INTERNAL_SOURCE."id" = DBT_INTERNAL_DEST."id"
when matched then update set "amount" = DBT_INTERNAL_SOURCE."amount"
when not matched then insert ("id", "d", "amount")
values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."d", DBT_INTERNAL_SOURCE."amount");
drop table if exists "main"."merged__sf_stage";
commit;

-- incremental main.overwritten [insert_overwrite from 2026-06-02]
-- unit from 2026-06-02 00:00:00
begin;
drop table if exists "main"."overwritten__sf_stage";
create table "main"."overwritten__sf_stage" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00') as "events" where amount > 0;
delete from "main"."overwritten" as DBT_INTERNAL_DEST
where ("d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00');
insert into "main"."overwritten" ("id", "d", "amount")
select "id", "d", "amount" from "main"."overwritten__sf_stage";
delete from "sf"."partitions" where relation_name = 'main.overwritten' and partition_key in ('2026-06-02', '2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.overwritten', 'overwritten', partition_key, row_count, checksum, 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."overwritten"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
) as written;
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.overwritten', 'overwritten', k.partition_key, 0, '0', 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (select '2026-06-02' as partition_key union all select '2026-06-03' as partition_key) as k
where not exists (select 1 from "sf"."partitions" as l where l.relation_name = 'main.overwritten' and l.partition_key = k.partition_key);
drop table if exists "main"."overwritten__sf_stage";
commit;
