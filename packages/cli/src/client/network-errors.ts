/** Turn low-level connection failures into errors with stable codes and a hint a person can act on. */
import { VigilError } from '@vigil/protocol';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const TLS_HINTS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by the CA you trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by the CA you trust',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA you do not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presents a self-signed certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is not valid for this host name',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  CERT_SIGNATURE_FAILURE: 'its certificate signature is invalid',
};

function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: unknown[] } | null | undefined;
  if (typeof e?.code === 'string') return e.code;
  // Happy-eyeballs connects fail with an AggregateError holding one error per address.
  if (Array.isArray(e?.errors)) return codeOf(e.errors[0]);
  return undefined;
}

/** A VigilError for a failed request to `server`; unknown failures keep their message under E_UNREACHABLE. */
export function networkError(error: unknown, server: string): VigilError {
  if (error instanceof VigilError) return error;
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const code = codeOf(cause) ?? codeOf(error) ?? '';
  const tlsHint = TLS_HINTS[code];
  if (tlsHint || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT')) {
    const why = tlsHint ?? `the TLS handshake failed (${code})`;
    return new VigilError(
      'E_TLS',
      `refusing to talk to ${server}: ${why}. If the server's CA changed or you never pinned it, run vigil login --server ${server} --ca-fingerprint SHA256:… (or set VIGIL_CA_FINGERPRINT)`,
      { cause: error },
    );
  }
  if (UNREACHABLE.has(code)) {
    return new VigilError(
      'E_UNREACHABLE',
      `cannot reach the Vigil server at ${server} (${code}): is it running, and is the URL right?`,
      { cause: error },
    );
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new VigilError('E_UNREACHABLE', `the request to ${server} failed: ${message}`, { cause: error });
}
