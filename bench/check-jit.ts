// npm run check:jit: every bundled program and workload at every depth,
// mode and shadowing setting gives the same `run --json` report, byte for
// byte, with the region compiler always compiling and off (bench/jit-reports.ts).
// Exits 1 on the first difference, naming the case and the first line that differs.

import { allCases, caseName, reportJson } from './jit-reports.ts';

let failed = 0;
let compiled = 0;
const cases = allCases();
for (const c of cases) {
  const off = reportJson(c, 'off');
  const always = reportJson(c, 'always');
  compiled += always.compiled;
  if (always.json === off.json) {
    console.log(`same      ${caseName(c)} (${always.compiled} instructions compiled)`);
    continue;
  }
  failed++;
  const a = always.json.split('\n');
  const o = off.json.split('\n');
  const line = a.findIndex((text, i) => text !== o[i]);
  console.log(`DIFFERENT ${caseName(c)}: line ${line + 1}: always ${a[line]?.trim()} / off ${o[line]?.trim()}`);
}
console.log(`${cases.length - failed} of ${cases.length} cases byte-identical; ${compiled} instructions ran compiled`);
if (failed > 0) process.exit(1);
