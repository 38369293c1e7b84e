-- Fails for every fact_sales row with negative revenue (quantity > 0 and discount < 1 forbid it).
select
    order_item_id,
    order_date,
    quantity,
    unit_price,
    discount,
    revenue
from {{ ref('fact_sales') }}
where revenue < 0
