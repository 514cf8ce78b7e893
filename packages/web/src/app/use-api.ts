/** Load JSON from the API into component state, with reload, live updates and bounded polling. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import { type ConsoleTopic, subscribeLive, useLiveConnected } from './live-events.js';

/** What useApi hands back. */
export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** How useApi keeps its data fresh. */
export interface UseApiOptions {
  /** Reload on this interval while the tab is visible; with `live`, only while the stream is down. */
  refreshMs?: number;
  /** Console event topics that make this data stale: an event of one reloads it at once. */
  live?: readonly ConsoleTopic[];
}

/** Polling while the event stream is down, for live data that names no interval of its own. */
export const LIVE_FALLBACK_MS = 15_000;
/** A burst of events (a fleet reconnecting) reloads at most once in this long. */
const LIVE_THROTTLE_MS = 1_000;

/**
 * GET `path` (null: load nothing). A number (or `refreshMs`) reloads on that interval while the
 * tab is visible. `live` topics reload as soon as the console event stream reports a change of
 * them, and poll only while the stream is down. Timers and subscriptions end when the component
 * unmounts or the path changes.
 */
export function useApi<T>(path: string | null, refresh?: number | UseApiOptions): ApiState<T> {
  const options = typeof refresh === 'number' ? { refreshMs: refresh } : (refresh ?? {});
  const liveKey = options.live?.join(',') ?? '';
  const streaming = useLiveConnected();
  const refreshMs = liveKey
    ? streaming
      ? undefined
      : (options.refreshMs ?? LIVE_FALLBACK_MS)
    : options.refreshMs;
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger.
  useEffect(() => {
    if (path === null) {
      setData(undefined);
      setLoading(false);
      return;
    }
    const mine = ++generation.current;
    setLoading(true);
    api<T>('GET', path).then(
      (d) => {
        if (generation.current !== mine) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (generation.current !== mine) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'E_INTERNAL', String(e)));
        setLoading(false);
      },
    );
  }, [path, tick]);

  useEffect(() => {
    if (!refreshMs || path === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [path, refreshMs, reload]);

  useEffect(() => {
    if (!liveKey || path === null) return;
    let last = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const off = subscribeLive(liveKey.split(',') as ConsoleTopic[], () => {
      const wait = last + LIVE_THROTTLE_MS - Date.now();
      if (wait <= 0) {
        last = Date.now();
        reload();
      } else
        pending ??= setTimeout(() => {
          pending = undefined;
          last = Date.now();
          reload();
        }, wait);
    });
    return () => {
      off();
      clearTimeout(pending);
    };
  }, [liveKey, path, reload]);

  return { data, error, loading, reload };
}
