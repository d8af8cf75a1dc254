// npm run bench: guest MIPS (millions of guest instructions per host second)
// of the interpreter (SMTNEST_JIT=off) and of the region compiler (auto, the
// default) on three loops, each measured in a fresh machine after a warm-up
// run; both must end in the same state. Then Bochs on the same loops, built
// by nasm and run in the same process's time (bench/bochs.ts), when it is
// installed: absolute MIPS move by 30% or more between runs on a shared
// machine, so the ratios are the figures. Then the fidelity table, the
// start-up of a short run and the wall time of npm start and of a sweep
// (bench/startup.ts, bench/commands.ts). Host timing is used here and only here.

import { join } from 'node:path';
import { assembleFile } from '../src/asm/index.ts';
import { PROJECT_ROOT } from '../src/paths.ts';
import { Machine } from '../src/machine/machine.ts';
import type { JitMode } from '../src/jit/jit.ts';
import { fidelityTable } from '../src/docs/fidelity.ts';
import { startupTable } from './startup.ts';
import { commandsTable } from './commands.ts';
import { bochsAvailable, bochsMips } from './bochs.ts';

/** The loops and their iteration counts (the ITERATIONS of each .s file, which nasm is given too). */
const LOOPS: [name: string, iterations: number][] = [
  ['alu', 50_000_000],
  ['loadstore', 25_000_000],
  ['callret', 20_000_000],
];
const RUNS = 3;

function measure(name: string, jit: JitMode): { mips: number[]; outcome: string } {
  const program = assembleFile(join(PROJECT_ROOT, 'bench', `${name}.s`), {
    includePaths: [join(PROJECT_ROOT, 'guests/include')],
  });
  const mips: number[] = [];
  let outcome = '';
  for (let run = 0; run <= RUNS; run++) {
    const machine = new Machine({ ramSize: 1 << 20, jit });
    machine.loadProgram(program);
    const start = process.hrtime.bigint();
    const result = machine.run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 'exited') throw new Error(`${name}: ${result.reason}`);
    const cpu = machine.cpu;
    outcome = JSON.stringify([result.exitCode, cpu.cycles, cpu.instructions, Array.from(cpu.regs), cpu.eflags, Array.from(cpu.opcodeCounts)]);
    if (run > 0) mips.push(cpu.instructions / seconds / 1e6); // run 0 warms up V8
  }
  return { mips: mips.sort((a, b) => a - b), outcome };
}

const median = (values: number[]) => values[Math.floor(values.length / 2)];
const fixed = (value: number, width: number) => value.toFixed(1).padStart(width);
const withBochs = bochsAvailable();

console.log(`smtnest speed in guest MIPS, median of ${RUNS} runs each after a warm-up (node ${process.version})`);
console.log(`loop        interpreter   compiler   compiler/interpreter${withBochs ? '   Bochs   compiler/Bochs   interpreter/Bochs' : ''}`);
for (const [name, iterations] of LOOPS) {
  const interpreted = measure(name, 'off');
  const compiled = measure(name, 'auto');
  if (compiled.outcome !== interpreted.outcome) throw new Error(`${name}: the compiler and the interpreter ended in different states`);
  const i = median(interpreted.mips);
  const c = median(compiled.mips);
  let line = `${name.padEnd(10)} ${fixed(i, 12)} ${fixed(c, 10)} ${fixed(c / i, 22)}`;
  if (withBochs) {
    const b = bochsMips(name, iterations);
    line += `${fixed(b, 8)} ${fixed(c / b, 16)} ${fixed(i / b, 19)}`;
  }
  console.log(line);
}
if (!withBochs) console.log('(Bochs not measured: install bochs, bochs-term, bochsbios and nasm)');

// ---- the model's micro figures beside KVM's on real hardware (the same
// table npm run gen writes into docs/results.md).
console.log('\nFidelity: the model against measured KVM (docs/results.md)');
console.log(fidelityTable());

console.log('');
console.log(startupTable());
console.log('');
console.log(commandsTable());
