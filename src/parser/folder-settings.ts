import type { ModelSettings } from '../config/types.js';

/**
 * Folder defaults that apply to a model, merged from the most general folder to the most
 * specific; tags add up. `'.'` applies to every model.
 */
export function folderSettingsFor(
  modelPath: string,
  defaults: Readonly<Record<string, Readonly<ModelSettings>>>,
): ModelSettings {
  const rel = modelPath.replace(/^models\//, '');
  const applicable = Object.keys(defaults)
    .map((key) => key.replace(/^\.?\/*|\/+$/g, ''))
    .map((folder, i) => ({ folder, settings: Object.values(defaults)[i]! }))
    .filter(({ folder }) => folder === '' || rel.startsWith(`${folder}/`))
    .sort((a, b) => a.folder.split('/').length - b.folder.split('/').length || a.folder.length - b.folder.length);
  return mergeSettings(...applicable.map((a) => a.settings));
}

export function mergeSettings(...layers: readonly Readonly<ModelSettings>[]): ModelSettings {
  const merged: ModelSettings = {};
  for (const layer of layers) {
    const { tags, ...rest } = layer;
    Object.assign(merged, rest);
    if (tags) merged.tags = [...new Set([...(merged.tags ?? []), ...tags])];
  }
  return merged;
}
