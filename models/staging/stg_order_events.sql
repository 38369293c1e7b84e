-- stg_order_events: one row per distinct event_id.
-- Rule: at-least-once delivery duplicates dropped, keeping the earliest event_ts.
-- Incremental: merge on event_id. A run reads the events of an event_id that is new, or that
-- arrived earlier than the one kept, so the kept row is always the earliest delivery.
{{ config(materialized='incremental', unique_key='event_id') }}
select
    event_id,
    order_id,
    event_type,
    event_ts
from (
    select
        e.event_id,
        e.order_id,
        e.event_type,
        e.event_ts,
        row_number() over (
            partition by e.event_id
            order by e.event_ts, e.order_id, e.event_type
        ) as event_rank
    from {{ source('raw', 'order_events') }} as e
    {% if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as kept
        where kept.event_id = e.event_id
            and kept.event_ts <= e.event_ts
    )
    {% endif %}
) as ranked_events
where event_rank = 1
