
/**
 * Folder defaults that apply to a model, merged from the most general folder to the most
 * specific; tags add up. `resource` is the model's path under its model folder without the
 * extension (`staging/stg_orders`); a key applies to it when it is '' or '.', a folder above
 * it, or the model itself (as dbt's resource paths in dbt_project.yml).
 */
export function folderSettingsFor<T extends { tags?: string[] | undefined }>(
  resource: string,
  defaults: Readonly<Record<string, Readonly<T>>>,
): T {
  const applicable = Object.keys(defaults)
    .map((key) => key.replace(/^\.?\/*|\/+$/g, ''))
    .map((folder, i) => ({ folder, settings: Object.values(defaults)[i]! }))
    .filter(({ folder }) => folder === '' || resource === folder || resource.startsWith(`${folder}/`))
    .sort((a, b) => a.folder.split('/').length - b.folder.split('/').length || a.folder.length - b.folder.length);
  return mergeSettings(...applicable.map((a) => a.settings));
}

export function mergeSettings<T extends { tags?: string[] | undefined }>(...layers: readonly Readonly<T>[]): T {
  const merged = {} as T & { pre_hook?: string[]; post_hook?: string[] };
  for (const layer of layers) {
    const { tags, pre_hook: pre, post_hook: post, ...rest } = layer as T & { pre_hook?: string[]; post_hook?: string[] };
    Object.assign(merged, rest);
    if (tags) merged.tags = [...new Set([...(merged.tags ?? []), ...tags])];
    // Hooks add up, the outer level's first (dbt_project.yml, then the property file, then config()).
    if (pre) merged.pre_hook = [...(merged.pre_hook ?? []), ...pre];
    if (post) merged.post_hook = [...(merged.post_hook ?? []), ...post];
  }
  return merged;
}
