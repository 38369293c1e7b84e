import { join } from 'node:path';

export const TARGET_DIR = 'target';

export function targetDir(projectDir: string): string {
  return join(projectDir, TARGET_DIR);
}

/** `target/compiled/<project>/models/x.sql`, relative to the project directory. */
export function compiledPath(projectName: string, modelPath: string): string {
  return `${TARGET_DIR}/compiled/${projectName}/${modelPath}`;
}

/** The render cache of a target (compiler/render-cache.ts): `target/partial_parse/<target>.json`. */
export function partialParsePath(projectDir: string, targetName: string): string {
  return join(targetDir(projectDir), 'partial_parse', `${encodeURIComponent(targetName)}.json`);
}
