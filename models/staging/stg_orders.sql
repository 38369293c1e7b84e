-- stg_orders: one row per raw orders row.
-- Rule: typed columns as loaded, snake_case names; order_ts is UTC; status is the current status.
-- event_time: batched models reading it (fact_sales) see only their window's orders.
{{ config(event_time='order_ts') }}
select
    order_id,
    customer_id,
    order_ts,
    status,
    updated_at
from {{ source('raw', 'orders') }}
