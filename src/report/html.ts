// The report page: one self-contained HTML file (inline CSS and SVG, no
// script, no font or image from elsewhere), so that it opens anywhere,
// offline, and the same data always gives the same bytes.

import { basename } from 'node:path';
import { PAPER_FIGURES } from '../machine/evaluation.ts';
import type { Chart } from './charts.ts';
import type { ReportData } from './collect.ts';
import { escapeXml, FONT } from './svg.ts';

const STYLE = `
body { font-family: ${FONT}; color: #222; background: #fff; margin: 0 auto; padding: 16px 24px 40px; max-width: 1352px; line-height: 1.45; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 4px; border-top: 1px solid #ddd; padding-top: 16px; }
p { margin: 4px 0 8px; }
.inputs { color: #555; font-size: 13px; }
nav ol { margin: 6px 0; padding-left: 22px; font-size: 14px; }
a { color: #2a5db0; }
.caption { font-size: 14px; color: #333; max-width: 1100px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }
svg .tick { font-size: 10.5px; fill: #555; }
svg .category { font-size: 12px; fill: #222; }
svg .value { font-size: 10px; fill: #333; }
svg .inside { font-size: 11px; fill: #fff; }
svg .inside-light { font-size: 11px; fill: #222; }
svg .count { font-size: 9px; fill: #333; }
svg .panel-title { font-size: 13px; font-weight: 600; fill: #222; }
svg .legend { font-size: 11.5px; fill: #222; }
svg .axis-title { font-size: 12px; fill: #333; }
footer { margin-top: 28px; font-size: 12.5px; color: #555; border-top: 1px solid #ddd; padding-top: 10px; }
code { font-size: 12.5px; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
`;

/** The command that regenerates this page (the file by its name only, so
 * that where it was written does not change its bytes). */
function command(data: ReportData, output: string): string {
  const iterations = data.iterations === null ? '' : ` --iterations ${data.iterations}`;
  return `npx smtnest report ${data.workloads.join(' ')}${iterations} --html ${basename(output)}`;
}

export function reportPage(data: ReportData, charts: readonly Chart[], output: string): string {
  const iterations = data.iterations === null ? 'each workload\'s default' : String(data.iterations);
  const sections = charts.map(
    (c, i) =>
      `<section id="section-${c.id}">\n<h2>${i + 1}. ${escapeXml(c.title)}</h2>\n<p class="caption">${escapeXml(c.caption)}</p>\n${c.svg}\n</section>`,
  );
  const paperNote = Object.entries(PAPER_FIGURES)
    .filter(([w]) => data.evaluation.some((row) => row.workload === w))
    .map(([w, f]) => `${w}: ${f.claim}`)
    .join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smtnest report: where the cycles of nested traps go</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Where the cycles of nested traps go</h1>
<p class="inputs">smtnest runs of ${escapeXml(data.workloads.join(', '))} under L1 under L0 in the baseline, sw and hw modes of
"Using SMT to accelerate nested virtualization" (Vilanova, Amit, Etsion, ISCA 2019); iterations: ${escapeXml(iterations)}; the default cost model
(docs/cost-model.md). Every number is a measurement of the guests' execution; hover over a mark for its value.</p>
<nav><ol>
${charts.map((c) => `<li><a href="#section-${c.id}">${escapeXml(c.title)}</a></li>`).join('\n')}
</ol></nav>
${sections.join('\n')}
<footer>Regenerate with <code>${escapeXml(command(data, output))}</code>.${paperNote ? ` The paper's figures: ${escapeXml(paperNote)}.` : ''}
How to read each chart: docs/report.md.</footer>
</body>
</html>
`;
}
