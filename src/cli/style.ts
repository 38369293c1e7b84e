// Colour for status words, errors and warnings: on a terminal only, never when piped, and off
// with NO_COLOR (https://no-color.org convention) or --no-color. FORCE_COLOR turns it on anywhere.
import { styleText } from 'node:util';

let enabled = false;

export function useColor(on: boolean): void {
  enabled = on;
}

/** Whether output should be coloured, from the flag (`--no-color` gives false), the environment and the stream. */
export function colorWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  return isTTY && env['TERM'] !== 'dumb';
}

// validateStream off: whether to colour is decided above, not by styleText's own look at stdout.
const tone = (format: Parameters<typeof styleText>[0]) => (text: string) => (enabled && text ? styleText(format, text, { validateStream: false }) : text);

export const paint = {
  ok: tone('green'),
  error: tone('red'),
  warn: tone('yellow'),
  skip: tone('yellow'),
  dim: tone('dim'),
};

export type Tone = keyof typeof paint;
