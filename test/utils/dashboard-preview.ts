import { Dashboard, DashboardPanel } from './observability';

/** One line of a panel: its legend and its points (unix seconds, value). */
export interface PreviewSeries {
  legend: string;
  points: [number, number][];
}

interface PanelDefaults {
  unit?: string;
  min?: number;
  max?: number;
  mappings?: { options: Record<string, { text: string; color: string }> }[];
}

const COLORS = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
];
const ROW_PX = 30;
const GAP_PX = 6;
/** The page is drawn at this width; charts are sized in pixels so their text is never stretched. */
export const PREVIEW_WIDTH = 1280;
const COLUMN_PX = (PREVIEW_WIDTH - 24 - 23 * GAP_PX) / 24;
const MARGIN = { left: 64, right: 14, top: 8, bottom: 20 };

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function format(value: number, unit: string | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'percentunit':
      return `${(value * 100).toFixed(0)}%`;
    case 's':
      return value < 1 ? `${(value * 1000).toPrecision(3)} ms` : `${value.toPrecision(3)} s`;
    case 'bytes':
      return `${(value / 1024 / 1024).toFixed(0)} MiB`;
    case 'reqps':
    case 'ops':
      return `${value.toPrecision(3)}/s`;
    default:
      return Number.isInteger(value) ? String(value) : value.toPrecision(3);
  }
}

function defaults(panel: DashboardPanel): PanelDefaults {
  return (
    (panel as DashboardPanel & { fieldConfig?: { defaults?: PanelDefaults } }).fieldConfig?.defaults ?? {}
  );
}

function timeseries(panel: DashboardPanel, series: PreviewSeries[]): string {
  const { w: columns, h: rows } = panel.gridPos;
  const width = Math.floor(columns * COLUMN_PX + (columns - 1) * GAP_PX - 14);
  const height = rows * ROW_PX + (rows - 1) * GAP_PX - 14 - 22 - 36;
  const { unit, min, max } = defaults(panel);
  const points = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  if (points.length === 0) return '<div class="empty">No data</div>';
  const times = points.map(([t]) => t);
  const values = points.map(([, v]) => v);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const lo = min ?? Math.min(0, ...values);
  const hi = max ?? (Math.max(...values) === lo ? lo + 1 : Math.max(...values) * 1.1);
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * w);
  const y = (v: number): number => MARGIN.top + h - ((v - lo) / (hi - lo)) * h;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = lo + f * (hi - lo);
      return `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y(v)}" y2="${y(v)}" class="grid"/>
        <text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end">${escape(format(v, unit))}</text>`;
    })
    .join('');
  const ticks = (['start', 'middle', 'end'] as const)
    .map((anchor, i) => {
      const t = t0 + (i / 2) * (t1 - t0);
      const label = new Date(t * 1000).toISOString().slice(11, 19);
      return `<text x="${x(t)}" y="${height - 4}" text-anchor="${anchor}">${label}</text>`;
    })
    .join('');
  const lines = series
    .map((s, i) => {
      const path = s.points
        .filter(([, v]) => Number.isFinite(v))
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      return `<polyline points="${path}" stroke="${COLORS[i % COLORS.length]}" />`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escape(s.legend)}</span>`)
    .join('');
  return `<svg width="${width}" height="${height}">${grid}${ticks}${lines}</svg>
    <div class="legend">${legend}</div>`;
}

function stat(panel: DashboardPanel, series: PreviewSeries[]): string {
  const mapping = defaults(panel).mappings?.[0]?.options ?? {};
  return `<div class="stats">${series
    .map((s) => {
      const last = s.points.at(-1)?.[1];
      const mapped = last === undefined ? undefined : mapping[String(last)];
      const color = mapped?.color === 'green' ? '#299c46' : mapped?.color === 'red' ? '#d44a3a' : '#555';
      return `<div class="stat" style="background:${color}"><small>${escape(s.legend)}</small>${escape(
        mapped?.text ?? (last === undefined ? 'No data' : format(last, defaults(panel).unit)),
      )}</div>`;
    })
    .join('')}</div>`;
}

/**
 * A static HTML picture of the Grafana dashboard: its panels on its own 24-column grid, each
 * drawn from what Prometheus answered to that panel's queries. Grafana cannot be installed
 * here, so this stands in for it; the README says so next to the picture.
 */
export function renderDashboardPreview(
  dashboard: Dashboard,
  seriesByPanel: ReadonlyMap<number, PreviewSeries[]>,
  caption: string,
): string {
  const panels = dashboard.panels
    .map((panel) => {
      const { x, y, w, h } = panel.gridPos;
      const series = seriesByPanel.get(panel.id) ?? [];
      const body = panel.type === 'stat' ? stat(panel, series) : timeseries(panel, series);
      return `<section style="grid-column:${x + 1} / span ${w};grid-row:${y + 1} / span ${h}">
        <h2>${escape(panel.title)}</h2>${body}</section>`;
    })
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;padding:12px;width:${PREVIEW_WIDTH - 24}px;background:#111217;color:#ccccdc;font:13px sans-serif}
    header{display:flex;justify-content:space-between;margin-bottom:8px}
    header h1{font-size:18px;margin:0;color:#fff} header p{margin:0;color:#8e8e9a}
    main{display:grid;grid-template-columns:repeat(24,${COLUMN_PX}px);grid-auto-rows:${ROW_PX}px;gap:${GAP_PX}px}
    section{background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px;display:flex;flex-direction:column;overflow:hidden}
    h2{font-size:13px;line-height:18px;margin:0 0 4px;color:#fff}
    svg{flex:none} polyline{fill:none;stroke-width:2}
    .grid{stroke:#2c3235} svg text{fill:#8e8e9a;font-size:11px}
    .legend{display:flex;flex-wrap:wrap;gap:2px 10px;font-size:11px;height:34px;overflow:hidden;margin-top:2px}
    .legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
    .stats{flex:1;display:flex;gap:6px} .stat{flex:1;display:flex;flex-direction:column;justify-content:center;align-items:center;color:#fff;font-size:28px;border-radius:3px}
    .stat small{font-size:12px} .empty{flex:1;display:flex;align-items:center;justify-content:center;color:#8e8e9a}
  </style></head><body><header><h1>${escape(dashboard.title)}</h1><p>${escape(caption)}</p></header>
  <main>${panels}</main></body></html>`;
}
