// `sf <command> --help` (the built CLI, a subprocess) lists each command's options, and the
// README documents every command and every option the help lists.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/sf.cjs', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const help = (...args: string[]) => execFileSync(process.execPath, [bin, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** The commands a help text lists, without `help` itself. */
const commandsIn = (text: string) => [...text.slice(text.indexOf('Commands:')).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
const optionsIn = (text: string) => [...text.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);

const commands = commandsIn(help()).flatMap((c) => (c === 'source' || c === 'docs' ? commandsIn(help(c)).map((s) => `${c} ${s}`) : [c]));

describe('npx sf in this repository', () => {
  it('runs this checkout\'s CLI, as the README\'s quick start does (npm links it at install: scripts/link-bin.mjs)', () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    expect(execFileSync('npx', ['--no-install', 'sf', '--version'], { cwd: repo, encoding: 'utf8' }).trim()).toBe(JSON.parse(readFileSync(`${repo}/package.json`, 'utf8')).version);
  });
});

describe('sf --help', () => {
  it('lists every command', () => {
    expect(commands).toEqual(['build', 'run', 'seed', 'backfill', 'retry', 'test', 'source freshness', 'clean', 'deps', 'compile', 'show', 'ls', 'verify', 'estimate', 'docs generate', 'docs serve', 'debug', 'init']);
  });

  it.each(commands)('sf %s --help lists its options, and the README documents the command and each option', (command) => {
    const text = help(...command.split(' '));
    expect(text).toContain(`Usage: sf ${command}`);
    const options = optionsIn(text).filter((o) => o !== '--help' && o !== '--version');
    if (command !== 'init') expect(options.length).toBeGreaterThan(3);
    expect(readme).toContain(`\`sf ${command}`);
    const undocumented = options.filter((o) => !readme.includes(`\`${o}`) && !readme.includes(` ${o}\``) && !readme.includes(`/ \`${o}`));
    expect(undocumented).toEqual([]);
  });
});
