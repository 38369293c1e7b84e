-- stg_customers: one row per raw customers row.
-- Rule: typed columns as loaded, snake_case names; email trimmed and lower-cased.
select
    customer_id,
    lower(trim(email)) as email,
    first_name,
    last_name,
    country,
    signup_date,
    updated_at
from {{ source('raw', 'customers') }}
