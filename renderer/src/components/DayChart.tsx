// Close price (line) and trade count (bars) per day, so a gap or a bad day shows at a glance.
import type { DayPoint } from '../../../shared/api.js';
import { chartModel } from '../logic/chart.js';
import { formatCount } from '../logic/format.js';

export function DayChart({ points, start, end }: { points: DayPoint[]; start?: string | null; end?: string | null }) {
  const m = chartModel(points, { start, end });
  const labelEvery = Math.max(1, Math.ceil(m.days.length / 10));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${m.width} ${m.height}`} role="img" aria-label="Trades and close price per day" width="100%" preserveAspectRatio="xMidYMid meet">
        {m.tradeTicks.map((t, i) => (
          <g key={`t${i}`}>
            <line x1={m.plot.left} x2={m.plot.right} y1={t.y} y2={t.y} className="grid" />
            <text x={m.plot.left - 6} y={t.y + 4} className="tick tick-trades" textAnchor="end">{t.label}</text>
          </g>
        ))}
        {m.priceTicks.map((t, i) => (
          <text key={`p${i}`} x={m.plot.right + 6} y={t.y + 4} className="tick tick-price">{t.label}</text>
        ))}
        {m.days.map((d, i) => (
          <g key={d.day}>
            {d.gap ? (
              <rect x={d.x + d.width * 0.15} y={m.plot.top} width={d.width * 0.7} height={m.plot.bottom - m.plot.top} className="gap">
                <title>{d.day}: no trades</title>
              </rect>
            ) : (
              <rect x={d.x + d.width * 0.15} y={d.barY} width={d.width * 0.7} height={Math.max(1, d.barH)} className="bar-trades">
                <title>{`${d.day}: ${formatCount(d.trades)} trades${d.close !== null ? `, close ${d.close}` : ''}`}</title>
              </rect>
            )}
            {i % labelEvery === 0 && (
              <text x={d.x + d.width / 2} y={m.height - 8} className="tick" textAnchor="middle">{d.day.slice(5)}</text>
            )}
          </g>
        ))}
        <path d={m.closePath} className="line-close" fill="none" />
        {m.days.filter((d) => d.closeY !== null).map((d) => (
          <circle key={`c${d.day}`} cx={d.x + d.width / 2} cy={d.closeY!} r={3} className="dot-close" />
        ))}
      </svg>
      <figcaption className="legend">
        <span><i className="key key-trades" /> Trades per day (left axis)</span>
        <span><i className="key key-close" /> Close price (right axis)</span>
        <span><i className="key key-gap" /> No data</span>
      </figcaption>
    </figure>
  );
}
