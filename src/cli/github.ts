// Under GitHub Actions (GITHUB_ACTIONS=true): each failure and warning as a workflow annotation
// on the file and line that declared it, and a Markdown summary of the run appended to
// $GITHUB_STEP_SUMMARY. Paths are the project's, made relative to the workspace when the
// project sits in a subfolder of it.
import { appendFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { redact } from '../util/secrets.js';
import type { Printer } from './printer.js';
import { explainedByItsTests, type Outcome } from './report.js';

export function reportToGithub(p: Printer, command: string, outcomes: readonly Outcome[], projectDir: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env['GITHUB_ACTIONS'] !== 'true') return;
  const base = env['GITHUB_WORKSPACE'] ? relative(env['GITHUB_WORKSPACE'], resolve(projectDir)) : '';
  const fileOf = (o: Outcome) => (o.file ? (base && !base.startsWith('..') ? `${base}/${o.file}` : o.file) : undefined);
  for (const o of outcomes) {
    if (o.status !== 'fail' && o.status !== 'warn') continue;
    if (explainedByItsTests(o, outcomes)) continue; // annotated once, at the test's declaration
    const file = fileOf(o);
    const props = [file && `file=${prop(file)}`, o.line && `line=${o.line}`, `title=${prop(`sf ${command}: ${o.name}`)}`].filter(Boolean).join(',');
    p.out(`::${o.status === 'fail' ? 'error' : 'warning'} ${props}::${data(o.message ?? o.status)}`);
  }
  const path = env['GITHUB_STEP_SUMMARY'];
  if (path) appendFileSync(path, redact(summary(command, outcomes)));
}

export function summary(command: string, outcomes: readonly Outcome[]): string {
  const n = (kind: Outcome['kind'], status: Outcome['status']) => outcomes.filter((o) => o.kind === kind && o.status === status).length;
  const quarantined = outcomes.filter((o) => o.quarantined);
  const lines = [
    `## sf ${command}`,
    '',
    '| | pass | warn | fail | skipped |',
    '|---|---|---|---|---|',
    ...(['node', 'test'] as const).filter((k) => outcomes.some((o) => o.kind === k))
      .map((k) => `| ${k === 'node' ? 'nodes' : 'data tests'} | ${n(k, 'pass')} | ${n(k, 'warn')} | ${n(k, 'fail')} | ${n(k, 'skipped')} |`),
    '',
  ];
  const failed = outcomes.filter((o) => o.status === 'fail' && !explainedByItsTests(o, outcomes));
  if (failed.length) {
    lines.push('### Failed', '', '| what | where | why |', '|---|---|---|');
    for (const o of failed) lines.push(`| ${cell(o.name)} | ${cell(o.file ? `${o.file}${o.line ? `:${o.line}` : ''}` : '')} | ${cell((o.message ?? '').split('\n')[0]!)} |`);
    lines.push('');
  }
  if (quarantined.length) {
    lines.push('### Quarantined', '', '| test | rows | declared at |', '|---|---|---|');
    for (const o of quarantined) lines.push(`| ${cell(o.name)} | ${o.quarantined} | ${cell(o.file ? `${o.file}${o.line ? `:${o.line}` : ''}` : '')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Workflow command escaping (message data, then property values). */
function data(text: string): string {
  return redact(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function prop(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function cell(text: string): string {
  return redact(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
