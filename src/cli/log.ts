// Diagnostics go through pino to stderr, at --log-level (default warn).
// Nothing logs from inside the interpreter loop.

import pino, { type Logger } from 'pino';
import { UsageError } from './errors.ts';

import { LOG_LEVELS } from './commands.ts';

export function createLogger(level: string | undefined): Logger {
  const chosen = level ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(chosen)) {
    throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${chosen}'`);
  }
  return pino({ level: chosen, base: undefined }, pino.destination({ dest: 2, sync: true }));
}
