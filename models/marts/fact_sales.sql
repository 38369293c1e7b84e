-- fact_sales: one row per order item of a non-cancelled order.
-- order_date is the UTC date of order_ts; revenue = round(quantity * unit_price * (1 - discount), 2).
-- Incremental: each run replaces whole order_date partitions (insert_overwrite). An incremental
-- run rebuilds the days from its last built one on, reading orders from sf.batch_start;
-- `--start/--end` rebuilds a range of days, one batch each (stg_orders declares order_ts as its
-- event_time, so ref('stg_orders') is also filtered to each batch's day).
-- Quality rules (fact_sales.yml, severity quarantine): quantity > 0, product_id present in
-- dim_products, customer_id not null, order_item_id unique. Rows breaking one are moved to
-- fact_sales__quarantine before the rest is published.
-- On PostgreSQL the table is indexed by order_date, so each batch of a backfill deletes and
-- checks its day without reading the whole table (DuckDB and SQLite: no index, as in dbt).
{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='order_date',
          indexes=[{'columns': ['order_date']}]) }}
select
    i.order_item_id,
    i.order_id,
    {{ utc_date('o.order_ts') }} as order_date,
    o.customer_id,
    i.product_id,
    i.quantity,
    i.unit_price,
    i.discount,
    {{ revenue('i.quantity', 'i.unit_price', 'i.discount') }} as revenue
from {{ ref('stg_order_items') }} as i
inner join {{ ref('stg_orders') }} as o
    on o.order_id = i.order_id
where coalesce(o.status, '') <> 'cancelled'
{% if sf.batch_start %}
    -- An incremental run reads orders from its window's start on (order_date is the UTC
    -- date of order_ts, so the two line up).
    and o.order_ts >= {{ sf.batch_start }}
{% endif %}
