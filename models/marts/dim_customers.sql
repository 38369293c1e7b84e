-- dim_customers: one row per customer_id.
-- Rule: the latest version of each customer by updated_at.
select
    customer_id,
    email,
    first_name,
    last_name,
    country,
    signup_date,
    updated_at
from (
    select
        customer_id,
        email,
        first_name,
        last_name,
        country,
        signup_date,
        updated_at,
        row_number() over (partition by customer_id order by updated_at desc) as version_rank
    from {{ ref('stg_customers') }}
) as versions
where version_rank = 1
