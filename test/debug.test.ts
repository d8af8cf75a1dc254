// smtnest debug, driven as a script would drive it: a depth-2 session that
// stops at L2's first EPT violation, reads the exit from the VMCS, steps
// through L0's handler and runs to the end; and the one-line answers to
// bad commands, after which the session goes on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';
import { buildMachine } from '../src/machine/scenario.ts';
import { runReport } from '../src/machine/run-report.ts';
import { loadProgram } from '../src/cli/load.ts';

const BIN = join(PROJECT_ROOT, 'bin/smtnest.js');
const GUEST = join(PROJECT_ROOT, 'guests/tests/debug/unbalanced-stack.s');
const dir = mkdtempSync(join(tmpdir(), 'smtnest-debug-'));

function debug(commands: string, ...args: string[]) {
  const file = join(dir, `commands-${args.join('-')}.txt`);
  writeFileSync(file, commands);
  const r = spawnSync(process.execPath, [BIN, 'debug', GUEST, ...args, '--commands', file], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, file };
}

/** The output of each command of a transcript, by its position in the script. */
function replies(stdout: string): string[][] {
  return stdout
    .split(/^\(smtnest\) .*$/m)
    .slice(1)
    .map((block) => block.split('\n').filter((line) => line !== ''));
}

describe('smtnest debug', () => {
  it('stops at L2\'s EPT violation, shows the exit in the VMCS, steps through L0\'s handler and runs to the end', () => {
    const script = [
      'break exit EPT_VIOLATION from L2 to L0',
      'continue',
      'vmcs t0 VM_EXIT_REASON EXIT_QUALIFICATION GUEST_PHYSICAL_ADDRESS GUEST_RIP GUEST_RSP',
      'break L0:nested_handle_ept_violation',
      'continue',
      'step 12',
      'where',
      'regs L2',
      'frobnicate',
      'continue',
    ].join('\n');
    const r = debug(script + '\n', '--depth', '2');
    const [, stopped, vmcs, , atHandler, steps, where, regs, bad, end] = replies(r.stdout);

    // The exit: L2's ret reading past its memory, a data read (qualification bit 0).
    expect(stopped[0]).toBe('summing');
    expect(stopped[1]).toBe('breakpoint 1 (exit EPT_VIOLATION from L2 to L0):');
    const exit = /exit EPT_VIOLATION L2 -> L0 eip 0x([0-9a-f]+) <sum_words\.next\+0x[0-9a-f]+> qual 0x1$/.exec(stopped[2]);
    expect(exit).not.toBeNull();
    // Stopped before L0's first instruction after the exit: vmcs02's HOST_RIP.
    expect(stopped[3]).toMatch(/^=>\s+\d+ t0 L0 [0-9a-f]{8} l0_nested_vmexit\s/);

    const field = (name: string) => {
      const line = vmcs.find((l) => l.trim().startsWith(name + ' '));
      return Number(/0x[0-9a-f]+/.exec(line!)![0]);
    };
    expect(vmcs[1]).toMatch(/VM_EXIT_REASON\s+0x00000030  EPT_VIOLATION/);
    expect(field('EXIT_QUALIFICATION') & 7).toBe(1);
    expect(field('GUEST_RIP')).toBe(parseInt(exit![1], 16));
    // ret read its return address at esp, which the extra pop left at the top of L2's memory.
    expect(field('GUEST_PHYSICAL_ADDRESS')).toBe(field('GUEST_RSP'));

    expect(atHandler[0]).toBe('breakpoint 2 (L0:0x' + /L0:0x([0-9a-f]+)/.exec(r.stdout)![1] + ' <nested_handle_ept_violation>)');
    // Twelve instructions of L0's handler as they executed, then the next one.
    expect(steps).toHaveLength(13);
    expect(steps.slice(0, 12).every((l) => /^\s+\d+ t0 L0 [0-9a-f]{8} nested_/.test(l))).toBe(true);
    expect(steps[0]).toMatch(/nested_handle_ept_violation\s/);
    expect(steps[12]).toMatch(/^=>/);
    expect(where[0]).toMatch(/^t0 L0 0x[0-9a-f]{8} <nested_/);
    expect(where).toContainEqual(expect.stringMatching(/^L2 +0x[0-9a-f]{8} <sum_words\.next\+0x[0-9a-f]+>  saved in VMCS 0x[0-9a-f]+$/));
    expect(regs[1]).toMatch(/^eip 0x[0-9a-f]{8} <sum_words\.next\+0x[0-9a-f]+>  esp 0x/);

    // A bad command: one line on stderr, with the script's line; the session went on.
    expect(bad).toEqual([]);
    expect(r.stderr).toBe(`${r.file}:9: unknown command 'frobnicate' (help lists the commands)\n`);

    // L0 reflects the violation to L1 (EPT12 does not map the page), whose
    // handler stops the run; the breakpoint on L0's exits does not stop the forward.
    expect(end[0]).toMatch(/^L1: guest read at guest-physical 0x[0-9a-f]+ outside its memory/);
    expect(end[1]).toBe(`the run ended: guest wrote 118 to the debug-exit port (status 118, cycle ${/cycle (\d+)\)$/.exec(end[1])![1]})`);
    expect(r.status).toBe(118);
  });

  it('answers bad commands in one line, and does not call a run that did not end a success', () => {
    const r = debug(['break nowhere', 'break L1:_start', 'x L0:0x10 2000', 'step 0', 'regs t9', 'vmcs', 'trace maybe', 'step 2', 'quit', 'step'].join('\n') + '\n');
    expect(r.stderr.trim().split('\n')).toEqual([
      `${r.file}:1: no symbol 'nowhere' in any level's image`,
      `${r.file}:2: 'L1' is not a level of this run (L0..L0)`,
      `${r.file}:3: x: at most 1024 dwords at a time, got 2000`,
      `${r.file}:4: step: expected a positive number, got '0'`,
      `${r.file}:5: 't9' is not a hardware thread (t0..t0)`,
      `${r.file}:6: vmcs: t0 has no current VMCS`,
      `${r.file}:7: trace: expected on or off`,
      'smtnest debug: the session ended before the run did',
    ]);
    // The two steps ran; quit ended the session before the last line.
    expect(replies(r.stdout)[7]).toEqual([expect.stringMatching(/ t0 L0 [0-9a-f]{8} _start /), expect.stringMatching(/ t0 L0 /), expect.stringMatching(/^=> /)]);
    expect(r.stdout).not.toMatch(/\(smtnest\) step$/m);
    expect(r.status).toBe(1);
  });

  it('schedules a stepped run as the plain run, so that what it shows is what a plain run measures', () => {
    // sw mode: the threads of L0 and L1 share the core, so the slices decide
    // both the interleaving and the SMT sharing of every cycle.
    const scenario = { workload: loadProgram('io-rr'), depth: 1, mode: 'sw' as const, iterations: 1 };
    const plain = buildMachine(scenario);
    const plainReport = JSON.stringify(runReport(plain, plain.run()));
    const stepped = buildMachine(scenario);
    let stops = 0;
    let stoppedAt = -1;
    let result = null;
    // Stop before every 2,000th instruction of a thread and go on, as a
    // debugger's continue does (not stopping twice before one instruction).
    const beforeInstruction = (cpu: { instructions: number }) => {
      if (cpu.instructions % 2000 !== 0 || cpu.instructions === stoppedAt) return false;
      stoppedAt = cpu.instructions;
      stops++;
      return true;
    };
    while (!(result = stepped.runStepped({ beforeInstruction }))) continue;
    expect(stops).toBeGreaterThan(10);
    expect(JSON.stringify(runReport(stepped, result))).toBe(plainReport);
  });
});
