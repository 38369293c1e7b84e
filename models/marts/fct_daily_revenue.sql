-- fct_daily_revenue: one row per order_date (UTC), what the daily dashboard reads.
-- Rule: orders = distinct order_id, items = fact_sales rows, revenue = exact sum of fact_sales.revenue.
select
    order_date,
    count(distinct order_id) as orders,
    count(*) as items,
    {{ sum_money('revenue') }} as revenue
from {{ ref('fact_sales') }}
group by order_date
