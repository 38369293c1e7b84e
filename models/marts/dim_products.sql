-- dim_products: one row per product_id.
-- Rule: the latest version of each product by updated_at.
select
    product_id,
    sku,
    name,
    category,
    unit_price,
    active,
    updated_at
from (
    select
        product_id,
        sku,
        name,
        category,
        unit_price,
        active,
        updated_at,
        row_number() over (partition by product_id order by updated_at desc) as version_rank
    from {{ ref('stg_products') }}
) as versions
where version_rank = 1
