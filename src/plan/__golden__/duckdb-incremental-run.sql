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
-- unit 2026-06-01
begin;
drop table if exists "main"."batched__sf_b0";
create table "main"."batched__sf_b0" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-01 00:00:00' and d < timestamp '2026-06-02 00:00:00') as "events" where amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b0" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-01');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."batched"
  where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "main"."batched__sf_b1";
create table "main"."batched__sf_b1" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00' and d < timestamp '2026-06-03 00:00:00') as "events" where amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b1" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-02');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."batched"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "main"."batched__sf_b2";
create table "main"."batched__sf_b2" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-03 00:00:00' and d < timestamp '2026-06-04 00:00:00') as "events" where amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b2" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."batched"
  where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b2";
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
select 'main.by_bucket', 'by_bucket', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) // (10) * 10 as text) end as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."by_bucket"
  where ("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100)
  group by case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) // (10) * 10 as text) end
  union all select '0', 0, cast(null as varchar)
  union all select '10', 0, cast(null as varchar)
  union all select '__unpartitioned__', 0, cast(null as varchar)
) as written
group by partition_key;
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
select id, cast(d as date) as d, amount from "raw"."events" where amount > 0;
delete from "main"."overwritten" as DBT_INTERNAL_DEST
where ("d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00');
insert into "main"."overwritten" ("id", "d", "amount")
select "id", "d", "amount" from "main"."overwritten__sf_stage";
delete from "sf"."partitions" where relation_name = 'main.overwritten' and partition_key in ('2026-06-02', '2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.overwritten', 'overwritten', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."overwritten"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."overwritten__sf_stage";
commit;

-- incremental main.self_reading [microbatch by day]
-- unit 2026-06-01
begin;
drop table if exists "main"."self_reading__sf_b0";
create table "main"."self_reading__sf_b0" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-01 00:00:00' and d < timestamp '2026-06-02 00:00:00') as "events" where id not in (select id from "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b0" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-01');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."self_reading"
  where "d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-02 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "main"."self_reading__sf_b1";
create table "main"."self_reading__sf_b1" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-02 00:00:00' and d < timestamp '2026-06-03 00:00:00') as "events" where id not in (select id from "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b1" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-02');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."self_reading"
  where "d" >= timestamp '2026-06-02 00:00:00' and "d" < timestamp '2026-06-03 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "main"."self_reading__sf_b2";
create table "main"."self_reading__sf_b2" as
select id, cast(d as date) as d, amount from (select * from "raw"."events" where d >= timestamp '2026-06-03 00:00:00' and d < timestamp '2026-06-04 00:00:00') as "events" where id not in (select id from "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b2" as DBT_INTERNAL_SOURCE
where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00';
delete from "sf"."partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-03');
insert into "sf"."partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(strftime("d", '%Y-%m-%d'), '__null__') as partition_key, count(*) as row_count, coalesce(cast(sum(hash("id", "d", "amount")) as varchar), '0') as checksum
  from "main"."self_reading"
  where "d" >= timestamp '2026-06-03 00:00:00' and "d" < timestamp '2026-06-04 00:00:00'
  group by coalesce(strftime("d", '%Y-%m-%d'), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b2";
commit;
