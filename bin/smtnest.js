#!/usr/bin/env node
// The smtnest command: the built JavaScript, or the sources in development (modules.js).
import { importModule } from './modules.js';

const { main } = await importModule('cli/main');
process.exitCode = await main(process.argv.slice(2));
