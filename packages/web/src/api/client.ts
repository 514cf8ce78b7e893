/**
 * The one way the console talks to the API: same-origin fetch with the session cookie, JSON in
 * and out, the CSRF header on every change, and errors as ApiError with the server's stable code.
 */
import { csrfToken } from './csrf.js';

/** An error answer from the API (`{ error: { code, message } }`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const unauthenticatedListeners = new Set<() => void>();

/** Be told when the server says the session is gone, so the app can show the login page. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

async function errorFrom(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code)
      return new ApiError(res.status, body.error.code, body.error.message ?? res.statusText);
  } catch {
    // Not JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(res.status, 'E_HTTP', `${res.status} ${res.statusText}`);
}

/** Call the API; resolves with the parsed JSON body, rejects with ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (UNSAFE.has(method) && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new ApiError(0, 'E_UNREACHABLE', `the server did not answer (${(e as Error).message})`);
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    if (err.code === 'E_UNAUTHENTICATED') for (const l of unauthenticatedListeners) l();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Build a query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
