-- setup
create schema if not exists "analytics";
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

-- incremental analytics.appended [append]
begin;
drop table if exists "analytics"."appended__sf_stage";
create table "analytics"."appended__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
insert into "analytics"."appended" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."appended__sf_stage";
drop table if exists "analytics"."appended__sf_stage";
commit;

-- incremental analytics.batched [microbatch by day]
-- unit 2026-06-01
begin;
drop table if exists "analytics"."batched__sf_b0";
create table "analytics"."batched__sf_b0" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-01 00:00:00' and d < timestamp '2026-06-02 00:00:00') as "events" where amount > 0;
delete from "analytics"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
insert into "analytics"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."batched__sf_b0" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.batched' and partition_key in ('2026-06-01');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."batched"
  where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."batched__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "analytics"."batched__sf_b1";
create table "analytics"."batched__sf_b1" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00' and d < timestamp '2026-06-03 00:00:00') as "events" where amount > 0;
delete from "analytics"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
insert into "analytics"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."batched__sf_b1" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.batched' and partition_key in ('2026-06-02');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."batched"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."batched__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "analytics"."batched__sf_b2";
create table "analytics"."batched__sf_b2" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-03 00:00:00' and d < timestamp '2026-06-04 00:00:00') as "events" where amount > 0;
delete from "analytics"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
insert into "analytics"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."batched__sf_b2" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.batched' and partition_key in ('2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."batched"
  where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."batched__sf_b2";
commit;

-- incremental analytics.by_bucket [insert_overwrite]
begin;
drop table if exists "analytics"."by_bucket__sf_stage";
create table "analytics"."by_bucket__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "analytics"."by_bucket" as DBT_INTERNAL_DEST
where (("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100));
insert into "analytics"."by_bucket" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."by_bucket__sf_stage";
delete from "sf"."partitions" where relation_name = 'analytics.by_bucket' and partition_key in ('0', '10', '__unpartitioned__');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.by_bucket', 'by_bucket', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) / (10) * 10 as text) end as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."by_bucket"
  where ("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100)
  group by case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) / (10) * 10 as text) end
  union all select '0', 0, cast(null as varchar)
  union all select '10', 0, cast(null as varchar)
  union all select '__unpartitioned__', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."by_bucket__sf_stage";
commit;

-- incremental analytics.deleted [delete+insert]
begin;
drop table if exists "analytics"."deleted__sf_stage";
create table "analytics"."deleted__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "analytics"."deleted" as DBT_INTERNAL_DEST
where ("id", "d") in (select "id", "d" from "analytics"."deleted__sf_stage" as DBT_INTERNAL_SOURCE)
  and (amount > 0);
insert into "analytics"."deleted" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."deleted__sf_stage";
drop table if exists "analytics"."deleted__sf_stage";
commit;

-- incremental analytics.merged [merge]
begin;
drop table if exists "analytics"."merged__sf_stage";
create table "analytics"."merged__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
merge into "analytics"."merged" as DBT_INTERNAL_DEST
using "analytics"."merged__sf_stage" as DBT_INTERNAL_SOURCE
on (DBT_INTERNAL_DEST.d > cast('2026-01-01' as date)) and DBT_INTERNAL_SOURCE."id" = DBT_INTERNAL_DEST."id"
when matched then update set "amount" = DBT_INTERNAL_SOURCE."amount"
when not matched then insert ("id", "d", "amount")
values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."d", DBT_INTERNAL_SOURCE."amount");
drop table if exists "analytics"."merged__sf_stage";
commit;

-- incremental analytics.overwritten [insert_overwrite from 2026-06-02]
-- unit from 2026-06-02 00:00:00
begin;
drop table if exists "analytics"."overwritten__sf_stage";
create table "analytics"."overwritten__sf_stage" as
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "analytics"."overwritten" as DBT_INTERNAL_DEST
where ("d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00');
insert into "analytics"."overwritten" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."overwritten__sf_stage";
delete from "sf"."partitions" where relation_name = 'analytics.overwritten' and partition_key in ('2026-06-02', '2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.overwritten', 'overwritten', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."overwritten"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."overwritten__sf_stage";
commit;

-- incremental analytics.self_reading [microbatch by day]
-- unit 2026-06-01
begin;
drop table if exists "analytics"."self_reading__sf_b0";
create table "analytics"."self_reading__sf_b0" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-01 00:00:00' and d < timestamp '2026-06-02 00:00:00') as "events" where id not in (select id from "analytics"."self_reading");
delete from "analytics"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
insert into "analytics"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."self_reading__sf_b0" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.self_reading' and partition_key in ('2026-06-01');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."self_reading"
  where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."self_reading__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "analytics"."self_reading__sf_b1";
create table "analytics"."self_reading__sf_b1" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00' and d < timestamp '2026-06-03 00:00:00') as "events" where id not in (select id from "analytics"."self_reading");
delete from "analytics"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
insert into "analytics"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."self_reading__sf_b1" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.self_reading' and partition_key in ('2026-06-02');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."self_reading"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."self_reading__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "analytics"."self_reading__sf_b2";
create table "analytics"."self_reading__sf_b2" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-03 00:00:00' and d < timestamp '2026-06-04 00:00:00') as "events" where id not in (select id from "analytics"."self_reading");
delete from "analytics"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
insert into "analytics"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "analytics"."self_reading__sf_b2" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
delete from "sf"."partitions" where relation_name = 'analytics.self_reading' and partition_key in ('2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'analytics.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__') as partition_key, count(*) as row_count, coalesce(sum(hashtextextended(row("id", "d", "amount")::text, 0))::text, '0') as checksum
  from "analytics"."self_reading"
  where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(to_char(date_trunc('day', cast("d" as timestamp)), 'YYYY-MM-DD'), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "analytics"."self_reading__sf_b2";
commit;
