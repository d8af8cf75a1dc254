// The command line as a user meets it: exit statuses, one-line errors,
// byte-identical JSON. A few cases run the installed command, bin/smtnest.js,
// as a process of its own, for its exit status and its streams; the rest run
// its main() in this process, which is the same code without a node start-up
// per case.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatComparison } from '../src/cli/compare.ts';
import { defaultCosts } from '../src/timing/cost-model.ts';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';
import { smtnestHere as smtnest } from './in-process.ts';

const BIN = join(PROJECT_ROOT, 'bin/smtnest.js');
const dir = mkdtempSync(join(tmpdir(), 'smtnest-cli-'));

/** The command as its own process. */
function smtnestProcess(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HELLO = source(
  'hi.s',
  `_start:
    mov eax, 'h'
    out 0x3f8, eax
    mov eax, 'i'
    out 0x3f8, eax
    mov eax, 10
    out 0x3f8, eax
    mov eax, 7
    out 0xf4, eax
`,
);

describe('smtnest run', () => {
  it('prints the console and exits with the guest status', () => {
    const r = smtnestProcess('run', HELLO);
    expect(r.stdout).toBe('hi\n');
    expect(r.status).toBe(7);
    expect(r.stderr).toBe('');
  });

  it('gives byte-identical --json for the same run', async () => {
    const a = await smtnest('run', HELLO, '--json');
    const b = await smtnest('run', HELLO, '--json');
    expect(a.stdout).toBe(b.stdout);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ status: 'exited', exitCode: 7, console: 'hi\n', mode: 'baseline', depth: 0, shadowing: false, exits: [] });
    expect(report.instructions).toBe(8);
    expect(report.levels.L0.instructions).toBe(8);
    expect(report.opcodes['mov r,i']).toBe(4);
    expect(report.opcodes['out port,r']).toBe(4);
  });

  it('ends quietly when its reader goes away, with no EPIPE stack trace', () => {
    const chatty = source(
      'chatty.s',
      `_start:
    mov ecx, 300000
again:
    mov eax, 'A'
    out 0x3f8, eax
    dec ecx
    jnz again
    mov eax, 0
    out 0xf4, eax
`,
    );
    // 300 KB of console into a pipe whose reader stops after one byte.
    const r = spawnSync('bash', ['-c', `"$0" "$1" run "$2" | head -c 1 >/dev/null; echo "status \${PIPESTATUS[0]}"`, process.execPath, BIN, chatty], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('status 0\n');
  });

  it('reports a malformed program as file:line:col and exits 1', () => {
    const bad = source('bad.s', 'nop\n  frobnicate eax\n');
    const r = smtnestProcess('run', bad);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/bad\.s:2:3: .*frobnicate/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unreadable file in one line', async () => {
    const r = await smtnest('run', join(dir, 'missing.s'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing\.s: no such file/);
  });

  it('reports an unknown flag in one line', async () => {
    const r = await smtnest('run', HELLO, '--frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--frobnicate/);
  });

  it('reports an exhausted budget with its own status', () => {
    const spin = source('spin.s', 'spin:\n  jmp spin\n');
    const r = smtnestProcess('run', spin, '--max-instructions', '1000');
    expect(r.status).toBe(124);
    expect(r.stderr.trim()).toMatch(/instruction budget of 1000 exhausted/);
  });

  it('reports a triple fault with its own status', async () => {
    const r = await smtnest('run', source('ud.s', 'ud2\n'));
    expect(r.status).toBe(125);
    expect(r.stderr.trim()).toMatch(/triple fault: #UD/);
  });

  it('writes gem5-style statistics that agree with --json', async () => {
    const stats = join(dir, 'stats.txt');
    const report = JSON.parse((await smtnest('run', HELLO, '--json', '--stats', stats)).stdout);
    const text = readFileSync(stats, 'utf8');
    // The configuration, then the one dump (no region of interest here).
    expect(text).toMatch(/^# smtnest statistics: mode baseline, depth 0, VMCS shadowing off\n# counters: the whole run; 0 region dumps before the final one\n# costs \(cycles\): vmExit=\d+ /);
    const lines = text.trim().split('\n');
    const begin = lines.indexOf('---------- Begin Simulation Statistics ----------');
    expect(lines.filter((l) => /Begin Simulation Statistics/.test(l))).toHaveLength(1);
    const values = new Map(
      lines.slice(begin + 1, -1).map((line) => {
        const match = /^(\S+)\s+(-?[\d.e-]+)\s+# .+ \([A-Za-z/]+\)$/.exec(line);
        expect(match, line).not.toBeNull();
        return [match![1], Number(match![2])] as const;
      }),
    );
    expect(values.get('sim.cycles')).toBe(report.cycles);
    expect(values.get('system.L0.instructions')).toBe(report.levels.L0.instructions);
    expect(values.get('system.L0.opcodes::out_port_r')).toBe(4);
    expect(values.get('system.L0.opcodes::total')).toBe(report.levels.L0.instructions);
    expect(values.get('sim_ticks')).toBe(report.cycles);
    expect(values.get('sim_freq')).toBe(2e9);
    expect(values.get('sim_insts')).toBe(report.instructions);
    expect(values.get('host_seconds')).toBeGreaterThanOrEqual(0);
    // Host time is the text's alone.
    expect(JSON.stringify(report)).not.toMatch(/host/);
  });

  it('refuses --roi for a run that closed no region of interest', async () => {
    const r = await smtnest('run', HELLO, '--roi');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`smtnest: ${HELLO}: --roi: the run closed no region of interest (PORT_ROI begin and end), so there are no counters to limit to it\n`);
  });

  it('writes a symbolized trace', async () => {
    const trace = join(dir, 'trace.txt');
    await smtnest('run', HELLO, '--trace', trace);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/t0 L0 00000000 _start\s+mov eax, 0x68/);
  });
});

describe('smtnest run under the hypervisor', () => {
  it('gives the same console and status at depth 1, with exits from L1 to L0', async () => {
    const r = await smtnest('run', HELLO, '--depth', '1', '--json');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ status: 'exited', exitCode: 7, console: 'hi\n', depth: 1 });
    expect(report.exits).toEqual([
      expect.objectContaining({ from: 'L1', to: 'L0', reason: 'IO_INSTRUCTION', code: 30, count: 4 }),
    ]);
    expect(report.levels.L1.instructions).toBe(8);
  });

  it('traces the guest with its own addresses and symbols', async () => {
    const trace = join(dir, 'trace-depth1.txt');
    await smtnest('run', HELLO, '--depth', '1', '--trace', trace);
    const guest = readFileSync(trace, 'utf8').split('\n').filter((line) => /^\s*\d+ t\d L1 /.test(line));
    expect(guest).toHaveLength(8);
    expect(guest[0]).toMatch(/t0 L1 00000000 _start\s+mov eax, 0x68/);
  });

  it('filters the trace by level, or to the transitions alone', async () => {
    const byLevel = join(dir, 'trace-level.txt');
    await smtnest('run', HELLO, '--depth', '1', '--trace', byLevel, '--trace-level', 'L1');
    const lines = readFileSync(byLevel, 'utf8').trim().split('\n');
    expect(lines.filter((l) => /^\s*\d+ t\d L0 /.test(l))).toEqual([]);
    expect(lines.filter((l) => /^\s*\d+ t\d L1 /.test(l))).toHaveLength(8);
    const exits = join(dir, 'trace-exits.txt');
    await smtnest('run', HELLO, '--depth', '1', '--trace', exits, '--trace-exits');
    const transitions = readFileSync(exits, 'utf8').trim().split('\n');
    expect(transitions.every((l) => / === /.test(l))).toBe(true);
    const io = transitions.filter((l) => /exit IO_INSTRUCTION L1 -> L0/.test(l));
    expect(io).toHaveLength(4);
    // The guest's eip, named by the guest's symbols, and the qualification:
    // port 0x3f8 in bits 31:16, a 4-byte out (size 3) with its port in the
    // instruction (bit 6), SDM table 28-5.
    expect(io[0]).toMatch(/eip 0x[0-9a-f]+ <_start\+0x[0-9a-f]+> qual 0x3f80043$/);
    expect(transitions.find((l) => /entry L0 -> L1/.test(l))).toMatch(/entry L0 -> L1 eip 0x[0-9a-f]+ <_start>$/);
  });

  it('charges the transition costs of a --cost file', async () => {
    const cost = join(dir, 'cost.json');
    writeFileSync(cost, JSON.stringify({ vmExit: 5000, vmEntry: 5000 }));
    const base = JSON.parse((await smtnest('run', HELLO, '--depth', '1', '--json')).stdout).exits[0];
    const dear = JSON.parse((await smtnest('run', HELLO, '--depth', '1', '--json', '--cost', cost)).stdout).exits[0];
    // Four exits; the last (the debug exit) ends the run, so three complete
    // round trips, each dearer by what the file adds to the exit and the entry.
    const defaults = defaultCosts();
    expect(dear.cycles - base.cycles).toBe(3 * (5000 - defaults.vmExit + (5000 - defaults.vmEntry)));
  });

  it('reports a bad --cost file in one line', async () => {
    const cost = join(dir, 'bad-cost.json');
    writeFileSync(cost, JSON.stringify({ vmExitt: 5 }));
    const r = await smtnest('run', HELLO, '--depth', '1', '--cost', cost);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown cost parameter 'vmExitt'/);
  });
});

