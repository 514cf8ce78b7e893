/** Loading, error and "not available yet" notices, each announced to screen readers. */
import type { ApiError } from '../api/client.js';

/** A polite loading line. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" aria-live="polite">
      {what}…
    </p>
  );
}

/** The server's error message with its stable code; nothing when there is no error. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  const hint =
    error.code === 'E_CSRF' ? ' This tab has no change token: log out and in again to make changes.' : '';
  return (
    <p className="error" role="alert">
      <strong>{error.code}</strong>: {error.message}
      {hint}
    </p>
  );
}

/** Say plainly that a feature's API does not exist on this server yet, instead of showing made-up data. */
export function NotAvailable({ feature, detail }: { feature: string; detail?: string }) {
  return (
    <div className="not-available" role="note">
      <strong>{feature}: not available yet.</strong>{' '}
      {detail ?? 'This server does not offer the API for it yet; it appears here once it does.'}
    </div>
  );
}

/** True when an API error means the route does not exist on this server (the feature has not landed). */
export function isMissingRoute(error: ApiError | undefined): boolean {
  return error?.code === 'E_ROUTE_NOT_FOUND';
}
