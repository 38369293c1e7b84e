-- stg_orders: one row per raw orders row.
-- Rule: typed columns as loaded, snake_case names; order_ts is UTC; status is the current status.
select
    order_id,
    customer_id,
    order_ts,
    status,
    updated_at
from {{ source('raw', 'orders') }}