describe('smtnest compare', () => {
  it('gives the same table as text, JSON and CSV', async () => {
    const json = JSON.parse((await smtnest('compare', 'cpuid', '--iterations', '10', '--json')).stdout);
    expect(json.depth).toBe(2);
    const labels = json.configurations.map((c: { mode: string; shadowing: boolean }) => `${c.mode}/${c.shadowing}`);
    expect(labels).toContain('baseline/false');
    expect(labels).toContain('baseline/true');
    const cpuid = json.rows.find((r: { from: string; to: string; reason: string }) => r.from === 'L2' && r.to === 'L1' && r.reason === 'CPUID');
    expect(cpuid.count.every((n: number) => n === 10)).toBe(true);
    // Text and CSV are drawn from the same comparison (one process's runs are enough).
    const csv = formatComparison(json, 'csv').split('\n');
    expect(csv).toContain(`L2,L1,CPUID,10,baseline,false,10,${cpuid.cyclesPerExit[labels.indexOf('baseline/false')]}`);
    expect(formatComparison(json, 'text')).toMatch(/L2\s+L1\s+CPUID\s+10\s+\d+/);
    expect(formatComparison(json, 'json')).toBe(JSON.stringify(json, null, 2));
  });
});

describe('smtnest sweep', () => {
  it('varies one cost parameter on worker threads and prints a CSV per point and mode', async () => {
    const r = await smtnest('sweep', 'cpuid', '--param', 'vmExit=500..1500', '--points', '2', '--iterations', '10');
    expect(r.status).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header).toBe('vmExit,mode,status,cycles,speedup_over_baseline');
    const cells = rows.map((line) => line.split(','));
    expect(cells.map((c) => `${c[0]}/${c[1]}`)).toEqual(['500/baseline', '500/sw', '500/hw', '1500/baseline', '1500/sw', '1500/hw']);
    const cycles = (value: string, mode: string) => Number(cells.find((c) => c[0] === value && c[1] === mode)![3]);
    // Dearer world switches cost baseline more; hw switches threads instead, and does not care.
    expect(cycles('1500', 'baseline')).toBeGreaterThan(cycles('500', 'baseline'));
    expect(cycles('1500', 'hw')).toBe(cycles('500', 'hw'));
  });

  it('reports an unknown parameter in one line', async () => {
    const r = await smtnest('sweep', 'cpuid', '--param', 'warpSpeed=1..2');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown cost parameter 'warpSpeed'/);
  });
});

