// Small accessible SVG charts (no chart library: a few hundred bytes of markup each, rendered on the
// server, readable without JavaScript). Every chart is a <figure> with a caption, an SVG that
// screen readers announce as one image with a summary, a <title> on every mark (hover shows the
// value), and the same numbers as a <table> behind a "数据表" toggle. The SVG scales with its
// container through viewBox.
import { useId } from 'react';

export interface Series {
  label: string;
  values: number[];
  /** CSS color; defaults to the palette */
  color?: string;
}

const PALETTE = ['#1f5fa8', '#e0892b', '#2e8b57', '#b83b5e', '#6a4c93', '#7a8a99', '#c9a227'];

const defaultFormat = (v: number) => v.toLocaleString('zh-CN', { maximumFractionDigits: 2 });

/** 1, 2, 2.5, 5 × 10^k steps so that axis labels read naturally. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  if (ticks.length < 2) ticks.push(step);
  return ticks;
}

function DataTable({ caption, categories, series, format }: { caption: string; categories: string[]; series: Series[]; format: (v: number) => string }) {
  return (
    <details className="chart-data">
      <summary>数据表</summary>
      <div className="table-wrap">
        <table className="data">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">项目</th>
              {series.map((s) => (
                <th scope="col" key={s.label} className="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                {series.map((s) => (
                  <td key={s.label} className="num">
                    {format(s.values[i] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <ul className="chart-legend" aria-hidden>
      {series.map((s, i) => (
        <li key={s.label}>
          <span className="swatch" style={{ background: s.color ?? PALETTE[i % PALETTE.length] }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function summaryOf(categories: string[], series: Series[], format: (v: number) => string) {
  return series
    .map((s) => {
      const total = s.values.reduce((a, b) => a + b, 0);
      const maxI = s.values.indexOf(Math.max(...s.values));
      return `${s.label}：合计 ${format(total)}${maxI >= 0 && categories[maxI] ? `，最高为${categories[maxI]}（${format(s.values[maxI])}）` : ''}`;
    })
    .join('；');
}

const W = 640;
const H = 260;
const PAD = { top: 16, right: 12, bottom: 44, left: 64 };

interface AxisChartProps {
  title: string;
  categories: string[];
  series: Series[];
  format?: (v: number) => string;
  /** Short axis labels (e.g. "2026-03" → "3月"); the full category stays in titles and the table */
  shortLabel?: (c: string) => string;
  unit?: string;
  /** Horizontal bars (long category names such as agency names) */
  horizontal?: boolean;
}

function Frame({ title, children, categories, series, format, testId }: { title: string; children: React.ReactNode; categories: string[]; series: Series[]; format: (v: number) => string; testId?: string }) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`} data-testid={testId}>
      <figcaption id={`${id}-cap`}>{title}</figcaption>
      <Legend series={series} />
      <div role="img" aria-label={`${title}。${summaryOf(categories, series, format)}`}>
        {children}
      </div>
      <DataTable caption={title} categories={categories} series={series} format={format} />
    </figure>
  );
}

export function BarChart({ title, categories, series, format = defaultFormat, shortLabel = (c) => c, unit, horizontal }: AxisChartProps) {
  if (horizontal) return <HorizontalBars title={title} categories={categories} series={series} format={format} unit={unit} />;
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] || 1;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const band = iw / Math.max(categories.length, 1);
  const gap = band * 0.22;
  const bw = (band - gap) / Math.max(series.length, 1);
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const every = Math.ceil(categories.length / 12);
  return (
    <Frame title={title} categories={categories} series={series} format={format} testId="bar-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" aria-hidden focusable="false">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="tick">
              {format(t)}
            </text>
          </g>
        ))}
        {unit ? (
          <text x={4} y={PAD.top - 4} className="tick">
            {unit}
          </text>
        ) : null}
        {categories.map((c, i) => (
          <g key={c}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0;
              return (
                <rect key={s.label} className="bar" x={PAD.left + i * band + gap / 2 + j * bw} y={y(v)} width={Math.max(bw - 1, 1)} height={Math.max(y(0) - y(v), v > 0 ? 1 : 0)} fill={s.color ?? PALETTE[j % PALETTE.length]}>
                  <title>{`${c} ${s.label}：${format(v)}${unit ?? ''}`}</title>
                </rect>
              );
            })}
            {i % every === 0 ? (
              <text x={PAD.left + i * band + band / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">
                {shortLabel(c)}
              </text>
            ) : null}
          </g>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
      </svg>
    </Frame>
  );
}

function HorizontalBars({ title, categories, series, format, unit }: { title: string; categories: string[]; series: Series[]; format: (v: number) => string; unit?: string }) {
  const row = 26;
  const left = 210;
  const h = categories.length * row + 24;
  const s = series[0] ?? { label: '', values: [] };
  const max = Math.max(0, ...s.values);
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] || 1;
  const iw = W - left - 56;
  return (
    <Frame title={title} categories={categories} series={series} format={format} testId="bar-chart">
      <svg viewBox={`0 0 ${W} ${h}`} className="chart-svg" aria-hidden focusable="false">
        {categories.map((c, i) => {
          const v = s.values[i] ?? 0;
          const w = (v / top) * iw;
          return (
            <g key={c}>
              <text x={left - 8} y={i * row + 17} textAnchor="end" className="tick">
                {c.length > 14 ? `${c.slice(0, 13)}…` : c}
              </text>
              <rect className="bar" x={left} y={i * row + 5} width={Math.max(w, v > 0 ? 1 : 0)} height={row - 10} fill={s.color ?? PALETTE[0]}>
                <title>{`${c}：${format(v)}${unit ?? ''}`}</title>
              </rect>
              <text x={left + w + 6} y={i * row + 17} className="tick value">
                {format(v)}
              </text>
            </g>
          );
        })}
        <line x1={left} x2={left} y1={0} y2={categories.length * row} className="axis" />
      </svg>
    </Frame>
  );
}

export function LineChart({ title, categories, series, format = defaultFormat, shortLabel = (c) => c, unit }: AxisChartProps) {
  const values = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const ticks = niceTicks(Math.max(0, ...values));
  const top = ticks[ticks.length - 1] || 1;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const step = categories.length > 1 ? iw / (categories.length - 1) : 0;
  const x = (i: number) => PAD.left + (categories.length > 1 ? i * step : iw / 2);
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const every = Math.ceil(categories.length / 12);
  return (
    <Frame title={title} categories={categories} series={series} format={format} testId="line-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" aria-hidden focusable="false">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="tick">
              {format(t)}
            </text>
          </g>
        ))}
        {unit ? (
          <text x={4} y={PAD.top - 4} className="tick">
            {unit}
          </text>
        ) : null}
        {categories.map((c, i) =>
          i % every === 0 ? (
            <text key={c} x={x(i)} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">
              {shortLabel(c)}
            </text>
          ) : null,
        )}
        {series.map((s, j) => {
          const color = s.color ?? PALETTE[j % PALETTE.length];
          // Months without a value (NaN) break the line instead of dropping it to zero.
          const segments: string[] = [];
          let cur = '';
          s.values.forEach((v, i) => {
            if (!Number.isFinite(v)) {
              if (cur) segments.push(cur);
              cur = '';
              return;
            }
            cur += `${cur ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (cur) segments.push(cur);
          return (
            <g key={s.label}>
              {segments.map((d) => (
                <path key={d} d={d} fill="none" stroke={color} strokeWidth={2.5} />
              ))}
              {s.values.map((v, i) =>
                Number.isFinite(v) ? (
                  <circle key={categories[i]} className="dot" cx={x(i)} cy={y(v)} r={4} fill={color}>
                    <title>{`${categories[i]} ${s.label}：${format(v)}${unit ?? ''}`}</title>
                  </circle>
                ) : null,
              )}
            </g>
          );
        })}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
      </svg>
    </Frame>
  );
}

