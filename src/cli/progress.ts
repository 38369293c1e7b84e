// The live status line of batched models on a terminal: per model, batches done of total,
// rows written, rows per second and the time left at the pace so far. Lines printed meanwhile
// (a step starting or ending, a failed batch) clear the status first and redraw it after.
import type { RunEvent } from '../runner/events.js';
import type { Printer } from './printer.js';
import { formatBatch, formatEvent } from './printer.js';

interface Active {
  done: number;
  total: number;
  rows: number;
  seconds: number;
}

export class LiveProgress {
  readonly #p: Printer & { status(text: string): void };
  readonly #active = new Map<string, Active>();

  constructor(p: Printer & { status(text: string): void }) {
    this.#p = p;
  }

  /** Print what the event says: successful batches only move the status line. */
  onEvent(event: RunEvent): void {
    if (event.type === 'batch') {
      this.#active.set(event.step.name, { done: event.done, total: event.total, rows: event.rows, seconds: event.elapsedSeconds });
      if (event.result.status !== 'success') this.#line(formatBatch(event));
      else this.#draw();
      return;
    }
    if (event.type === 'finish') this.#active.delete(event.step.name);
    const line = formatEvent(event);
    if (line) this.#line(line);
    else this.#draw();
  }

  #line(text: string): void {
    this.#p.status('');
    this.#p.out(text);
    this.#draw();
  }

  #draw(): void {
    this.#p.status([...this.#active].map(([name, a]) => describe(name, a)).join(' | '));
  }
}

/** `fact_sales 12/24 batches, 1,234 rows, 3,210 rows/s, ETA 4s` */
export function describe(name: string, a: Active): string {
  const rate = a.seconds > 0 ? Math.round(a.rows / a.seconds) : 0;
  const eta = a.done > 0 ? (a.seconds / a.done) * (a.total - a.done) : undefined;
  return `${name} ${a.done}/${a.total} batches, ${a.rows.toLocaleString('en-US')} rows, ${rate.toLocaleString('en-US')} rows/s`
    + (eta === undefined ? '' : `, ETA ${formatSeconds(eta)}`);
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
