// ShopFlow's own config with its targets replaced by one for an engine, importing defineConfig
// from 'sf-transform' as users do: for the ShopFlow conformance tests and the fault suite.
import type { EngineName, ResolvedConfig, SfConfig, TargetConfig } from '../config/types.js';

export function shopflowConfigSource(config: ResolvedConfig, engine: EngineName, target: TargetConfig): string {
  const body: SfConfig = {
    name: config.name,
    defaultTarget: engine,
    targets: { [engine]: target },
    models: config.models,
    vars: config.vars,
    sources: Object.fromEntries(Object.entries(config.sources).map(([name, s]) => [name, {
      schema: s.schema,
      tables: s.tables.map((t) => (s.eventTime[t] ? { name: t, event_time: s.eventTime[t] } : t)),
    }])),
    seeds: config.seeds,
  };
  return `import { defineConfig } from 'sf-transform';\n\nexport default defineConfig(${JSON.stringify(body, null, 2)});\n`;
}
