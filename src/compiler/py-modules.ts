// dbt's `modules`: the parts of Python's datetime and re that templates use, in UTC (sf reads
// and writes every time in UTC):
//   modules.datetime.datetime.now() / utcnow() / strptime(s, fmt) / fromisoformat(s) / datetime(y, m, d, ...)
//   modules.datetime.date.today() / fromisoformat(s) / date(y, m, d)
//   modules.datetime.timedelta(days=, hours=, minutes=, seconds=, weeks=)
//   .strftime(fmt), .isoformat(), .date(), .replace(day=...), .year/.month/..., date +/- timedelta, date - date
//   modules.re.match / search / fullmatch / findall / sub / split / compile / escape
// `+` and `-` between them go through pyAdd / pySub (jinja-compat.ts compiles them so).

const MS_DAY = 86_400_000;
type Kw = Record<string, unknown>;

/** Nunjucks hands keyword arguments as a last object marked __keywords. */
function splitArgs(args: unknown[]): [unknown[], Kw] {
  const last = args[args.length - 1] as Kw | undefined;
  return last && typeof last === 'object' && last['__keywords'] ? [args.slice(0, -1), last] : [args, {}];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export class PyTimedelta {
  constructor(readonly ms: number) {}
  get days(): number { return Math.floor(this.ms / MS_DAY); }
  get seconds(): number { return Math.floor((this.ms - this.days * MS_DAY) / 1000); }
  total_seconds(): number { return this.ms / 1000; }
  /** Compared as a number, printed as text. */
  [Symbol.toPrimitive](hint: string): number | string { return hint === 'number' ? this.ms : this.toString(); }
  toString(): string {
    const rest = this.ms - this.days * MS_DAY;
    const clock = `${Math.floor(rest / 3_600_000)}:${pad(Math.floor(rest / 60_000) % 60)}:${pad(Math.floor(rest / 1000) % 60)}`;
    return this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ${clock}` : clock;
  }
}

export class PyDateTime {
  constructor(readonly ms: number, readonly dateOnly = false) {}
  #d(): Date { return new Date(this.ms); }
  get year(): number { return this.#d().getUTCFullYear(); }
  get month(): number { return this.#d().getUTCMonth() + 1; }
  get day(): number { return this.#d().getUTCDate(); }
  get hour(): number { return this.#d().getUTCHours(); }
  get minute(): number { return this.#d().getUTCMinutes(); }
  get second(): number { return this.#d().getUTCSeconds(); }
  get microsecond(): number { return this.#d().getUTCMilliseconds() * 1000; }
  weekday(): number { return (this.#d().getUTCDay() + 6) % 7; }
  isoweekday(): number { return this.weekday() + 1; }
  date(): PyDateTime { return new PyDateTime(Math.floor(this.ms / MS_DAY) * MS_DAY, true); }
  timestamp(): number { return this.ms / 1000; }
  replace(...args: unknown[]): PyDateTime {
    const [, kw] = splitArgs(args);
    const n = (k: string, v: number) => (kw[k] === undefined ? v : Number(kw[k]));
    return new PyDateTime(Date.UTC(n('year', this.year), n('month', this.month) - 1, n('day', this.day), n('hour', this.hour), n('minute', this.minute), n('second', this.second)), this.dateOnly);
  }
  isoformat(sep = 'T'): string {
    const date = `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
    return this.dateOnly ? date : `${date}${sep}${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
  }
  strftime(format: string): string {
    const d = this.#d();
    return format.replace(/%([a-zA-Z%])/g, (all, f: string) => {
      switch (f) {
        case 'Y': return pad(this.year, 4);
        case 'y': return pad(this.year % 100);
        case 'm': return pad(this.month);
        case 'd': return pad(this.day);
        case 'H': return pad(this.hour);
        case 'I': return pad(((this.hour + 11) % 12) + 1);
        case 'p': return this.hour < 12 ? 'AM' : 'PM';
        case 'M': return pad(this.minute);
        case 'S': return pad(this.second);
        case 'f': return pad(this.microsecond, 6);
        case 'j': return pad(Math.floor((this.ms - Date.UTC(this.year, 0, 1)) / MS_DAY) + 1, 3);
        case 'a': return DAYS[this.weekday()]!.slice(0, 3);
        case 'A': return DAYS[this.weekday()]!;
        case 'b': return MONTHS[this.month - 1]!.slice(0, 3);
        case 'B': return MONTHS[this.month - 1]!;
        case 'w': return String(d.getUTCDay());
        case 'u': return String(this.isoweekday());
        case 'Z': return 'UTC';
        case 'z': return '+0000';
        case '%': return '%';
        default: return all;
      }
    });
  }
  /** Compared as a number, printed as text. */
  [Symbol.toPrimitive](hint: string): number | string { return hint === 'number' ? this.ms : this.toString(); }
  toString(): string { return this.isoformat(' '); }
}

function parseIso(text: string, dateOnly: boolean): PyDateTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(String(text).trim());
  if (!m) throw new Error(`fromisoformat: '${text}' is not an ISO date`);
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  return new PyDateTime(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)), dateOnly);
}

/** strptime for the numeric directives (%Y %m %d %H %M %S %y %j) and literal text. */
function strptime(text: string, format: string): PyDateTime {
  const fields: string[] = [];
  const pattern = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSyj%])/g, (_, f: string) => {
    if (f === '%') return '%';
    fields.push(f);
    return f === 'Y' ? '(\\d{4})' : f === 'j' ? '(\\d{1,3})' : '(\\d{1,2})';
  });
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (!m) throw new Error(`strptime: '${text}' does not match format '${format}'`);
  const v: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  fields.forEach((f, i) => (v[f] = Number(m[i + 1])));
  if (fields.includes('y')) v['Y'] = v['y']! < 69 ? 2000 + v['y']! : 1900 + v['y']!;
  const base = Date.UTC(v['Y']!, v['m']! - 1, v['d']!, v['H']!, v['M']!, v['S']!);
  return new PyDateTime(fields.includes('j') ? Date.UTC(v['Y']!, 0, 1, v['H']!, v['M']!, v['S']!) + (v['j']! - 1) * MS_DAY : base);
}

function callable<T extends object>(fn: (...args: unknown[]) => unknown, members: T): ((...args: unknown[]) => unknown) & T {
  return Object.assign(fn, members);
}

/** `onClock`: told when a template reads the clock (its render then depends on the time). */
function datetimeModule(onClock: () => void) {
  return {
    datetime: callable((...args: unknown[]) => {
      const [[y, mo, d, h = 0, mi = 0, s = 0]] = splitArgs(args) as [number[], Kw];
      return new PyDateTime(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
    }, {
      now: () => (onClock(), new PyDateTime(Date.now())),
      utcnow: () => (onClock(), new PyDateTime(Date.now())),
      fromisoformat: (s: string) => parseIso(s, false),
      strptime: (s: string, fmt: string) => strptime(String(s), String(fmt)),
    }),
    date: callable((...args: unknown[]) => {
      const [[y, mo, d]] = splitArgs(args) as [number[], Kw];
      return new PyDateTime(Date.UTC(Number(y), Number(mo) - 1, Number(d)), true);
    }, {
      today: () => (onClock(), new PyDateTime(Math.floor(Date.now() / MS_DAY) * MS_DAY, true)),
      fromisoformat: (s: string) => parseIso(s, true),
    }),
    timedelta: (...args: unknown[]) => {
      const [[days = 0, seconds = 0], kw] = splitArgs(args) as [number[], Kw];
      const n = (k: string) => Number(kw[k] ?? 0);
      return new PyTimedelta((Number(days) + n('days') + n('weeks') * 7) * MS_DAY + (Number(seconds) + n('seconds')) * 1000 + n('minutes') * 60_000 + n('hours') * 3_600_000 + n('milliseconds'));
    },
  };
}

/** Python's regular expression syntax where JavaScript's differs: named groups, \A and \Z. */
function jsRegex(pattern: string, flags = ''): RegExp {
  return new RegExp(String(pattern).replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$'), flags);
}

class PyMatch {
  constructor(private readonly m: RegExpExecArray) {}
  group(n: number | string = 0): string | null { return (typeof n === 'number' ? this.m[n] : this.m.groups?.[n]) ?? null; }
  groups(): (string | null)[] { return this.m.slice(1).map((g) => g ?? null); }
  groupdict(): Record<string, string | null> { return { ...this.m.groups }; }
  start(): number { return this.m.index; }
  end(): number { return this.m.index + this.m[0].length; }
  toString(): string { return this.m[0]; }
}

const re = {
  match: (p: string, s: string) => { const m = jsRegex(p, 'y').exec(String(s)); return m ? new PyMatch(m) : null; },
  fullmatch: (p: string, s: string) => { const m = jsRegex(`(?:${p})$`, 'y').exec(String(s)); return m ? new PyMatch(m) : null; },
  search: (p: string, s: string) => { const m = jsRegex(p).exec(String(s)); return m ? new PyMatch(m) : null; },
  findall: (p: string, s: string) => [...String(s).matchAll(jsRegex(p, 'g'))].map((m) => (m.length > 2 ? m.slice(1) : m[1] ?? m[0])),
  sub: (p: string, repl: string, s: string, count = 0) => {
    let n = 0;
    return String(s).replace(jsRegex(p, 'g'), (...m: unknown[]) => (count && n++ >= count ? String(m[0]) : String(repl).replace(/\\(\d)/g, (_, i: string) => String(m[Number(i)] ?? ''))));
  },
  split: (p: string, s: string) => String(s).split(jsRegex(p)),
  escape: (s: string) => String(s).replace(/[.*+?^${}()|[\]\\\-/]/g, '\\$&'),
  compile: (p: string) => ({
    match: (s: string) => re.match(p, s), fullmatch: (s: string) => re.fullmatch(p, s), search: (s: string) => re.search(p, s),
    findall: (s: string) => re.findall(p, s), sub: (repl: string, s: string, count?: number) => re.sub(p, repl, s, count), split: (s: string) => re.split(p, s),
    pattern: p,
  }),
};

export function pyModules(onClock: () => void = () => {}): { datetime: ReturnType<typeof datetimeModule>; re: typeof re } {
  return { datetime: datetimeModule(onClock), re };
}

/** `a + b` in a template: dates and timedeltas as Python adds them, anything else as before. */
export function pyAdd(a: unknown, b: unknown): unknown {
  if (a instanceof PyDateTime && b instanceof PyTimedelta) return new PyDateTime(a.ms + b.ms, a.dateOnly);
  if (a instanceof PyTimedelta && b instanceof PyDateTime) return new PyDateTime(a.ms + b.ms, b.dateOnly);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return new PyTimedelta(a.ms + b.ms);
  // Python's list + list: a new list (JavaScript would join them into text).
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  return (a as number) + (b as number);
}

export function pySub(a: unknown, b: unknown): unknown {
  if (a instanceof PyDateTime && b instanceof PyTimedelta) return new PyDateTime(a.ms - b.ms, a.dateOnly);
  if (a instanceof PyDateTime && b instanceof PyDateTime) return new PyTimedelta(a.ms - b.ms);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta) return new PyTimedelta(a.ms - b.ms);
  return (a as number) - (b as number);
}