describe('smtnest asm and disasm', () => {
  it('round-trips an image', async () => {
    const image = join(dir, 'hi.img');
    expect((await smtnest('asm', HELLO, '-o', image)).status).toBe(0);
    const run = await smtnest('run', image);
    expect(run.stdout).toBe('hi\n');
    const listing = (await smtnest('disasm', image)).stdout;
    expect(listing).toMatch(/_start:\n\s+00000000\s+.*mov eax, 0x68/);
    expect(listing).toMatch(/out 0xf4, eax/);
  });
});

describe('smtnest stat and the exit summary', () => {
  it('prints a nested io-rr run as perf kvm stat does, its numbers those of the JSON', async () => {
    const path = join(dir, 'io-rr.json');
    const run = await smtnest('run', 'io-rr', '--depth', '2', '--mode', 'sw', '--iterations', '10', '--json');
    writeFileSync(path, run.stdout);
    const report = JSON.parse(run.stdout);
    const r = await smtnest('stat', path);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    for (const to of ['L0', 'L1']) {
      const rows = report.exits.filter((row: { to: string }) => row.to === to);
      const count = rows.reduce((n: number, row: { count: number }) => n + row.count, 0);
      const time = rows.reduce((n: number, row: { cycles: number; idleCycles: number }) => n + row.cycles - row.idleCycles, 0);
      const block = lines.indexOf(`Analyze events of the exits handled by ${to}: ${count} exits, ${time} cycles of handling`);
      expect(block).toBeGreaterThanOrEqual(0);
      expect(lines[block + 2].split(/\s+/)).toEqual(['VM-EXIT', 'from', 'Samples', 'Samples%', 'Time%', 'Min', 'Max', 'Mean', 'Stddev', 'Idle']);
      for (const row of rows) {
        const line = lines.slice(block + 4).find((l) => l.startsWith(`${row.reason} `) && l.split(/\s+/)[1] === row.from)!;
        const cells = line.split(/\s+/);
        expect(cells.slice(2)).toEqual([
          String(row.count),
          `${((100 * row.count) / count).toFixed(2)}%`,
          `${((100 * (row.cycles - row.idleCycles)) / time).toFixed(2)}%`,
          String(row.min),
          String(row.max),
          row.mean.toFixed(2),
          row.stddev.toFixed(2),
          String(row.idleCycles),
        ]);
      }
    }
    // The same table after the console of a plain run, with the summary on stderr.
    const plain = await smtnest('run', 'io-rr', '--depth', '2', '--mode', 'sw', '--iterations', '10', '--exit-stats');
    expect(plain.stdout).toBe(report.console + r.stdout);
    const summary = plain.stderr.trim().split('\n');
    expect(summary).toHaveLength(2);
    expect(summary[0]).toMatch(/^smtnest: L0 handled \d+ exits: [A-Z_]+ from L\d \d+, /);
    const l1 = report.exits.filter((row: { to: string }) => row.to === 'L1');
    expect(summary[1]).toMatch(new RegExp(`^smtnest: L1 handled ${l1.reduce((n: number, row: { count: number }) => n + row.count, 0)} exits: `));
    const quiet = await smtnest('run', HELLO, '--depth', '1', '--quiet');
    expect([quiet.stdout, quiet.stderr]).toEqual(['hi\n', '']);
    expect((await smtnest('run', HELLO, '--depth', '1')).stderr).toBe('smtnest: L0 handled 4 exits: IO_INSTRUCTION from L1 4\n');
  });

  it('refuses a file that is not a run report in one line', async () => {
    const r = await smtnest('stat', HELLO);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^smtnest: ${HELLO}: not JSON: [ -~]+\\n$`));
  });
});
