#!/usr/bin/env node
// The package's build (npm run build; npm runs it as `prepare`, so on an
// install of the repository or of a git URL, and before `npm pack`): tsc
// emits ESM JavaScript and declarations from src/ into dist/, the library
// that `import 'smtnest'` loads. Declarations keep the sources' .ts import
// paths, which not every TypeScript consumer accepts, so they are rewritten
// to the .js paths that sit beside them.
//
// The command and its worker threads run from two bundles instead
// (dist/smtnest.js, dist/run-worker.js, made by esbuild, with commander
// inside): loading the hundred modules of dist/ one by one takes node longer
// than the whole of a short run. The bundles are split into shared chunks
// (dist/chunk-*.js) at each dynamic import, so that a command loads, and
// node compiles, only its own modules and the node modules they import: a
// run does not load the report, the debugger or the pool's worker threads.
// All sit directly in dist/, as dist/paths.js does, so that a module's place
// relative to the package root is the same in a bundle as in the sources.
//
// The stamp written last tells bin/modules.js that dist/ is whole and as new
// as the sources; it is removed first, so a half-written dist/ is never run.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
rmSync(dist, { recursive: true, force: true });

const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function files(dir, suffix) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name), suffix) : entry.name.endsWith(suffix) ? [join(dir, entry.name)] : [],
  );
}
for (const file of files(dist, '.d.ts')) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/((?:from |import\()['"]\.\.?\/[^'"]*)\.ts(['"])/g, '$1.js$2');
  if (rewritten !== text) writeFileSync(file, rewritten);
}

// A bundle has no asm/ and isa/ folders beside it for the image cache to
// hash as the assembler's version (src/machine/image-cache.ts): the hash of
// the sources it was bundled from stands in for them.
const assemblerSources = createHash('sha256');
for (const file of [...files(join(root, 'src/asm'), '.ts'), ...files(join(root, 'src/isa'), '.ts')].sort()) {
  assemblerSources.update(`${file.slice(root.length)}\n`).update(readFileSync(file));
}

const esbuild = require('esbuild');
const bundled = await esbuild.build({
  entryPoints: { smtnest: join(root, 'src/cli/main.ts'), 'run-worker': join(root, 'src/cli/run-worker.ts') },
  outdir: dist,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  // commander goes into the bundle too: loaded as a package of its own, its
  // CommonJS files would each be read, scanned for their exports and
  // compiled apart. Its require() of node's modules needs a require in an
  // ES module. pino stays a package, loaded only when a message is logged.
  external: ['pino'],
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  define: { BUNDLED_ASSEMBLER_SOURCES: JSON.stringify(assemblerSources.digest('hex')) },
  logLevel: 'warning',
});
if (bundled.errors.length > 0) process.exit(1);

writeFileSync(join(dist, '.built'), '');
