// Where the command's modules come from: the build in dist/ when it is whole
// and no older than the sources (an installed package has no src/ at all),
// else the TypeScript sources through tsx's loader, so that working in the
// repository needs no build step and never runs a stale build.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

function builtIsCurrent() {
  const src = join(root, 'src');
  if (!existsSync(src)) return true; // an installed package: dist/ alone
  const stamp = join(root, 'dist', '.built');
  return existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(newest(src), statSync(join(root, 'tsconfig.build.json')).mtimeMs);
}

/** The modules the build bundles into one file each (bin/build.js). */
const BUNDLES = { 'cli/main': 'smtnest.js', 'cli/run-worker': 'run-worker.js' };

/** Imports `path` (such as 'cli/main') from dist/ (its bundle, if it has
 * one) or, through tsx, from src/. */
export async function importModule(path) {
  if (builtIsCurrent()) return import(new URL(`../dist/${BUNDLES[path] ?? `${path}.js`}`, import.meta.url).href);
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('smtnest: no current build in dist/ and no tsx to run the sources: run npm run build\n');
    process.exit(1);
  }
  return import(new URL(`../src/${path}.ts`, import.meta.url).href);
}
