-- stg_order_events: one row per distinct event_id.
-- Rule: at-least-once delivery duplicates dropped, keeping the earliest event_ts.
select
    event_id,
    order_id,
    event_type,
    event_ts
from (
    select
        event_id,
        order_id,
        event_type,
        event_ts,
        row_number() over (
            partition by event_id
            order by event_ts, order_id, event_type
        ) as event_rank
    from {{ source('raw', 'order_events') }}
) as ranked_events
where event_rank = 1
