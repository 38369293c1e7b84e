import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles } from './fs.js';

describe('listFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'sf-listfiles-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
  };

  it('lists matching files at every depth, sorted, following links to directories, not around a cycle', () => {
    for (const f of ['models/b.sql', 'models/a.sql', 'models/x/y/c.sql', 'models/x/notes.md', 'models/x/d.yml', 'shared/e.sql']) file(f);
    mkdirSync(join(root, 'models/dir.sql')); // a directory whose name matches is walked, not listed
    file('models/dir.sql/f.sql');
    symlinkSync(join(root, 'shared'), join(root, 'models/linked'));
    symlinkSync(join(root, 'models'), join(root, 'models/x/loop')); // a cycle
    symlinkSync(join(root, 'missing'), join(root, 'models/dangling'));
    symlinkSync(join(root, 'shared'), join(root, 'models/x/again')); // shared, by a second path
    expect(listFiles(root, 'models', '.sql')).toEqual([
      'models/a.sql', 'models/b.sql', 'models/dir.sql/f.sql', 'models/linked/e.sql', 'models/x/again/e.sql', 'models/x/y/c.sql',
    ]);
    expect(listFiles(root, 'models/', ['.yml', '.md'])).toEqual(['models/x/d.yml', 'models/x/notes.md']);
  });

  it('gives nothing for a folder that does not exist', () => {
    expect(listFiles(root, 'nowhere', '.sql')).toEqual([]);
  });
});
