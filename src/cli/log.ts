// Diagnostics go through pino to stderr, at --log-level (default warn).
// Nothing logs from inside the interpreter loop. pino is loaded on the first
// message the level lets through, so that a run which logs nothing (the
// default) does not pay for loading it.

import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { LOG_LEVELS } from './commands.ts';
import { UsageError } from './errors.ts';

/** pino's numbers for its levels: a message is written when its level's is at least the chosen one's. */
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

const noop = () => undefined;

export function createLogger(level: string | undefined): Logger {
  const chosen = level ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(chosen)) {
    throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${chosen}'`);
  }
  let real: Logger | undefined;
  const load = (): Logger => {
    const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
    return (real ??= pino({ level: chosen, base: undefined }, pino.destination({ dest: 2, sync: true })));
  };
  return new Proxy({} as Logger, {
    get(_, key) {
      // A message below the level: dropped without pino.
      if (typeof key === 'string' && key in RANK && key !== 'silent' && RANK[key] < RANK[chosen]) return noop;
      const logger = real ?? load();
      const value = logger[key as keyof Logger];
      return typeof value === 'function' ? value.bind(logger) : value;
    },
  });
}
