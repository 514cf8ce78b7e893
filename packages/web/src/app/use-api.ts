/** Load JSON from the API into component state, with reload and optional bounded polling. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client.js';

/** What useApi hands back. */
export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * GET `path` (null: load nothing). With `refreshMs`, reload on that interval while the tab is
 * visible; the timer stops when the component unmounts or the path changes.
 */
export function useApi<T>(path: string | null, refreshMs?: number): ApiState<T> {
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

  return { data, error, loading, reload };
}
