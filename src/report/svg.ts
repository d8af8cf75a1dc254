// The few SVG pieces the charts are drawn with: escaped text, rounded
// coordinates (so that the same numbers always give the same bytes), axis
// ticks at round values, and a legend. No layout engine: each chart places
// its own marks.

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most two decimals, and no "-0". */
export function coordinate(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

/** An integer with thousands separators, independent of the host's locale. */
export function grouped(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export type Attributes = Record<string, string | number | undefined>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? coordinate(v) : v!)}"`)
    .join('');
}

export function element(name: string, attrs: Attributes, children = ''): string {
  return children === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
  return element('text', { x, y, ...attrs }, escapeXml(content));
}

/** A rectangle with a tooltip (its <title>), which is also what a screen reader reads. */
export function bar(x: number, y: number, width: number, height: number, fill: string, tooltip: string, data: Attributes): string {
  return element('rect', { x, y, width: Math.max(width, 0), height: Math.max(height, 0), fill, ...data }, `<title>${escapeXml(tooltip)}</title>`);
}

/** Tick values from 0 to at least `max`, at 1, 2 or 5 times a power of ten, about `count` of them. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const values: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) values.push(Math.round(v / step) * step);
  return values;
}

export interface LegendItem {
  label: string;
  fill: string;
}

/** A row of swatches and labels from (x, y), wrapping before `width`. */
export function legend(items: readonly LegendItem[], x: number, y: number, width: number): string {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const item of items) {
    const span = 22 + item.label.length * 7 + 18;
    if (cx + span > x + width && cx > x) {
      cx = x;
      cy += 20;
    }
    parts.push(element('rect', { x: cx, y: cy - 10, width: 14, height: 14, fill: item.fill, stroke: '#555', 'stroke-width': 0.5 }));
    parts.push(text(cx + 20, cy + 1, item.label, { class: 'legend' }));
    cx += span;
  }
  return element('g', { class: 'legend' }, parts.join(''));
}

/** A diagonal hatch pattern (for figures that are not ours, and for waits). */
export function hatch(id: string, color: string): string {
  return element(
    'pattern',
    { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    element('rect', { width: 6, height: 6, fill: '#fff' }) + element('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: color, 'stroke-width': 3 }),
  );
}

export interface ChartFrame {
  id: string;
  width: number;
  height: number;
  title: string;
  /** Pattern definitions the chart uses. */
  defs?: string;
}

/** The <svg> of a chart: an id for the page and the tests, and a title for screen readers. */
export function chart(frame: ChartFrame, body: string): string {
  return element(
    'svg',
    {
      id: frame.id,
      class: 'chart',
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${frame.width} ${frame.height}`,
      width: frame.width,
      height: frame.height,
      role: 'img',
      'aria-label': frame.title,
      'font-family': FONT,
      'font-size': 12,
    },
    `<title>${escapeXml(frame.title)}</title>` + (frame.defs ? `<defs>${frame.defs}</defs>` : '') + body,
  );
}