export function DonutChart({ title, slices, format = defaultFormat, centerLabel }: { title: string; slices: { label: string; value: number; color?: string }[]; format?: (v: number) => string; centerLabel?: string }) {
  const total = slices.reduce((s, x) => s + x.value, 0);
  const R = 80;
  const r = 50;
  const cx = 100;
  const cy = 100;
  let angle = -Math.PI / 2;
  const arcs = slices.map((s, i) => {
    const frac = total ? s.value / total : 0;
    const a0 = angle;
    const a1 = angle + frac * Math.PI * 2;
    angle = a1;
    const large = a1 - a0 > Math.PI ? 1 : 0;
    const p = (rad: number, a: number) => `${(cx + rad * Math.cos(a)).toFixed(2)},${(cy + rad * Math.sin(a)).toFixed(2)}`;
    // A full circle cannot be one arc: draw it as two halves.
    const d =
      frac >= 0.9999
        ? `M${p(R, a0)}A${R},${R} 0 1 1 ${p(R, a0 + Math.PI)}A${R},${R} 0 1 1 ${p(R, a0)}M${p(r, a0)}A${r},${r} 0 1 0 ${p(r, a0 + Math.PI)}A${r},${r} 0 1 0 ${p(r, a0)}Z`
        : `M${p(R, a0)}A${R},${R} 0 ${large} 1 ${p(R, a1)}L${p(r, a1)}A${r},${r} 0 ${large} 0 ${p(r, a0)}Z`;
    return { ...s, d, frac, color: s.color ?? PALETTE[i % PALETTE.length] };
  });
  const series: Series[] = [{ label: '数量', values: slices.map((s) => s.value) }];
  return (
    <Frame title={title} categories={slices.map((s) => s.label)} series={series} format={format} testId="donut-chart">
      <div className="donut">
        <svg viewBox="0 0 200 200" className="chart-svg donut-svg" aria-hidden focusable="false">
          {arcs.map((a) =>
            a.value > 0 ? (
              <path key={a.label} d={a.d} fill={a.color} className="slice" fillRule="evenodd">
                <title>{`${a.label}：${format(a.value)}（${(a.frac * 100).toFixed(1)}%）`}</title>
              </path>
            ) : null,
          )}
          <text x={cx} y={cy - 2} textAnchor="middle" className="donut-total">
            {format(total)}
          </text>
          <text x={cx} y={cy + 18} textAnchor="middle" className="tick">
            {centerLabel ?? '合计'}
          </text>
        </svg>
        <ul className="chart-legend vertical" aria-hidden>
          {arcs.map((a) => (
            <li key={a.label}>
              <span className="swatch" style={{ background: a.color }} />
              {a.label} <strong>{format(a.value)}</strong> <span className="muted">{(a.frac * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ul>
      </div>
    </Frame>
  );
}
