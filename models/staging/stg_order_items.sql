-- stg_order_items: one row per raw order_items row (bad rows included; fact_sales gates them).
-- Rule: typed columns as loaded, snake_case names; unit_price decimal(10,2), discount decimal(4,3).
select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    discount
from {{ source('raw', 'order_items') }}
