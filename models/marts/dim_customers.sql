-- dim_customers: one row per customer_id.
-- Rule: the latest version of each customer by updated_at.
-- Incremental: merge on customer_id; a run reads only customer versions newer than the table's
-- newest, and each one replaces the customer's row.
{{ config(materialized='incremental', unique_key='customer_id') }}
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
    {% if is_incremental() %}
    where updated_at > (select max(updated_at) from {{ this }})
    {% endif %}
) as versions
where version_rank = 1
