-- setup
create schema if not exists "main";
create schema if not exists "marts";
create schema if not exists "raw";

-- seed raw.things
begin;
drop table if exists "raw"."things__sf_stage";
create table "raw"."things__sf_stage" (
  "id" integer,
  "price" decimal(18,2),
  "day" date
);
-- load csv seeds/things.csv into raw.things__sf_stage (id integer, price decimal(18,2), day date)
drop table if exists "raw"."things";
alter table "raw"."things__sf_stage" rename to "things";
commit;

-- view main.stg_things (after things)
begin;
create or replace view "main"."stg_things" as
select id, price from "raw"."things";
commit;

-- table marts.totals (after stg_things)
begin;
drop table if exists "marts"."totals__sf_stage";
create table "marts"."totals__sf_stage" as
with __sf_cte__eph as (
select id from "main"."stg_things"
)
select count(*) as n from __sf_cte__eph;
drop table if exists "marts"."totals";
alter table "marts"."totals__sf_stage" rename to "totals";
commit;

-- view main.was_table (after totals)
begin;
drop table if exists "main"."was_table";
create or replace view "main"."was_table" as
select * from "marts"."totals";
commit;
