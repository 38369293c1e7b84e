-- Fails for every order_date where fct_daily_revenue disagrees with fact_sales
-- (a missing or extra day, or different orders, items or revenue to the cent).
with from_facts as (
    select
        order_date,
        count(distinct order_id) as orders,
        count(*) as items,
        sum({{ money_cents('revenue') }}) as revenue_cents
    from {{ ref('fact_sales') }}
    group by order_date
),

from_daily as (
    select
        order_date,
        orders,
        items,
        {{ money_cents('revenue') }} as revenue_cents
    from {{ ref('fct_daily_revenue') }}
)

select
    coalesce(f.order_date, d.order_date) as order_date,
    f.orders as fact_orders,
    d.orders as daily_orders,
    f.items as fact_items,
    d.items as daily_items,
    f.revenue_cents as fact_revenue_cents,
    d.revenue_cents as daily_revenue_cents
from from_facts as f
full outer join from_daily as d
    on f.order_date = d.order_date
where f.order_date is null
    or d.order_date is null
    or f.orders <> d.orders
    or f.items <> d.items
    or f.revenue_cents <> d.revenue_cents
