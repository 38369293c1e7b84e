// How a command's lines reach the user, as the global flags say: text (coloured on a
// terminal) or one JSON object per line (--log-format json, for log shippers); everything, or
// only errors and results (--quiet); and always, once the project is known, the whole account
// in target/sf.log (the last command's, with timestamps, never coloured, never quieted).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { stepNode } from '../plan/types.js';
import type { RunEvent } from '../runner/events.js';
import { redactWith, secretValues } from '../util/secrets.js';
import type { Level, Printer } from './printer.js';

export interface OutputSettings {
  readonly quiet: boolean;
  readonly format: 'text' | 'json';
  /** Streams that must get no colour (not a terminal, or --no-color): codes are taken out. */
  readonly plainOut?: boolean;
  readonly plainErr?: boolean;
}

export class Output implements Printer {
  readonly #sink: Printer;
  #settings: OutputSettings = { quiet: false, format: 'text' };
  /** target/sf.log, open for the command's whole run (one write per line, no reopening). */
  #log: number | undefined;
  /** Lines said before the log file was known: written to it when it is. */
  #early: string[] = [];
  #printed = false;
  /** Listed once per command: every line written is masked with them. */
  readonly #secrets = secretValues(process.env);

  constructor(sink: Printer) {
    this.#sink = sink;
  }

  configure(settings: OutputSettings): void {
    this.#settings = settings;
  }

  /** Starts target/sf.log afresh (with what was said so far); a log that cannot be written is skipped. */
  logTo(path: string): void {
    this.close();
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#log = openSync(path, 'w');
      writeSync(this.#log, this.#early.join(''));
    } catch {
      this.close();
    }
    this.#early = [];
  }

  close(): void {
    if (this.#log === undefined) return;
    try {
      closeSync(this.#log);
    } catch {
      // already closed
    }
    this.#log = undefined;
  }

  /** A result: summaries, listings, SQL, rows. Printed even with --quiet. */
  out(line = '', level: Level = 'info'): void {
    this.#write(level, line, 'out');
  }

  /** Progress: the header, a line per node. Left out by --quiet. */
  info(line = ''): void {
    this.#write('info', line, this.#settings.quiet ? undefined : 'out');
  }

  /** Errors and warnings, on stderr. */
  err(line = ''): void {
    this.#write(/^\s*warning\b/i.test(stripVTControlCharacters(line)) ? 'warn' : 'error', line, 'err');
  }

  /** The live status line: on a terminal, in text mode, not quiet. */
  get status(): ((text: string) => void) | undefined {
    const status = this.#sink.status;
    return status && this.#settings.format === 'text' && !this.#settings.quiet ? (text) => status(redactWith(text, this.#secrets)) : undefined;
  }

  /** A run event as a line of progress; in JSON, with its facts as fields. */
  event(event: RunEvent, line: string | undefined): void {
    if (this.#settings.format === 'json') {
      const level = event.type === 'finish' && event.result.status === 'error' ? 'error' : event.type === 'retry' || event.type === 'wait' ? 'warn' : 'info';
      this.#write(level, line ?? '', this.#settings.quiet && level === 'info' ? undefined : 'out', eventFields(event));
    } else if (line !== undefined) {
      this.info(line);
    }
  }

  #write(level: Level, line: string, stream: 'out' | 'err' | undefined, fields?: Record<string, unknown>): void {
    const plain = stripVTControlCharacters(line);
    const stamp = new Date().toISOString();
    const masked = redactWith(plain, this.#secrets);
    this.#record(masked.split('\n').map((l) => `${stamp} [${level}] ${l}\n`).join(''));
    if (!stream) return;
    // With --quiet nothing precedes the results: no blank line before them either.
    if (plain === '' && !this.#printed && this.#settings.quiet) return;
    this.#printed = true;
    if (this.#settings.format === 'json') {
      // Blank lines space out text for people; a log shipper has no use for them.
      if (plain === '' && !fields) return;
      this.#sink[stream](redactWith(JSON.stringify({ ts: stamp, level, msg: plain, ...fields }), this.#secrets));
    } else {
      const strip = stream === 'out' ? this.#settings.plainOut : this.#settings.plainErr;
      this.#sink[stream](strip ? masked : redactWith(line, this.#secrets));
    }
  }

  #record(text: string): void {
    if (this.#log !== undefined) {
      try {
        writeSync(this.#log, text);
      } catch {
        this.close(); // the log is a convenience: never fail a run over it
      }
    } else {
      this.#early.push(text);
    }
  }
}

/** A run event's facts, for --log-format json. */
function eventFields(event: RunEvent): Record<string, unknown> {
  const node = stepNode(event.step.name).name;
  const common = { event: `node_${event.type}`, node, kind: event.step.kind };
  switch (event.type) {
    case 'start':
      return { ...common, relation: event.relation, index: event.index, total: event.total };
    case 'finish': {
      const r = event.result;
      return { ...common, relation: r.relation, index: event.index, total: event.total, status: r.status, rows: r.rows, seconds: round(r.seconds), attempts: r.attempts, message: r.message, warnings: r.warnings };
    }
    case 'batch': {
      const r = event.result;
      return { ...common, batch: r.label, done: event.done, total: event.total, status: r.status, rows: r.rows, seconds: round(r.seconds), attempts: r.attempts, message: r.message };
    }
    case 'retry':
      return { ...common, batch: event.unit.label, attempt: event.attempt, delay_ms: event.delayMs, message: event.message };
    case 'wait':
      return { ...common, holder: event.holder, timeout_seconds: event.timeoutSeconds };
  }
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
