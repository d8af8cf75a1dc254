#!/usr/bin/env node
// The smtnest command: the built JavaScript, or the sources in development (modules.js).
import { importModule } from './modules.js';

// A reader that goes away early (`smtnest help run | head -1`) is not an error
// of the command: stop writing and end quietly, as a filter killed by SIGPIPE
// would, instead of an unhandled EPIPE with a stack trace.
process.on('uncaughtException', (error) => {
  if (error?.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const { main } = await importModule('cli/main');
process.exitCode = await main(process.argv.slice(2));
