import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../session/project.js';
import { UserError } from '../util/errors.js';
import { tempProject, type TempProject } from '../testing/project.js';
import { selectNodes } from './selection/select.js';
import { parseSelection } from './selection/parse.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

// things (seed) -> stg -> mid -> top ; stg -> side ; lone ; things also feeds src_user via source()
const FILES = {
  'seeds/things.csv': 'id\n1\n',
  'models/staging/stg.sql': "{{ config(tags=['nightly']) }}select * from {{ ref('things') }}",
  'models/marts/mid.sql': "select * from {{ ref('stg') }}",
  'models/marts/top.sql': "{{ config(tags=['nightly', 'finance']) }}select * from {{ ref('mid') }}",
  'models/marts/side.sql': "select * from {{ ref('stg') }}",
  'models/lone.sql': 'select 1 as x',
  'models/src_user.sql': "select * from {{ source('raw', 'things') }}",
};
const CONFIG = `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'demo',
  targets: { dev: { type: 'duckdb', path: 'target/t.duckdb' } },
  sources: { raw: { schema: 'raw', tables: ['things'] } },
  seeds: { schema: 'raw' },
});
`;

async function load(files: Record<string, string> = FILES): Promise<LoadedProject> {
  project = tempProject(files, CONFIG);
  return loadProject({ projectDir: project.dir });
}

describe('DAG', () => {
  it('orders every node after its parents, deterministically', async () => {
    const { graph } = await load();
    expect(graph.order).toEqual(['lone', 'things', 'src_user', 'stg', 'mid', 'side', 'top']);
  });

  it('links a model reading a seeded source to that seed', async () => {
    const { graph } = await load();
    expect(graph.parents('src_user')).toEqual(['things']);
  });

  it('reports a cycle with its whole chain, file and line', async () => {
    project = tempProject({
      'models/a.sql': "select * from {{ ref('c') }}",
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/c.sql': "select 1\nfrom {{ ref('b') }}",
    }, CONFIG);
    const err = await loadProject({ projectDir: project.dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('CYCLE');
    expect((err as UserError).message).toBe('dependency cycle: a -> b -> c -> a');
    expect((err as UserError).format()).toContain('models/b.sql:1:');
  });
});

describe('selection', () => {
  const pick = async (select: string[], exclude: string[] = []) =>
    [...selectNodes((await load()).graph, { select, exclude })].sort();

  it('parses the dbt syntax', () => {
    expect(parseSelection(['+a', 'b+', '2+c+1', 'tag:x,path:models/y'])).toEqual([
      [{ raw: '+a', method: 'name', value: 'a', parents: Infinity, children: 0, at: false }],
      [{ raw: 'b+', method: 'name', value: 'b', parents: 0, children: Infinity, at: false }],
      [{ raw: '2+c+1', method: 'name', value: 'c', parents: 2, children: 1, at: false }],
      [
        { raw: 'tag:x', method: 'tag', value: 'x', parents: 0, children: 0, at: false },
        { raw: 'path:models/y', method: 'path', value: 'models/y', parents: 0, children: 0, at: false },
      ],
    ]);
    expect(parseSelection(['@a', 'config.materialized:view+'])).toEqual([
      [{ raw: '@a', method: 'name', value: 'a', parents: 0, children: 0, at: true }],
      [{ raw: 'config.materialized:view+', method: 'config.materialized', value: 'view', parents: 0, children: Infinity, at: false }],
    ]);
    expect(() => parseSelection(['@+a'])).toThrow(/@ and a leading \+ do not combine/);
    expect(() => parseSelection(['state:modified'])).toThrow(/unknown selector method 'state:'/);
  });

  it('by name, with ancestors, with descendants, to a depth', async () => {
    expect(await pick(['mid'])).toEqual(['mid']);
    expect(await pick(['+mid'])).toEqual(['mid', 'stg', 'things']);
    expect(await pick(['stg+'])).toEqual(['mid', 'side', 'stg', 'top']);
    expect(await pick(['1+mid+1'])).toEqual(['mid', 'stg', 'top']);
  });

  it('by tag, by path, globs, unions, intersections and --exclude', async () => {
    expect(await pick(['tag:nightly'])).toEqual(['stg', 'top']);
    expect(await pick(['path:models/marts'])).toEqual(['mid', 'side', 'top']);
    expect(await pick(['path:models/staging/stg.sql'])).toEqual(['stg']);
    expect(await pick(['s*'])).toEqual(['side', 'src_user', 'stg']);
    expect(await pick(['lone side'])).toEqual(['lone', 'side']);
    expect(await pick(['tag:nightly,path:models/marts'])).toEqual(['top']);
    expect(await pick(['stg+'], ['tag:finance', 'side'])).toEqual(['mid', 'stg']);
  });

  it("dbt's other methods: resource_type, source, fqn, file, package, config, and @", async () => {
    expect(await pick(['resource_type:seed'])).toEqual(['things']);
    expect(await pick(['resource_type:model'], ['path:models/marts'])).toEqual(['lone', 'src_user', 'stg']);
    expect(await pick(['resource_type:snapshot'])).toEqual([]);
    expect(await pick(['source:raw+'])).toEqual(['src_user']);
    expect(await pick(['source:raw.things+'])).toEqual(['src_user']);
    expect(await pick(['fqn:demo.marts'])).toEqual(['mid', 'side', 'top']);
    expect(await pick(['fqn:marts.top', 'fqn:lone'])).toEqual(['lone', 'top']);
    expect(await pick(['file:mid.sql', 'file:side'])).toEqual(['mid', 'side']);
    expect(await pick(['package:demo,tag:finance'])).toEqual(['top']);
    expect(await pick(['config.materialized:view,tag:night*'])).toEqual(['stg', 'top']);
    expect(await pick(['config.tags:finance'])).toEqual(['top']);
    // mid, its descendants (top), and all their ancestors (stg, things).
    expect(await pick(['@mid'])).toEqual(['mid', 'stg', 'things', 'top']);
    const source = await pick(['source:raw']).catch((e: unknown) => e);
    expect((source as UserError).hint).toBe('add + to select what reads it: source:raw+');
    const test = await pick(['resource_type:test']).catch((e: unknown) => e);
    expect((test as UserError).message).toMatch(/tests are not selected apart from what they test/);
    const unknown = await pick(['source:rwa+']).catch((e: unknown) => e);
    expect((unknown as UserError).hint).toBe("did you mean 'raw'?");
  });

  it('a selector that matches nothing is an error with a suggestion', async () => {
    const err = await pick(['midd']).catch((e: unknown) => e);
    expect((err as UserError).code).toBe('SELECTION');
    expect((err as UserError).hint).toBe("did you mean 'mid'?");
    const tagErr = await pick(['tag:nighty']).catch((e: unknown) => e);
    expect((tagErr as UserError).hint).toBe("did you mean 'nightly'?");
  });
});
