-- stg_products: one row per raw products row.
-- Rule: typed columns as loaded, snake_case names; unit_price is decimal(10,2).
select
    product_id,
    sku,
    name,
    category,
    unit_price,
    active,
    updated_at
from {{ source('raw', 'products') }}
