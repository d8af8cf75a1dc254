#!/usr/bin/env node
// The package's build (npm run build; npm runs it as `prepare`, so on an
// install of the repository or of a git URL, and before `npm pack`): tsc
// emits ESM JavaScript and declarations from src/ into dist/. Declarations
// keep the sources' .ts import paths, which not every TypeScript consumer
// accepts, so they are rewritten to the .js paths that sit beside them. The
// stamp written last tells bin/modules.js that dist/ is whole and as new as
// the sources; it is removed first, so a half-written dist/ is never run.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function declarations(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? declarations(join(dir, entry.name)) : entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [],
  );
}
for (const file of declarations(dist)) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/((?:from |import\()['"]\.\.?\/[^'"]*)\.ts(['"])/g, '$1.js$2');
  if (rewritten !== text) writeFileSync(file, rewritten);
}
writeFileSync(join(dist, '.built'), '');
