// JUnit XML, as CI viewers read it: one <testcase> per node of a run (or per data test of
// `sf test`), a <failure> with the message when it failed, <skipped/> when skipped, and
// warnings in <system-out>.
import { writeFileEnsuringDir } from '../util/fs.js';
import { redact } from '../util/secrets.js';

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly seconds: number;
  readonly status: 'pass' | 'warn' | 'fail' | 'skipped';
  readonly message?: string | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

export function writeJunit(path: string, suite: string, cases: readonly JunitCase[], seconds: number): void {
  const count = (s: JunitCase['status']) => cases.filter((c) => c.status === s).length;
  const body = cases.map((c) => {
    const attrs = `classname="${esc(c.classname)}" name="${esc(c.name)}" time="${c.seconds.toFixed(3)}"${c.file ? ` file="${esc(c.file)}"` : ''}${c.line ? ` line="${c.line}"` : ''}`;
    const inner = c.status === 'fail' ? `<failure message="${esc(firstLine(c.message))}">${esc(c.message ?? '')}</failure>`
      : c.status === 'skipped' ? `<skipped message="${esc(firstLine(c.message))}"/>`
      : c.status === 'warn' ? `<system-out>${esc(c.message ?? '')}</system-out>`
      : '';
    return `    <testcase ${attrs}${inner ? `>\n      ${inner}\n    </testcase>` : '/>'}`;
  });
  const totals = `tests="${cases.length}" failures="${count('fail')}" errors="0" skipped="${count('skipped')}" time="${seconds.toFixed(3)}"`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sf" ${totals}>\n  <testsuite name="${esc(suite)}" ${totals}>\n${body.join('\n')}\n  </testsuite>\n</testsuites>\n`;
  writeFileEnsuringDir(path, redact(xml));
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    // Characters XML 1.0 cannot hold.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
