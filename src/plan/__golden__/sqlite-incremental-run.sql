-- setup
create table if not exists "main"."sf__partitions" (
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
SELECT id, date(d) AS "d", amount FROM "main"."raw__events" WHERE amount > 0;
insert into "main"."appended" ("id", "d", "amount")
select "id", "d", "amount" from "main"."appended__sf_stage";
drop table if exists "main"."appended__sf_stage";
commit;

-- incremental main.batched [microbatch by day]
-- unit 2026-06-01
begin;
drop table if exists "main"."batched__sf_b0";
create table "main"."batched__sf_b0" as
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-01' AND datetime(d) < '2026-06-02') AS "events" WHERE amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b0" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02';
delete from "main"."sf__partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-01');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."batched"
  where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "main"."batched__sf_b1";
create table "main"."batched__sf_b1" as
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-02' AND datetime(d) < '2026-06-03') AS "events" WHERE amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b1" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03';
delete from "main"."sf__partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-02');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."batched"
  where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "main"."batched__sf_b2";
create table "main"."batched__sf_b2" as
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-03' AND datetime(d) < '2026-06-04') AS "events" WHERE amount > 0;
delete from "main"."batched" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04';
insert into "main"."batched" ("id", "d", "amount")
select "id", "d", "amount" from "main"."batched__sf_b2" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04';
delete from "main"."sf__partitions" where relation_name = 'main.batched' and partition_key in ('2026-06-03');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.batched', 'batched', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."batched"
  where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."batched__sf_b2";
commit;

-- incremental main.by_bucket [insert_overwrite]
begin;
drop table if exists "main"."by_bucket__sf_stage";
create table "main"."by_bucket__sf_stage" as
SELECT id, date(d) AS "d", amount FROM "main"."raw__events" WHERE amount > 0;
delete from "main"."by_bucket" as DBT_INTERNAL_DEST
where (("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100));
insert into "main"."by_bucket" ("id", "d", "amount")
select "id", "d", "amount" from "main"."by_bucket__sf_stage";
delete from "main"."sf__partitions" where relation_name = 'main.by_bucket' and partition_key in ('0', '10', '__unpartitioned__');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.by_bucket', 'by_bucket', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) / (10) * 10 as text) end as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."by_bucket"
  where ("id" >= 0 and "id" < 10) or ("id" >= 10 and "id" < 20) or ("id" < 0 or "id" >= 100)
  group by case when "id" is null then '__null__' when "id" < 0 or "id" >= 100 then '__unpartitioned__' else cast(0 + ("id" - 0) / (10) * 10 as text) end
  union all select '0', 0, cast(null as varchar)
  union all select '10', 0, cast(null as varchar)
  union all select '__unpartitioned__', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."by_bucket__sf_stage";
commit;

-- incremental main.deleted [delete+insert]
begin;
create index if not exists "main"."deleted__sf_key" on "deleted" ("id", "d");
drop table if exists "main"."deleted__sf_stage";
create table "main"."deleted__sf_stage" as
SELECT id, date(d) AS "d", amount FROM "main"."raw__events" WHERE amount > 0;
delete from "main"."deleted" as DBT_INTERNAL_DEST
where ("id", "d") in (select "id", "d" from "main"."deleted__sf_stage" as DBT_INTERNAL_SOURCE)
  and (amount > 0);
insert into "main"."deleted" ("id", "d", "amount")
select "id", "d", "amount" from "main"."deleted__sf_stage";
drop table if exists "main"."deleted__sf_stage";
commit;

-- incremental main.merged [merge]
begin;
create index if not exists "main"."merged__sf_key" on "merged" ("id");
drop table if exists "main"."merged__sf_stage";
create table "main"."merged__sf_stage" as
SELECT id, date(d) AS "d", amount FROM "main"."raw__events" WHERE amount > 0;
insert into "main"."merged" ("id", "d", "amount")
select DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."d", DBT_INTERNAL_SOURCE."amount" from "main"."merged__sf_stage" as DBT_INTERNAL_SOURCE
where not exists (select 1 from "main"."merged" as DBT_INTERNAL_DEST where ("DBT_INTERNAL_DEST".d > date('2026-01-01')) and DBT_INTERNAL_SOURCE."id" = DBT_INTERNAL_DEST."id");
update "main"."merged" as DBT_INTERNAL_DEST
set "amount" = DBT_INTERNAL_SOURCE."amount"
from "main"."merged__sf_stage" as DBT_INTERNAL_SOURCE
where ("DBT_INTERNAL_DEST".d > date('2026-01-01')) and DBT_INTERNAL_SOURCE."id" = DBT_INTERNAL_DEST."id" and (DBT_INTERNAL_DEST."amount" is not DBT_INTERNAL_SOURCE."amount");
drop table if exists "main"."merged__sf_stage";
commit;

-- incremental main.overwritten [insert_overwrite from 2026-06-02]
-- unit from 2026-06-02 00:00:00
begin;
drop table if exists "main"."overwritten__sf_stage";
create table "main"."overwritten__sf_stage" as
SELECT id, date(d) AS "d", amount FROM "main"."raw__events" WHERE amount > 0;
delete from "main"."overwritten" as DBT_INTERNAL_DEST
where (datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-04');
insert into "main"."overwritten" ("id", "d", "amount")
select "id", "d", "amount" from "main"."overwritten__sf_stage";
delete from "main"."sf__partitions" where relation_name = 'main.overwritten' and partition_key in ('2026-06-02', '2026-06-03');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.overwritten', 'overwritten', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."overwritten"
  where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-04'
  group by coalesce(date("d"), '__null__')
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
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-01' AND datetime(d) < '2026-06-02') AS "events" WHERE id NOT IN (SELECT id FROM "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b0" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02';
delete from "main"."sf__partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-01');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."self_reading"
  where datetime("d") >= '2026-06-01' and datetime("d") < '2026-06-02'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-01', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b0";
commit;

-- unit 2026-06-02
begin;
drop table if exists "main"."self_reading__sf_b1";
create table "main"."self_reading__sf_b1" as
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-02' AND datetime(d) < '2026-06-03') AS "events" WHERE id NOT IN (SELECT id FROM "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b1" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03';
delete from "main"."sf__partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-02');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."self_reading"
  where datetime("d") >= '2026-06-02' and datetime("d") < '2026-06-03'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-02', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b1";
commit;

-- unit 2026-06-03
begin;
drop table if exists "main"."self_reading__sf_b2";
create table "main"."self_reading__sf_b2" as
SELECT id, date(d) AS "d", amount FROM (SELECT * FROM "main"."raw__events" WHERE datetime(d) >= '2026-06-03' AND datetime(d) < '2026-06-04') AS "events" WHERE id NOT IN (SELECT id FROM "main"."self_reading");
delete from "main"."self_reading" as DBT_INTERNAL_DEST
where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04';
insert into "main"."self_reading" ("id", "d", "amount")
select "id", "d", "amount" from "main"."self_reading__sf_b2" as DBT_INTERNAL_SOURCE
where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04';
delete from "main"."sf__partitions" where relation_name = 'main.self_reading' and partition_key in ('2026-06-03');
insert into "main"."sf__partitions" (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
select 'main.self_reading', 'self_reading', partition_key, sum(row_count), coalesce(max(checksum), '0'), 'run-1', '2026-06-03T12:00:00.000Z', '2026-06-03T12:00:01.000Z', 'success', 1, null
from (
  select coalesce(date("d"), '__null__') as partition_key, count(*) as row_count, sf_checksum("id", "d", "amount") as checksum
  from "main"."self_reading"
  where datetime("d") >= '2026-06-03' and datetime("d") < '2026-06-04'
  group by coalesce(date("d"), '__null__')
  union all select '2026-06-03', 0, cast(null as varchar)
) as written
group by partition_key;
drop table if exists "main"."self_reading__sf_b2";
commit;
