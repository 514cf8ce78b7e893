/** Run a state-changing API call from a button or form: pending flag, error, last result. */
import { useCallback, useState } from 'react';
import { ApiError } from '../api/client.js';

/** What useAction hands back. */
export interface ActionState<A extends unknown[], R> {
  run(...args: A): Promise<R | undefined>;
  pending: boolean;
  error: ApiError | undefined;
  result: R | undefined;
  reset(): void;
}

/** Wrap `fn` so the UI can show progress and the server's error message. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): ActionState<A, R> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<R>();
  const run = useCallback(
    async (...args: A) => {
      setPending(true);
      setError(undefined);
      try {
        const r = await fn(...args);
        setResult(r);
        return r;
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'E_INTERNAL', String(e)));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [fn],
  );
  const reset = useCallback(() => {
    setError(undefined);
    setResult(undefined);
  }, []);
  return { run, pending, error, result, reset };
}
