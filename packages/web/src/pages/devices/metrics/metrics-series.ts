/** The points the live chart shows, kept column-wise as uPlot wants them, bounded in length. */
import type { MetricSampleT, MetricsSeriesResponseT } from '@vigil/protocol';

/** Points kept: ten minutes at one sample a second. */
export const MAX_POINTS = 600;

/** Chart columns: time in seconds, CPU %, memory %, load (1 min). */
export interface ChartColumns {
  t: number[];
  cpu: Array<number | null>;
  mem: Array<number | null>;
  load: Array<number | null>;
}

/** Empty columns. */
export function emptyColumns(): ChartColumns {
  return { t: [], cpu: [], mem: [], load: [] };
}

/** Columns from a stored series answer (bucket means). */
export function columnsFromSeries(r: MetricsSeriesResponseT): ChartColumns {
  const pick = (key: string) => r.series[key]?.avg ?? r.t.map(() => null);
  return trim({
    t: r.t.map((ms) => ms / 1000),
    cpu: pick('cpu'),
    mem: pick('mem.pct'),
    load: pick('load.1'),
  });
}

/** Append one live sample (ignored when it is not newer than the last point). */
export function appendSample(c: ChartColumns, s: MetricSampleT): ChartColumns {
  const t = s.ts / 1000;
  const last = c.t.at(-1);
  if (last !== undefined && t <= last) return c;
  return trim({
    t: [...c.t, t],
    cpu: [...c.cpu, s.cpu?.pct ?? null],
    mem: [...c.mem, s.memory?.pct ?? null],
    load: [...c.load, s.load?.m1 ?? null],
  });
}

function trim(c: ChartColumns): ChartColumns {
  const drop = Math.max(0, c.t.length - MAX_POINTS);
  if (drop === 0) return c;
  return { t: c.t.slice(drop), cpu: c.cpu.slice(drop), mem: c.mem.slice(drop), load: c.load.slice(drop) };
}
