// The package as its users get it: packed (which builds it), installed from
// the tarball into an empty project, and the README's library example run
// by plain node and by an emitting, type-checking TypeScript build. The
// repository's files are copied first, so that packing never rebuilds the
// dist/ that other tests' commands are running from.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The first fenced block of `language` after `heading`. */
function readmeBlock(heading: string, language: string): string {
  const section = README.slice(README.indexOf(heading));
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
  if (!match) throw new Error(`README: no ${language} block under ${heading}`);
  return match[1];
}

const work = mkdtempSync(join(tmpdir(), 'smtnest-package-'));
const consumer = join(work, 'consumer');
let packed: { files: { path: string }[]; filename: string };

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  const source = join(work, 'smtnest');
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'bin', 'src', 'guests']) {
    cpSync(join(PROJECT_ROOT, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(source, 'node_modules'));
  [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], source));

  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', join(work, packed.filename), '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], consumer);
  writeFileSync(join(consumer, 'hello.s'), readmeBlock('## A first program', 'nasm'));
}, 120_000);

/** What the README's example prints, whichever way it was run. */
function expectExampleOutput(run: { status: number | null; stdout: string; stderr: string }) {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const [bare, ...rest] = run.stdout.trim().split('\n');
  expect(bare).toMatch(/^exited Hello! \d+$/);
  // Nested: the console's port writes trap from L2 to L0 and are reflected to L1.
  expect(rest).toContainEqual(expect.stringMatching(/^L2 -> L0 IO_INSTRUCTION \d+ [\d.]+$/));
  expect(rest).toContainEqual(expect.stringMatching(/^L2 -> L1 IO_INSTRUCTION \d+ [\d.]+$/));
  expect(rest.at(-1)).toMatch(/^latency \d+(\.\d+)? \d+(\.\d+)? \d+(\.\d+)?$/);
}

describe('the packed package', () => {
  it('ships the build, the command and the guests, and no sources, tests or scratch files', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'bin/smtnest.js', 'guests/include/ports.inc', 'guests/l0/l0.s', 'guests/l1/l1.s', 'package.json', 'README.md']));
    expect(paths.filter((p) => !/^(dist|bin|guests)\/|^(package\.json|README\.md)$/.test(p))).toEqual([]);
    expect(paths.filter((p) => /^(src|test|bench)\/|\/tests\/|\.tgz$/.test(p))).toEqual([]);
    // Declarations name the .js files beside them, so that every consumer resolves them.
    const declarations = readFileSync(join(consumer, 'node_modules/smtnest/dist/index.d.ts'), 'utf8');
    expect(declarations).not.toMatch(/\.ts['"]/);
  });

  it('runs the README library example from plain node', () => {
    writeFileSync(join(consumer, 'example.mjs'), readmeBlock('## As a library', 'ts'));
    expectExampleOutput(spawnSync(process.execPath, ['example.mjs'], { cwd: consumer, encoding: 'utf8' }));
  });

  it('runs the README library example from an emitting, type-checking TypeScript build', () => {
    writeFileSync(join(consumer, 'example.ts'), readmeBlock('## As a library', 'ts'));
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'out',
        typeRoots: [join(PROJECT_ROOT, 'node_modules/@types')],
        types: ['node'],
      },
      files: ['example.ts'],
    };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: consumer, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    expectExampleOutput(spawnSync(process.execPath, ['out/example.js'], { cwd: consumer, encoding: 'utf8' }));
  });

  it('installs the command, which runs without tsx', () => {
    const bin = join(consumer, 'node_modules/.bin/smtnest');
    const run = spawnSync(bin, ['run', 'hello.s', '--depth', '1'], { cwd: consumer, encoding: 'utf8' });
    expect(run.stdout).toBe('Hello!\n');
    expect(run.status).toBe(0);
    // A command that hands its runs to worker threads, which run the worker's bundle.
    const compare = spawnSync(bin, ['compare', 'hello.s', '--depth', '1', '--csv'], { cwd: consumer, encoding: 'utf8' });
    expect(compare.stderr).toBe('');
    expect(compare.stdout).toMatch(/^from,to,reason,code,mode,shadowing,count,cycles_per_exit\nL1,L0,IO_INSTRUCTION,30,baseline,false,\d+,\d+\n/);
    expect(compare.status).toBe(0);
    expect(spawnSync(process.execPath, ['-e', "import('tsx')"], { cwd: consumer, encoding: 'utf8' }).status).not.toBe(0);
  });
});
