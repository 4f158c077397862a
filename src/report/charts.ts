/**
 * Small SVG charts for pages that must work without scripts (the transparency report):
 * a line with its confidence band, and horizontal bars. Pure: data in, SVG text out, every
 * label escaped.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface BandPoint {
  readonly label: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

const W = 640;
const H = 240;
const PAD = { left: 48, right: 16, top: 16, bottom: 40 };

function fmt(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2);
}

/** A line with a shaded interval band; points without a value leave a gap. */
export function bandChart(
  points: readonly BandPoint[],
  title: string,
  options: { readonly reference?: number } = {},
): string {
  const values = points.flatMap((p) => [p.value, p.low, p.high]).filter((v): v is number => v !== null);
  const max = Math.max(options.reference ?? 0, ...values, 1e-9) * 1.1;
  const x = (i: number) => PAD.left + (points.length <= 1 ? 0.5 : i / (points.length - 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const band = points
    .map((p, i) => (p.low !== null && p.high !== null ? { i, low: p.low, high: p.high } : undefined))
    .filter((p) => p !== undefined);
  const bandPath = band.length
    ? `M${band.map((p) => `${x(p.i).toFixed(1)},${y(p.high).toFixed(1)}`).join("L")}L${[...band]
        .reverse()
        .map((p) => `${x(p.i).toFixed(1)},${y(p.low).toFixed(1)}`)
        .join("L")}Z`
    : "";
  const line = points
    .map((p, i) => (p.value === null ? undefined : `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`))
    .filter(Boolean)
    .join("L");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const every = Math.max(1, Math.ceil(points.length / 8));
  return `<figure><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
${ticks.map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(t)}</text>`).join("\n")}
${bandPath ? `<path d="${bandPath}" fill="#8ab4f8" fill-opacity="0.4" stroke="none"/>` : ""}
${line ? `<path d="M${line}" fill="none" stroke="#1a56b8" stroke-width="2"/>` : ""}
${points.map((p, i) => (p.value === null ? "" : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="#1a56b8"/>`)).join("")}
${options.reference !== undefined ? `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(options.reference).toFixed(1)}" y2="${y(options.reference).toFixed(1)}" stroke="#b3261e" stroke-dasharray="4 3"/>` : ""}
${points.map((p, i) => (i % every === 0 ? `<text x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${escapeHtml(p.label)}</text>` : "")).join("")}
</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}

/** Horizontal bars with their values, e.g. the share removed within one hour per platform. */
export function barChart(
  bars: readonly { readonly label: string; readonly value: number }[],
  title: string,
  format: (v: number) => string = fmt,
): string {
  const rowH = 24;
  const h = PAD.top + bars.length * rowH + 8;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const left = 160;
  return `<figure><svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">
${bars
  .map((b, i) => {
    const y = PAD.top + i * rowH;
    const w = (b.value / max) * (W - left - 80);
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12"><tspan>${escapeHtml(b.label)}</tspan></text><rect x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="#1a56b8"/><text x="${(left + w + 6).toFixed(1)}" y="${y + 15}" font-size="12">${escapeHtml(format(b.value))}</text>`;
  })
  .join("\n")}
</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}
