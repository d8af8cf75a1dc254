// Generated files must match the tables they come from: run `npm run gen`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedContent, GENERATED } from '../src/generated.ts';
import { PROJECT_ROOT } from '../src/paths.ts';

describe('generated files', () => {
  for (const file of GENERATED) {
    it(`${file.path}${file.region ? ` (${file.region})` : ''} is up to date`, () => {
      const current = readFileSync(join(PROJECT_ROOT, file.path), 'utf8');
      expect(current, `${file.path} is stale: run npm run gen`).toBe(expectedContent(file, current));
    });
  }
});
