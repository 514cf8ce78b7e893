/**
 * Live host metrics of one device: the last ten minutes from the metrics API, then one point a
 * second from its SSE stream (opening the stream is what asks the agent to sample every second).
 * When the server has no metrics API yet, the panel says so instead of drawing anything.
 */
import type { MetricsSeriesResponseT, MetricsStreamEventT } from '@vigil/protocol';
import { type ReactNode, useEffect, useState } from 'react';
import { qs } from '../../../api/client.js';
import { useApi } from '../../../app/use-api.js';
import { ErrorNote, isMissingRoute, Loading, NotAvailable } from '../../../components/notice.js';
import { Panel } from '../../../components/panel.js';
import { MetricsChart } from './metrics-chart.js';
import { appendSample, type ChartColumns, columnsFromSeries, emptyColumns } from './metrics-series.js';

const WINDOW_MS = 10 * 60 * 1000;

function LiveMetrics({ deviceId, initial }: { deviceId: string; initial: ChartColumns }) {
  const [data, setData] = useState(initial);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const es = new EventSource(`/api/v1/devices/${encodeURIComponent(deviceId)}/metrics/stream`);
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    // `hello` carries the newest stored sample, so the chart has a point at once.
    es.addEventListener('hello', (e) => {
      const hello = JSON.parse((e as MessageEvent<string>).data) as {
        latest: MetricsStreamEventT['sample'] | null;
      };
      if (hello.latest) {
        const latest = hello.latest;
        setData((d) => appendSample(d, latest));
      }
    });
    es.addEventListener('sample', (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as MetricsStreamEventT;
      setData((d) => appendSample(d, event.sample));
    });
    return () => es.close();
  }, [deviceId]);
  const i = data.t.length - 1;
  const fmt = (v: number | null | undefined, digits = 1) =>
    v === null || v === undefined ? '—' : v.toFixed(digits);
  return (
    <>
      <p className="muted small">
        {connected ? 'Live: one sample a second while this page is open.' : 'Connecting to the live stream…'}{' '}
        Latest: CPU {fmt(data.cpu[i])} %, memory {fmt(data.mem[i])} %, load {fmt(data.load[i], 2)}.
      </p>
      <MetricsChart data={data} />
    </>
  );
}

export function MetricsPanel({ deviceId }: { deviceId: string }) {
  // Fixed at mount so the history request is made once; the stream carries on from there.
  const [range] = useState(() => ({
    from: new Date(Date.now() - WINDOW_MS).toISOString(),
    to: new Date().toISOString(),
  }));
  const history = useApi<MetricsSeriesResponseT>(
    `/api/v1/devices/${encodeURIComponent(deviceId)}/metrics${qs({ ...range, step: 1, series: 'cpu,mem.pct,load.1' })}`,
  );
  let body: ReactNode;
  if (isMissingRoute(history.error))
    body = (
      <NotAvailable
        feature="Host metrics"
        detail="This server has no metrics API yet, so no chart is drawn."
      />
    );
  else if (history.error) body = <ErrorNote error={history.error} />;
  else if (!history.data) body = <Loading what="Loading metrics" />;
  else
    body = (
      <LiveMetrics
        deviceId={deviceId}
        initial={history.data ? columnsFromSeries(history.data) : emptyColumns()}
      />
    );
  return <Panel title="Live metrics">{body}</Panel>;
}
