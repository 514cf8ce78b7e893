/** Certificate fingerprints in the `SHA256:<hex>` form the install line and CLI pin. */
import { createHash, X509Certificate } from 'node:crypto';

/** SHA-256 over the DER of a PEM certificate, as `SHA256:` + lower-case hex. */
export function certificateFingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return `SHA256:${createHash('sha256').update(der).digest('hex')}`;
}

/** Normalise a user-typed fingerprint (case, colons, optional prefix) for comparison. */
export function normaliseFingerprint(text: string): string {
  const hex = text
    .trim()
    .replace(/^sha256:/i, '')
    .replaceAll(':', '')
    .toLowerCase();
  return `SHA256:${hex}`;
}
