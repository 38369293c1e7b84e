{#
  ShopFlow dialect macros. Every dialect difference used by the ShopFlow models lives here,
  branching on target.type ('duckdb', 'sqlite', 'postgres'). Arguments are SQL expressions
  passed as strings, dbt style: {{ revenue('i.quantity', 'i.unit_price', 'i.discount') }}.
#}

{#- Line revenue in integer cents: round(quantity * unit_price * (1 - discount), 2) * 100,
    rounded half away from zero. On sqlite prices are REAL, so the exact value is computed
    in integers: quantity * price_cents * (1000 - discount_thousandths), in 1e-5 dollars. -#}
{% macro revenue_cents(quantity, unit_price, discount) -%}
{%- if target.type == 'sqlite' -%}
{%- set units = '(cast(' ~ quantity ~ ' as integer) * cast(round(' ~ unit_price ~ ' * 100) as integer) * (1000 - cast(round(' ~ discount ~ ' * 1000) as integer)))' -%}
(case when {{ units }} >= 0 then ({{ units }} + 500) / 1000 else -((500 - {{ units }}) / 1000) end)
{%- else -%}
cast(round({{ quantity }} * {{ unit_price }} * (1 - {{ discount }}), 2) * 100 as bigint)
{%- endif -%}
{%- endmacro %}

{#- Line revenue as money: decimal(18,2) on duckdb/postgres; on sqlite the exact cents / 100.0. -#}
{% macro revenue(quantity, unit_price, discount) -%}
{%- if target.type == 'sqlite' -%}
({{ revenue_cents(quantity, unit_price, discount) }} / 100.0)
{%- else -%}
cast(round({{ quantity }} * {{ unit_price }} * (1 - {{ discount }}), 2) as decimal(18,2))
{%- endif -%}
{%- endmacro %}

{#- A money value (2 decimals) as integer cents. -#}
{% macro money_cents(amount) -%}
{%- if target.type == 'sqlite' -%}
cast(round({{ amount }} * 100) as integer)
{%- else -%}
cast(round({{ amount }} * 100) as bigint)
{%- endif -%}
{%- endmacro %}

{#- Exact sum of a money column (2 decimals). On sqlite: sum the integer cents, then / 100.0. -#}
{% macro sum_money(amount) -%}
{%- if target.type == 'sqlite' -%}
(sum({{ money_cents(amount) }}) / 100.0)
{%- else -%}
cast(sum({{ amount }}) as decimal(18,2))
{%- endif -%}
{%- endmacro %}

{#- UTC calendar date of a timestamp without time zone (stored as UTC).
    sqlite keeps timestamps as 'YYYY-MM-DD HH:MM:SS' text, so date() applies. -#}
{% macro utc_date(ts) -%}
{%- if target.type == 'sqlite' -%}
date({{ ts }})
{%- else -%}
cast({{ ts }} as date)
{%- endif -%}
{%- endmacro %}
