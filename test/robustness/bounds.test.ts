// Bounds on what a guest or an input can make the emulator keep or compute:
// the console, the tracepoint port, macro expansion, cost parameters and
// the clock. Each test runs the hostile input and checks the bound holds
// and the run ends as docs/security.md says.
import { describe, expect, it } from 'vitest';
import { assembleSource, AssemblyError } from '../../src/asm/index.ts';
import { Machine } from '../../src/machine/machine.ts';
import { runReport } from '../../src/machine/run-report.ts';
import { counterDiscrepancies } from '../../src/machine/stats.ts';
import { CONSOLE_KEPT_BYTES } from '../../src/devices/serial.ts';
import { MAX_EXPANDED_LINES } from '../../src/asm/preprocess.ts';
import { applyOverrides, defaultCosts } from '../../src/timing/cost-model.ts';
import { assembleGuest, buildMachine, INCLUDE_DIR } from '../../src/machine/scenario.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { join } from 'node:path';

const assemble = (source: string) => assembleSource(source, 'hostile.s', { includePaths: [INCLUDE_DIR] });

function bare(source: string, maxInstructions = 10_000_000, sink?: (byte: number) => void) {
  const machine = new Machine({ ramSize: 1 << 16, consoleSink: sink });
  machine.loadProgram(assemble(source));
  const result = machine.run({ maxInstructions });
  return { machine, result };
}

describe('the console', () => {
  it('keeps its first MiB, streams every byte to its sink and counts the rest as dropped', () => {
    let streamed = 0;
    const printed = CONSOLE_KEPT_BYTES + 5000;
    const { machine, result } = bare(
      `%include "ports.inc"
      mov ecx, ${printed}
      mov eax, 'x'
  print:
      out PORT_SERIAL_DATA, eax
      dec ecx
      jnz print
      out PORT_DEBUG_EXIT, ecx`,
      20_000_000,
      () => streamed++,
    );
    expect(result.status).toBe('exited');
    expect(streamed).toBe(printed);
    const report = runReport(machine, result);
    expect(report.console.length).toBe(CONSOLE_KEPT_BYTES);
    expect(report.consoleDropped).toBe(5000);
  });
});

describe('the tracepoint port', () => {
  it('refuses a level the run does not have, and every instruction stays attributed', () => {
    const { machine, result } = bare(
      `%include "ports.inc"
      mov eax, 200
      out PORT_TRACE_LEVEL, eax
      mov ecx, 1000
  spin:
      dec ecx
      jnz spin
      out PORT_DEBUG_EXIT, ecx`,
    );
    const report = runReport(machine, result);
    expect(report.rejectedTracepoints).toBe(1);
    expect(report.levels.L0.instructions).toBe(report.instructions);
    expect(counterDiscrepancies(report)).toEqual([]);
  });

  it('refuses forwards naming levels the run lacks, unknown reasons and repeats, so the exit rows stay bounded', () => {
    // 100,000 forwards of one exit: before, each appended a row to the open
    // exit (and the rows map grew with every distinct reason or level).
    const { machine, result } = bare(
      `%include "ports.inc"
      mov ecx, 100000
  forward:
      mov eax, ecx
      and eax, 0xff
      or eax, (3 << 16) | (1 << 24)
      out PORT_TRACE_FORWARD, eax
      mov eax, 0xffff | (2 << 16) | (1 << 24)
      out PORT_TRACE_FORWARD, eax
      mov eax, 10 | (200 << 16) | (1 << 24)
      out PORT_TRACE_FORWARD, eax
      mov eax, 10 | (1 << 16) | (2 << 24)
      out PORT_TRACE_FORWARD, eax
      dec ecx
      jnz forward
      out PORT_DEBUG_EXIT, ecx`,
    );
    const report = runReport(machine, result);
    expect(result.status).toBe('exited');
    // Only the known reasons from L3 to L1 (a bare program may be a
    // hypervisor as deep as the counters go) make rows.
    expect(report.exits.length).toBeLessThanOrEqual(256);
    expect(report.exits.every((row) => row.from === 'L3' && row.to === 'L1')).toBe(true);
    expect(report.rejectedTracepoints).toBeGreaterThan(300_000);
  });
});

