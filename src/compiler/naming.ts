// The schema and name of a model's or seed's relation. A project's own generate_schema_name /
// generate_alias_name macros decide them, as in dbt (called with the custom value, or None,
// and the node); without them a dbt project gets dbt's defaults (`<target schema>_<custom>`,
// the alias or the name) and an sf config its own (the custom schema as written).
import { UserError } from '../util/errors.js';

/** What dbt's naming macros see of a node. */
export interface NamedNode {
  readonly name: string;
  readonly resource_type: 'model' | 'seed';
  readonly unique_id: string;
  readonly path: string;
  readonly original_file_path: string;
  readonly package_name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface NamingInputs {
  /** dbt's default schema naming (a dbt project), else sf's. */
  readonly dbt: boolean;
  readonly targetSchema: string;
  /** The project's macro of this name, if it defines one. */
  readonly macro: (name: string) => ((...args: unknown[]) => unknown) | undefined;
  /** Runs a macro call as a render of `node` (the globals it reads need one). */
  readonly asRender: <T>(node: NamedNode, call: () => T) => T;
  readonly errors: UserError[];
}

export interface Naming {
  schema(node: NamedNode, custom: string | undefined): string;
  alias(node: NamedNode, custom: string | undefined): string;
}

export function relationNaming(inputs: NamingInputs): Naming {
  const memo = new Map<string, string>();
  const viaMacro = (macro: string, node: NamedNode, custom: string | undefined, fallback: () => string): string => {
    const fn = inputs.macro(macro);
    if (!fn) return fallback();
    const key = `${macro}\u0000${node.unique_id}\u0000${custom ?? '\u0001'}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let value: string;
    try {
      value = String(inputs.asRender(node, () => fn(custom ?? null, node)) ?? '').trim();
    } catch (err) {
      inputs.errors.push(new UserError('TEMPLATE_RENDER', `${macro}() for ${node.resource_type} '${node.name}' failed: ${err instanceof Error ? err.message.split('\n').pop()!.trim() : String(err)}`, {
        location: { file: node.original_file_path }, hint: `check the project's ${macro} macro`,
      }));
      value = fallback();
    }
    if (value === '') {
      inputs.errors.push(new UserError('TEMPLATE_RENDER', `${macro}() for ${node.resource_type} '${node.name}' gave an empty name`, { location: { file: node.original_file_path } }));
      value = fallback();
    }
    memo.set(key, value);
    return value;
  };
  return {
    schema: (node, custom) => viaMacro('generate_schema_name', node, custom, () => {
      const c = custom?.trim();
      if (!c) return inputs.targetSchema;
      return inputs.dbt ? `${inputs.targetSchema}_${c}` : c;
    }),
    alias: (node, custom) => viaMacro('generate_alias_name', node, custom, () => custom?.trim() || node.name),
  };
}
