/** CA certificate fingerprints (`SHA256:<hex>` over the DER) and their constant-time comparison. */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { VigilError } from '@vigil/protocol';

const PIN = /^SHA256:[0-9a-f]{64}$/;

/** SHA-256 over the DER of a PEM certificate, as `SHA256:` + lower-case hex (the server's format). */
export function certificateFingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return `SHA256:${createHash('sha256').update(der).digest('hex')}`;
}

/** A user-typed fingerprint (any case, colons, optional `SHA256:` prefix) in canonical form, or E_VALIDATION. */
export function parseFingerprint(text: string): string {
  const canonical = `SHA256:${text
    .trim()
    .replace(/^sha256:/i, '')
    .replaceAll(':', '')
    .toLowerCase()}`;
  if (!PIN.test(canonical)) {
    throw new VigilError(
      'E_VALIDATION',
      `'${text}' is not a CA fingerprint: expected SHA256: followed by 64 hex digits, as the server banner prints it`,
    );
  }
  return canonical;
}

/** Whether two fingerprints name the same certificate, compared in constant time. */
export function fingerprintsMatch(actual: string, pinned: string): boolean {
  const a = Buffer.from(parseFingerprint(actual));
  const b = Buffer.from(parseFingerprint(pinned));
  return a.length === b.length && timingSafeEqual(a, b);
}
