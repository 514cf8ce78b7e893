/**
 * Start a live query and follow its server-sent events (rows, per-device status, summary) until
 * the summary arrives; the stream is closed then or when the component unmounts.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.js';
import type { CampaignEvent, LiveQueryStarted, TargetsT } from '../../api/types.js';
import { applyCampaignEvent, type CampaignState, initialCampaign } from './campaign-state.js';

/** The body of POST /api/v1/queries/live. */
export interface LiveQueryRequest {
  sql: string;
  targets: TargetsT;
  timeout_s?: number;
}

export function useCampaign() {
  const [state, setState] = useState<CampaignState | null>(null);
  const [error, setError] = useState<ApiError>();
  const [starting, setStarting] = useState(false);
  const source = useRef<EventSource | null>(null);

  const stop = useCallback(() => {
    source.current?.close();
    source.current = null;
  }, []);
  useEffect(() => stop, [stop]);

  /** Follow a query that is already running (started here or by a saved query's "run"). */
  const follow = useCallback(
    (started: LiveQueryStarted) => {
      stop();
      setState(initialCampaign(started));
      const es = new EventSource(`/api/v1/queries/live/${encodeURIComponent(started.id)}/stream`);
      source.current = es;
      const on = (e: MessageEvent<string>) => {
        const event = JSON.parse(e.data) as CampaignEvent;
        setState((s) => (s ? applyCampaignEvent(s, event) : s));
        if (event.type === 'summary') es.close();
      };
      for (const type of ['rows', 'status', 'summary']) es.addEventListener(type, on as EventListener);
    },
    [stop],
  );

  const start = useCallback(
    async (req: LiveQueryRequest) => {
      setStarting(true);
      setError(undefined);
      try {
        follow(await api<LiveQueryStarted>('POST', '/api/v1/queries/live', req));
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'E_INTERNAL', String(e)));
      } finally {
        setStarting(false);
      }
    },
    [follow],
  );

  return { state, error, starting, start, follow };
}