describe('counters', () => {
  it('add up per thread when a level only waited on a thread (sw mode, depth 2: L0 on the threads it parks)', () => {
    const machine = buildMachine({ workload: assembleGuest(join(PROJECT_ROOT, 'guests/workloads/cpuid.s')), depth: 2, mode: 'sw', shadowing: true, iterations: 4 });
    expect(machine.run({ maxInstructions: 50_000_000 }).status).toBe('exited');
    const stats = machine.stats();
    expect(counterDiscrepancies(stats)).toEqual([]);
    for (const thread of stats.threads) {
      expect(Object.values(thread.perLevel).reduce((n, l) => n + l.cycles, 0)).toBe(thread.cycles);
    }
  });

  it('add up when a guest level waited and never executed (entered in the HLT activity state)', () => {
    // A hypervisor (the VMX suite's library) enters its guest halted; the
    // preemption timer ends the wait with an exit, and the hypervisor stops.
    // L1 has cycles and no instructions, and is reported.
    const program = assembleSource(
      `
%include "lib.inc"
_start:
    call test_init
    call vmx_enable
    mov eax, VMCS1
    mov ebx, guest
    call guest_setup
    vmw VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER
    vmw VMCS_VMX_PREEMPTION_TIMER_VALUE, 1000
    vmw VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT
    call guest_run
    hlt
guest:
    ud2                         ; not reached: the guest waits until the timer
`,
      'halted-guest.s',
      { includePaths: [INCLUDE_DIR, join(PROJECT_ROOT, 'guests/tests/vmx')] },
    );
    const machine = new Machine({ ramSize: 4 << 20 });
    machine.loadProgram(program);
    expect(machine.run({ maxInstructions: 1_000_000 }).status).toBe('halted');
    const stats = machine.stats();
    expect(counterDiscrepancies(stats)).toEqual([]);
    expect(stats.levels.L1.instructions).toBe(0);
    expect(stats.levels.L1.cycles).toBeGreaterThan(1000);
    expect(stats.exits.map((r) => r.reason)).toContain('PREEMPTION_TIMER');
  });

  it('a report whose counters do not add up is refused loudly', () => {
    const { machine } = bare('hlt');
    machine.cpu.levelCycles[0] -= 5;
    expect(() => machine.stats()).toThrow(/the counters do not add up: cycles of the levels/);
  });
});

describe('the assembler', () => {
  it('bounds total macro expansion with a file:line:col error', () => {
    const macros = ['%macro m0 0', '    nop', '%endmacro'];
    for (let i = 1; i <= 40; i++) macros.push(`%macro m${i} 0`, `    m${i - 1}`, `    m${i - 1}`, '%endmacro');
    const source = [...macros, '_start:', '    m40'].join('\n');
    const error = (() => {
      try {
        assemble(source);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AssemblyError);
    expect((error as AssemblyError).message).toMatch(
      new RegExp(`^hostile\\.s:${macros.length + 2}:5: the source expands to more than ${MAX_EXPANDED_LINES} lines \\(in the expansion of macro 'm40'\\)`),
    );
  }, 20_000);
});

describe('files a source names', () => {
  // Before, reading /dev/zero never ended (the fuzz campaign's hang).
  it.each([
    ['_start:\n    incbin "/dev/zero"', /^hostile\.s:2:12: cannot read '\/dev\/zero': not a regular file/],
    ['%include "/dev/zero"', /^hostile\.s:1:10: cannot read '\/dev\/zero': not a regular file/],
    ['%include "/tmp"', /^hostile\.s:1:10: cannot read '\/tmp': not a regular file/],
  ])('%s: one file:line:col error, at once', (source, message) => {
    expect(() => assemble(source)).toThrow(message);
  });
});

describe('cost parameters', () => {
  it.each([
    [{ vmExit: 1e308 }, /'vmExit' must be an integer from 0 to 10000000, got 1e\+308/],
    [{ smtCoreThroughput: 0 }, /'smtCoreThroughput' must be an integer from 10 to 200, got 0/],
    [{ vmEntry: -1 }, /'vmEntry' must be an integer/],
    [{ threadSwitch: 1.5 }, /'threadSwitch' must be an integer/],
  ])('refuses %j', (overrides, message) => {
    expect(() => applyOverrides(defaultCosts(), overrides, 'costs.json')).toThrow(message);
  });

  it('a machine refuses costs outside the ranges', () => {
    expect(() => new Machine({ costs: { ...defaultCosts(), smtCoreThroughput: 0 } })).toThrow(RangeError);
  });
});

describe('the clock', () => {
  it('a clock past 2^53 ends the run as an error, not as halted', () => {
    const { machine, result } = bare('nop\nnop\nhlt', 1);
    expect(result.status).toBe('budget');
    const stuck = new Machine({ ramSize: 1 << 16 });
    stuck.loadProgram(assemble('spin:\n jmp spin'));
    stuck.cpu.cycles = 2 ** 53;
    const ended = stuck.run({ maxInstructions: 1000 });
    expect(ended.status).toBe('clock-stopped');
    expect(ended.exitCode).toBe(126);
    void machine;
  });
});
