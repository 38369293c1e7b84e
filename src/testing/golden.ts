// Recorded-output tests: `text` must equal the file `__golden__/<name>` beside the test. The
// file is written when missing, or when UPDATE_GOLDEN=1 (after an intended change: review the diff).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export function golden(testUrl: string, name: string, text: string): void {
  const path = fileURLToPath(new URL(`./__golden__/${name}`, testUrl));
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}
