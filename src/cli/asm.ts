// smtnest asm <file.s> -o <image>   and   smtnest disasm <image|file.s>

import { writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { symbolizer, writeImage } from '../asm/index.ts';
import { disassemble } from '../isa/disasm.ts';
import { parse } from './args.ts';
import { InputError, UsageError } from './errors.ts';
import { assembleGuest } from '../machine/scenario.ts';
import { loadProgram, refuseBinary } from './load.ts';

export function asmCommand(args: string[], log: Logger): number {
  const { values, positionals } = parse('asm', args);
  const output = values.output as string | undefined;
  if (!output) throw new UsageError('asm: -o IMAGE is required (smtnest asm --help lists the options)');
  refuseBinary(positionals[0]);
  const program = assembleGuest(positionals[0]);
  try {
    writeFileSync(output, writeImage(program));
  } catch (error) {
    throw new InputError(`${output}: cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  log.info({ output, bytes: program.bytes.length }, 'image written');
  return 0;
}

export function disasmCommand(args: string[]): number {
  const { positionals } = parse('disasm', args);
  const program = loadProgram(positionals[0]);
  const lines = [`; origin 0x${program.origin.toString(16)}, entry 0x${program.entry.toString(16)}`];
  lines.push(...disassemble(program.bytes, program.origin, symbolizer(program)));
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
