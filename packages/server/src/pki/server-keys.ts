/**
 * The server's key material in its data directory, created on first start and reused after.
 * A file that exists but cannot be read or parsed stops the server with a message naming it:
 * silently regenerating would orphan every enrolled agent.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '@vigil/protocol';
import { type CertAndKey, createCa, createServerCertificate } from './certificates.js';
import { certificateFingerprint } from './fingerprint.js';

/** Everything the server needs to speak TLS and sign commands. */
export interface ServerKeys {
  ca: CertAndKey;
  caFingerprint: string;
  tls: CertAndKey;
  /** Ed25519 private key that signs every command sent to agents. */
  signingKey: KeyObject;
  /** Its public half, base64 of the raw 32 bytes (what agents pin). */
  signingPublicKey: string;
  /** Whether any of it was created in this call (first start). */
  created: boolean;
}

/** File names inside the data directory. */
export const KEY_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  tlsCert: 'server.crt',
  tlsKey: 'server.key',
  signingKey: 'signing.key',
} as const;

function readOrFail(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `cannot read ${path}: ${(error as Error).message}. Fix its permissions or restore it from a backup; Vigil will not replace it, because every enrolled agent trusts it.`,
      { cause: error },
    );
  }
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function checkedPrivateKey(path: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `the key file ${path} is corrupt (${(error as Error).message}). Restore it from a backup; Vigil will not replace it, because every enrolled agent trusts it.`,
      { cause: error },
    );
  }
}

function checkedCertificate(path: string, pem: string): void {
  try {
    certificateFingerprint(pem);
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `the certificate file ${path} is corrupt (${(error as Error).message}). Restore it from a backup.`,
      { cause: error },
    );
  }
}

/** Raw 32-byte Ed25519 public key, base64. */
export function rawEd25519PublicKey(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

/**
 * Load the keys from `dataDir`, creating what is missing. With user-supplied TLS files those
 * are used instead of the generated server certificate; the CA and signing key stay Vigil's.
 */
export async function loadOrCreateServerKeys(
  dataDir: string,
  options: { hosts: string[]; tlsCertFile?: string; tlsKeyFile?: string },
): Promise<ServerKeys> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let created = false;
  const path = (name: string) => join(dataDir, name);

  let ca: CertAndKey;
  if (existsSync(path(KEY_FILES.caCert)) || existsSync(path(KEY_FILES.caKey))) {
    ca = { certPem: readOrFail(path(KEY_FILES.caCert)), keyPem: readOrFail(path(KEY_FILES.caKey)) };
    checkedCertificate(path(KEY_FILES.caCert), ca.certPem);
    checkedPrivateKey(path(KEY_FILES.caKey), ca.keyPem);
  } else {
    ca = await createCa();
    writeFileSync(path(KEY_FILES.caCert), ca.certPem, { mode: 0o644 });
    writeSecret(path(KEY_FILES.caKey), ca.keyPem);
    created = true;
  }

  let tls: CertAndKey;
  if (options.tlsCertFile || options.tlsKeyFile) {
    if (!options.tlsCertFile || !options.tlsKeyFile) {
      throw new VigilError('E_CONFIG', '--tls-cert and --tls-key go together: give both or neither');
    }
    tls = { certPem: readOrFail(options.tlsCertFile), keyPem: readOrFail(options.tlsKeyFile) };
    checkedCertificate(options.tlsCertFile, tls.certPem);
    checkedPrivateKey(options.tlsKeyFile, tls.keyPem);
  } else if (existsSync(path(KEY_FILES.tlsCert)) || existsSync(path(KEY_FILES.tlsKey))) {
    tls = { certPem: readOrFail(path(KEY_FILES.tlsCert)), keyPem: readOrFail(path(KEY_FILES.tlsKey)) };
    checkedCertificate(path(KEY_FILES.tlsCert), tls.certPem);
    checkedPrivateKey(path(KEY_FILES.tlsKey), tls.keyPem);
  } else {
    tls = await createServerCertificate(ca, ['localhost', '127.0.0.1', '::1', ...options.hosts]);
    writeFileSync(path(KEY_FILES.tlsCert), tls.certPem, { mode: 0o644 });
    writeSecret(path(KEY_FILES.tlsKey), tls.keyPem);
    created = true;
  }

  let signingKey: KeyObject;
  if (existsSync(path(KEY_FILES.signingKey))) {
    signingKey = checkedPrivateKey(path(KEY_FILES.signingKey), readOrFail(path(KEY_FILES.signingKey)));
    if (signingKey.asymmetricKeyType !== 'ed25519') {
      throw new VigilError(
        'E_CONFIG',
        `the key file ${path(KEY_FILES.signingKey)} is not an Ed25519 key. Restore it from a backup.`,
      );
    }
  } else {
    signingKey = generateKeyPairSync('ed25519').privateKey;
    writeSecret(path(KEY_FILES.signingKey), signingKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    created = true;
  }

  return {
    ca,
    caFingerprint: certificateFingerprint(ca.certPem),
    tls,
    signingKey,
    signingPublicKey: rawEd25519PublicKey(signingKey),
    created,
  };
}
