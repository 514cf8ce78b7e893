/** A uPlot line chart of CPU and memory percent (left axis) and load (right axis). */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartColumns } from './metrics-series.js';

function options(width: number): uPlot.Options {
  return {
    width,
    height: 220,
    scales: { pct: { range: [0, 100] }, load: { auto: true } },
    axes: [
      {},
      { scale: 'pct', label: '%', values: (_u, v) => v.map((x) => `${x}`) },
      { scale: 'load', side: 1, label: 'load', grid: { show: false } },
    ],
    series: [
      {},
      { label: 'CPU %', scale: 'pct', stroke: '#c0392b', width: 2 },
      { label: 'Memory %', scale: 'pct', stroke: '#2471a3', width: 2 },
      { label: 'Load 1 min', scale: 'load', stroke: '#7d6608', width: 1, dash: [4, 4] },
    ],
  };
}

export function MetricsChart({ data }: { data: ChartColumns }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(Math.max(320, el.clientWidth)), [[], [], [], []], el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(320, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([data.t, data.cpu, data.mem, data.load] as uPlot.AlignedData);
  }, [data]);

  return <div ref={box} className="chart" data-testid="metrics-chart" data-points={data.t.length} />;
}
