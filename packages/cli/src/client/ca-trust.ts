/**
 * Establishing trust in a server's CA: fetch `/api/v1/ca.pem` once without verification, and
 * accept it only if its fingerprint equals the pin the user got from the server's operator
 * (or, explicitly, on first use). Every later request verifies TLS against that CA.
 */
import { X509Certificate } from 'node:crypto';
import { VigilError } from '@vigil/protocol';
import { ApiClient } from './api-client.js';
import { certificateFingerprint, fingerprintsMatch, parseFingerprint } from './fingerprint.js';

/** A CA certificate and its fingerprint. */
export interface TrustedCa {
  pem: string;
  fingerprint: string;
}

/** How to decide whether to trust the CA a server presents. */
export interface TrustPolicy {
  /** The expected fingerprint (`SHA256:…`). */
  pin?: string | undefined;
  /** Accept an unpinned CA (the user saw and accepted the risk). */
  trustOnFirstUse?: boolean | undefined;
}

/** Fetch the server's CA certificate without verifying TLS; the caller must check its fingerprint. */
export async function fetchCaCertificate(server: string): Promise<TrustedCa> {
  const client = new ApiClient({ server, insecureSkipVerify: true });
  try {
    const pem = await client.get<unknown>('/api/v1/ca.pem');
    if (typeof pem !== 'string' || !pem.includes('BEGIN CERTIFICATE')) {
      throw new VigilError(
        'E_TLS',
        `${server}/api/v1/ca.pem did not return a certificate: is this a Vigil server?`,
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (error) {
      throw new VigilError(
        'E_TLS',
        `${server}/api/v1/ca.pem is not a valid certificate (${(error as Error).message})`,
      );
    }
    if (!cert.ca) throw new VigilError('E_TLS', `${server}/api/v1/ca.pem is not a CA certificate`);
    return { pem, fingerprint: certificateFingerprint(pem) };
  } finally {
    await client.close();
  }
}

/** Fetch the server's CA and check it against the policy; throws E_CA_MISMATCH or E_CA_NOT_PINNED. */
export async function establishTrust(server: string, policy: TrustPolicy): Promise<TrustedCa> {
  // A malformed pin is refused before any connection is made.
  const pin = policy.pin === undefined ? undefined : parseFingerprint(policy.pin);
  const ca = await fetchCaCertificate(server);
  if (pin !== undefined) {
    if (!fingerprintsMatch(ca.fingerprint, pin)) {
      throw new VigilError(
        'E_CA_MISMATCH',
        `the CA of ${server} has fingerprint ${ca.fingerprint}, not the ${pin} you gave. Nothing was stored. Someone may be intercepting the connection, or the pin is for another server: check it with the server's operator.`,
      );
    }
    return ca;
  }
  if (!policy.trustOnFirstUse) {
    throw new VigilError(
      'E_CA_NOT_PINNED',
      `the CA of ${server} has fingerprint ${ca.fingerprint}. Compare it with the fingerprint the server printed when it started, then run again with --ca-fingerprint ${ca.fingerprint} (or accept it unchecked with --insecure-trust-on-first-use).`,
    );
  }
  return ca;
}
