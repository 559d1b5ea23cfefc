/**
 * Two small SVG chart kinds, enough for the report and with no browser or
 * chart library: a log-log line chart (time against N, one line per tool) and
 * horizontal bars. Every point/bar shows the median, whiskers show min–max.
 */
import type { Summary } from './stats.ts';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

export interface LineSeries {
  label: string;
  points: { x: number; y: Summary }[];
  /** Drawn thicker: our own lines. */
  emphasis?: boolean;
}

export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}): string {
  const W = 720;
  const H = 420;
  const m = { left: 70, right: 230, top: 40, bottom: 50 };
  const xs = options.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = options.series.flatMap((s) => s.points.flatMap((p) => [p.y.min, p.y.max]));
  const [x0, x1] = logBounds(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = logBounds(Math.min(...ys), Math.max(...ys));
  const px = (x: number) => m.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * (H - m.top - m.bottom);
  const out: string[] = [header(W, H, options.title)];
  for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) {
    for (const f of [1, 2, 5]) {
      const v = f * 10 ** e;
      if (Math.log10(v) < y0 - 1e-9 || Math.log10(v) > y1 + 1e-9) continue;
      out.push(
        `<line x1="${m.left}" x2="${W - m.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
        `<text x="${m.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11" ${FONT}>${fmtMs(v)}</text>`,
      );
    }
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(
      `<line x1="${px(x)}" x2="${px(x)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#eee"/>`,
      `<text x="${px(x)}" y="${H - m.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${x}</text>`,
    );
  }
  out.push(axes(m, W, H, options.xLabel, options.yLabel));
  options.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const width = s.emphasis ? 3 : 1.5;
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="${width}" points="${pts.map((p) => `${px(p.x)},${py(p.y.median)}`).join(' ')}"/>`,
    );
    for (const p of pts) {
      out.push(
        `<line x1="${px(p.x)}" x2="${px(p.x)}" y1="${py(p.y.min)}" y2="${py(p.y.max)}" stroke="${color}" stroke-width="1"/>`,
        `<circle cx="${px(p.x)}" cy="${py(p.y.median)}" r="${s.emphasis ? 4 : 3}" fill="${color}"/>`,
      );
    }
    const ly = m.top + 10 + i * 20;
    out.push(
      `<line x1="${W - m.right + 16}" x2="${W - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="${width}"/>`,
      `<text x="${W - m.right + 46}" y="${ly + 4}" font-size="12" ${FONT}>${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface Bar {
  label: string;
  value: Summary;
  /** Colour group (e.g. "ours", "peer"): bars of one group share a colour. */
  group: string;
}

export function barChart(options: {
  title: string;
  xLabel: string;
  bars: Bar[];
  /** Vertical reference lines, e.g. a target. */
  marks?: { at: number; label: string }[];
}): string {
  const W = 760;
  const rowH = 26;
  const m = { left: 330, right: 60, top: 40, bottom: 46 };
  const H = m.top + m.bottom + rowH * options.bars.length;
  const max =
    Math.max(...options.bars.map((b) => b.value.max), ...(options.marks ?? []).map((k) => k.at)) * 1.05;
  const px = (v: number) => m.left + (v / max) * (W - m.left - m.right);
  const groups = [...new Set(options.bars.map((b) => b.group))];
  const out: string[] = [header(W, H, options.title)];
  for (const t of ticks(max)) {
    out.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${H - m.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${fmtMs(t)}</text>`,
    );
  }
  options.bars.forEach((b, i) => {
    const y = m.top + i * rowH;
    const color = PALETTE[groups.indexOf(b.group) % PALETTE.length]!;
    const mid = y + rowH / 2;
    out.push(
      `<text x="${m.left - 8}" y="${mid + 4}" text-anchor="end" font-size="12" ${FONT}>${esc(b.label)}</text>`,
      `<rect x="${m.left}" y="${y + 4}" width="${Math.max(1, px(b.value.median) - m.left)}" height="${rowH - 8}" fill="${color}" opacity="0.85"/>`,
      `<line x1="${px(b.value.min)}" x2="${px(b.value.max)}" y1="${mid}" y2="${mid}" stroke="#222"/>`,
      `<line x1="${px(b.value.min)}" x2="${px(b.value.min)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#222"/>`,
      `<line x1="${px(b.value.max)}" x2="${px(b.value.max)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#222"/>`,
      `<text x="${Math.max(px(b.value.max), px(b.value.median)) + 6}" y="${mid + 4}" font-size="11" ${FONT}>${fmtMs(b.value.median)}</text>`,
    );
  });
  for (const k of options.marks ?? []) {
    out.push(
      `<line x1="${px(k.at)}" x2="${px(k.at)}" y1="${m.top - 6}" y2="${H - m.bottom}" stroke="#d62728" stroke-dasharray="4 3"/>`,
      `<text x="${px(k.at) + 4}" y="${m.top - 8}" font-size="11" fill="#d62728" ${FONT}>${esc(k.label)}</text>`,
    );
  }
  out.push(axes(m, W, H, options.xLabel, ''));
  out.push('</svg>');
  return out.join('\n');
}

function header(W: number, H: number, title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600" ${FONT}>${esc(title)}</text>`,
  ].join('\n');
}

function axes(
  m: { left: number; right: number; top: number; bottom: number },
  W: number,
  H: number,
  xLabel: string,
  yLabel: string,
): string {
  return [
    `<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle" font-size="12" ${FONT}>${esc(xLabel)}</text>`,
    yLabel
      ? `<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(yLabel)}</text>`
      : '',
  ].join('\n');
}

function logBounds(lo: number, hi: number): [number, number] {
  const a = Math.log10(Math.max(lo, 1e-3));
  const b = Math.log10(Math.max(hi, 1e-3));
  const pad = Math.max(0.05, (b - a) * 0.05);
  return [a - pad, b + pad];
}

function ticks(max: number): number[] {
  const step = 10 ** Math.floor(Math.log10(max / 5));
  const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => max / s <= 8) ?? step * 10;
  const out: number[] = [];
  for (let v = 0; v <= max; v += nice) out.push(v);
  return out;
}

export function fmtMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 10_000 || (ms >= 1000 && ms % 1000 === 0)) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 2000 ? 1 : 2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
