// Jinja as dbt projects write it, rendered by sf's Nunjucks (jinja-compat.ts): each construct
// renders what Jinja renders.
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { dropTrailingCommas, installJinjaCompat } from './jinja-compat.js';

const env = new nunjucks.Environment(null, { autoescape: false });
installJinjaCompat(env);
const render = (src: string, ctx: Record<string, unknown> = {}) => env.renderString(src, ctx).trim();

describe('Jinja as dbt writes it', () => {
  it('knows True, False and None', () => {
    expect(render('{% if True and not False and x is none %}yes{% endif %}', { x: null })).toBe('yes');
    expect(render("{{ [True, False] | join(',') }}")).toBe('true,false');
  });

  it('reads a tuple as a list, and a parenthesized expression as itself', () => {
    expect(render("{{ ('a', 'b') | join(',') }} {{ 'b' in ('a', 'b') }} {{ (1 + 2) * 3 }}")).toBe('a,b True 9');
  });

  it('takes trailing commas in lists, dicts and calls, not in strings or SQL', () => {
    expect(render("{{ [1, 2,] | length }} {{ {'a': 1,}['a'] }} {{ range(3,) | list | length }}")).toBe('2 1 3');
    expect(render("{% set cols = [\n  'a',\n  'b',\n] %}{{ cols | join('|') }}")).toBe('a|b');
    expect(dropTrailingCommas("select a, b, from t where x in ({{ [1,] | join(',') }}) and s = ',)'")).toBe("select a, b, from t where x in ({{ [1 ] | join(',') }}) and s = ',)'");
    expect(dropTrailingCommas("{{ f('a,)', ',]') }}")).toBe("{{ f('a,)', ',]') }}");
  });

  it('has Python\'s string, list and dict methods', () => {
    expect(render("{{ 'AbC'.lower() }} {{ 'abc'.upper() }} {{ '  x '.strip() }} {{ 'xxaxx'.strip('x') }} {{ 'a-b-c'.replace('-', '_') }}")).toBe('abc ABC x a a_b_c');
    expect(render("{{ 'a,b,,c'.split(',') | length }} {{ ' a  b '.split() | join('|') }} {{ 'a.b.c'.split('.', 1) | join('|') }}")).toBe('4 a|b a|b.c');
    expect(render("{{ 'orders'.startswith('ord') }} {{ 'x.csv'.endswith(('.csv', '.tsv')) }} {{ '{}_{}'.format('a', 1) }} {{ ', '.join(['a', 'b']) }}")).toBe('True True a_1 a, b');
    expect(render("{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{{ l | join(',') }} {{ l.pop() }} {{ l | length }}")).toBe('1,2,3 3 2');
    expect(render("{% set d = {'b': 2, 'a': 1} %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.get('a') }} {{ d.get('z', 'none') }} {{ d.keys() | join }}")).toBe('b=2;a=1; 1 none ba');
    expect(render("{% set d = {} %}{% do d.update({'x': 1}) %}{{ d.x }}")).toBe('1');
  });

  it('keeps an object\'s own member over a Python method of the same name', () => {
    expect(render('{{ d.items }} {{ d.get("k") }}', { d: { items: 'mine', get: (k: string) => `got ${k}` } })).toBe('mine got k');
  });

  it('lets a macro return a value with return(), from any depth, and the caller goes on with its own variables', () => {
    const src = `{% macro cols(n) %}{% for i in range(n) %}{% if i == 2 %}{{ return(['c0', 'c1', 'c2']) }}{% endif %}{% endfor %}{{ return([]) }}{% endmacro %}
{% macro outer() %}{% set mine = 'kept' %}{% set got = cols(5) %}{{ got | join(',') }} {{ mine }}{% endmacro %}
{% for x in [1] %}{% set c = cols(1) %}{{ c | length }} {{ outer() }} {{ x }}{% endfor %}`;
    expect(render(src)).toBe('0 c0,c1,c2 kept 1');
  });

  it('filters loops as Jinja does: loop variables and else count only the items kept', () => {
    expect(render("{% for x in [1, 2, 3, 4] if x is odd %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor %}")).toBe('1:1,2:3');
    expect(render("{% for k, v in {'a': 1, 'b': 2}.items() if v > 1 %}{{ k }}{% endfor %}")).toBe('b');
    expect(render("{% for x in [1] if x > 5 %}{{ x }}{% else %}none{% endfor %}")).toBe('none');
    expect(render("{% for x in [1, 2] %}{% for y in [1, 2, 3] if y != x %}{{ x }}{{ y }} {% endfor %}{% endfor %}")).toBe('12 13 21 23');
    expect(render("{% for x in ([1, 2] if True else []) %}{{ x }}{% endfor %}")).toBe('12');
  });

  it('has modules.datetime: dates, timedeltas, arithmetic, strftime and strptime, in UTC', () => {
    const dt = 'modules.datetime';
    expect(render(`{{ (${dt}.date(2026, 3, 1) - ${dt}.timedelta(days=1)).strftime('%Y-%m-%d %a %j') }}`)).toBe('2026-02-28 Sat 059');
    expect(render(`{{ ${dt}.datetime(2026, 6, 17, 13, 5) + ${dt}.timedelta(hours=12) }}`)).toBe('2026-06-18 01:05:00');
    expect(render(`{{ (${dt}.date(2026, 6, 17) - ${dt}.date(2026, 1, 15)).days }} {{ ${dt}.datetime.strptime('17/06/2026', '%d/%m/%Y').isoformat() }}`)).toBe('153 2026-06-17T00:00:00');
    expect(render(`{{ ${dt}.date.fromisoformat('2026-06-17').replace(day=1) }} {{ ${dt}.date(2026, 1, 2) < ${dt}.date(2026, 1, 3) }} {{ 2 + 3 }} {{ 7 - 10 }}`)).toBe('2026-06-01 True 5 -3');
    const today = render(`{{ ${dt}.date.today() }}`);
    expect(today).toBe(new Date().toISOString().slice(0, 10));
  });

  it('has modules.re with Python\'s regular expressions', () => {
    expect(render("{{ modules.re.match('(?P<word>[a-z]+)_(\\\\d+)', 'orders_42').group('word') }} {{ modules.re.search('\\\\d+', 'abc 123 def').group(0) }}")).toBe('orders 123');
    expect(render("{{ modules.re.sub('[^a-z0-9]+', '_', 'Order Items (v2)'.lower()) }} {{ modules.re.findall('\\\\d', 'a1b2') | join(',') }} {{ modules.re.match('x', 'yx') is none }}")).toBe('order_items_v2_ 1,2 True');
  });

  it('evaluates {% do %} and prints nothing; prints tojson as Python\'s json.dumps, reads fromjson', () => {
    expect(render("{% set l = [] %}{% do l.append('x') %}[{% do l.append('y') %}]{{ l | length }}")).toBe('[]2');
    expect(render("{{ {'a': 1, 'b': [1, 2]} | tojson }} {{ tojson(['x [ y']) }} {{ fromjson('{\"k\": [1]}').k[0] }}")).toBe('{"a": 1, "b": [1, 2]} ["x [ y"] 1');
  });

  it("judges truth as Python does: empty lists and dicts are false; and/or give an operand", () => {
    expect(render("{% if [] %}y{% else %}n{% endif %} {% if {} %}y{% else %}n{% endif %} {% if [0] %}y{% endif %} {% if '' %}y{% else %}n{% endif %}")).toBe('n n y n');
    expect(render("{% if a and b %}both{% else %}not both{% endif %}", { a: [], b: ['x'] })).toBe('not both');
    expect(render("{{ (a or ['fallback']) | join }} {{ a and 'never' }}|{{ 'x' if a else 'y' }} {{ not a }}", { a: [] })).toBe('fallback []|y True');
    // The right side is evaluated only when needed.
    expect(render("{{ 1 or undefined_fn() }} {{ 0 and undefined_fn() }}")).toBe('1 0');
  });

  it('reads a dict key as a variable, keeps literal keys and the names of keyword arguments', () => {
    expect(render("{% set k = 'col' %}{% set d = {k: 1, 'lit': 2} %}{{ d.col }} {{ d.lit }} {{ d.k is defined }}")).toBe('1 2 False');
    expect(render("{% macro f(x=0, y=0) %}{{ x }}-{{ y }}{% endmacro %}{{ f(y={'a': 1}.a, x=2) }}")).toBe('2-1');
  });

  it("registers macros whose names start with _ (Nunjucks leaves them out of a file's exports)", () => {
    const t = new nunjucks.Template("{% macro _hidden() %}h{% endmacro %}{% macro shown() %}s{% endmacro %}", env);
    let names: string[] = [];
    (t as unknown as { getExported(c: object, f: null, cb: (e: unknown, v: Record<string, unknown>) => void): void }).getExported({}, null, (_e, v) => { names = Object.keys(v); });
    expect(names.sort()).toEqual(['_hidden', 'shown']);
  });

  it("has Jinja's map, unique, min, max, items, attr and format filters", () => {
    const cols = [{ name: 'A', n: 2 }, { name: 'b', n: 1 }, { name: 'a', n: 3 }];
    expect(render("{{ cols | map(attribute='name') | map('lower') | unique | join(',') }}", { cols })).toBe('a,b');
    expect(render("{{ rows | map(attribute=0) | join(',') }} {{ cols | map(attribute='missing', default='-') | join }}", { rows: [[1, 'x'], [2, 'y']], cols })).toBe('1,2 ---');
    expect(render("{{ (cols | max(attribute='n')).name }} {{ (cols | min(attribute='n')).name }} {{ [3, 1, 2] | max }}", { cols })).toBe('a b 3');
    expect(render("{{ cols | selectattr('n', 'gt', 1) | map(attribute='name') | join }} {{ cols | rejectattr('name', 'equalto', 'b') | length }} {{ [1, 0, 2] | select | list | length }} {{ [1, 2, 3] | reject('odd') | join }}", { cols })).toBe('Aa 2 2 2');
    expect(render("{% for k, v in {'x': 1} | items %}{{ k }}{{ v }}{% endfor %} {{ cols[0] | attr('name') }} {{ '%s has %d rows' | format('t', 3.7) }}", { cols })).toBe('x1 A t has 3 rows');
  });

  it('prints values as Jinja does: tuples, lists and dicts as Python writes them, None, True and False', () => {
    expect(render("{% set t = ('placed', 'shipped') %}status in {{ t }}")).toBe("status in ('placed', 'shipped')");
    expect(render("{{ ['a', \"it's\"] }} {{ {'k': 1, 'n': none} }} {{ none }} {{ true }} {{ false }} {{ 3 }}")).toBe(`['a', "it's"] {'k': 1, 'n': None} None True False 3`);
    expect(render("{{ 'cols: ' ~ ['a', 'b'] }}|{{ undefined_name ~ 'x' }}")).toBe("cols: ['a', 'b']|x");
  });

  it("has namespace() and {% set ns.key = ... %}, set(), Python's == on lists, dicts and sets, and list + list", () => {
    expect(render("{% set ns = namespace(found=False, n=0) %}{% for x in [1, 2, 3] %}{% if x == 2 %}{% set ns.found = True %}{% endif %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.found }} {{ ns.n }}")).toBe('True 6');
    expect(render("{% set ns = namespace(msg='') %}{% set ns.msg %}hi {{ 1 + 1 }}{% endset %}[{{ ns.msg }}]")).toBe('[hi 2]');
    expect(render("{{ set(['a', 'b', 'a']) | length }} {{ set(['x', 'y']) == set(['y', 'x']) }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} != {'a': 1} }} {{ ['a'] + ['b'] }}")).toBe("2 True True False ['a', 'b']");
  });
});
