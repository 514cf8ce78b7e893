import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { VigilError } from '@vigil/protocol';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { resolveServerConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createCa, createServerCertificate } from './certificates.js';
import { certificateFingerprint } from './fingerprint.js';
import { KEY_FILES, loadOrCreateServerKeys } from './server-keys.js';

const HOSTS = { hosts: ['127.0.0.1'] };

/** The E_CONFIG error a key load fails with (fails the test when it succeeds). */
async function loadError(
  dir: string,
  options: Parameters<typeof loadOrCreateServerKeys>[1] = HOSTS,
): Promise<VigilError> {
  const error = await loadOrCreateServerKeys(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  expect((error as VigilError).code).toBe('E_CONFIG');
  return error as VigilError;
}

/** The certificate the server at `port` presents, verified against `ca`. */
function peerCertificate(port: number, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

describe('server keys in the data directory', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
    dirs.push(d);
    return d;
  };
  let seeded: string;
  let firstFingerprint: string;
  let firstSigning: string;
  beforeAll(async () => {
    seeded = freshDir();
    const first = await loadOrCreateServerKeys(seeded, HOSTS);
    expect(first.created).toBe(true);
    firstFingerprint = first.caFingerprint;
    firstSigning = first.signingPublicKey;
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates the CA, TLS pair and signing key on first start, keys readable by the owner only', () => {
    for (const name of Object.values(KEY_FILES)) expect(statSync(join(seeded, name)).isFile()).toBe(true);
    for (const name of [KEY_FILES.caKey, KEY_FILES.tlsKey, KEY_FILES.signingKey]) {
      expect(statSync(join(seeded, name)).mode & 0o777).toBe(0o600);
    }
    expect(firstFingerprint).toBe(
      certificateFingerprint(readFileSync(join(seeded, KEY_FILES.caCert), 'utf8')),
    );
    expect(Buffer.from(firstSigning, 'base64')).toHaveLength(32);
    const leaf = new X509Certificate(readFileSync(join(seeded, KEY_FILES.tlsCert)));
    expect(leaf.verify(new X509Certificate(readFileSync(join(seeded, KEY_FILES.caCert))).publicKey)).toBe(
      true,
    );
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('reuses the same keys on the next load', async () => {
    const before = readFileSync(join(seeded, KEY_FILES.signingKey), 'utf8');
    const again = await loadOrCreateServerKeys(seeded, HOSTS);
    expect(again.created).toBe(false);
    expect(again.caFingerprint).toBe(firstFingerprint);
    expect(again.signingPublicKey).toBe(firstSigning);
    expect(readFileSync(join(seeded, KEY_FILES.signingKey), 'utf8')).toBe(before);
  });

  for (const name of [KEY_FILES.signingKey, KEY_FILES.caKey, KEY_FILES.tlsKey, KEY_FILES.caCert]) {
    it(`stops with E_CONFIG naming a corrupt ${name} and leaves it alone`, async () => {
      const dir = freshDir();
      await loadOrCreateServerKeys(dir, HOSTS);
      const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37, 0x42]);
      writeFileSync(join(dir, name), garbage);
      const error = await loadError(dir);
      expect(error.message).toContain(join(dir, name));
      expect(error.message).toMatch(/corrupt/);
      expect(readFileSync(join(dir, name))).toEqual(garbage);
    });
  }

  it('stops with E_CONFIG when a key file cannot be read (a directory in its place) and does not replace it', async () => {
    const dir = freshDir();
    await loadOrCreateServerKeys(dir, HOSTS);
    rmSync(join(dir, KEY_FILES.signingKey));
    mkdirSync(join(dir, KEY_FILES.signingKey));
    const error = await loadError(dir);
    expect(error.message).toContain(`cannot read ${join(dir, KEY_FILES.signingKey)}`);
    expect(statSync(join(dir, KEY_FILES.signingKey)).isDirectory()).toBe(true);
  });

  it('stops when the CA certificate exists but its key is missing, instead of making a new CA', async () => {
    const dir = freshDir();
    await loadOrCreateServerKeys(dir, HOSTS);
    const caCert = readFileSync(join(dir, KEY_FILES.caCert), 'utf8');
    rmSync(join(dir, KEY_FILES.caKey));
    const error = await loadError(dir);
    expect(error.message).toContain(join(dir, KEY_FILES.caKey));
    expect(readFileSync(join(dir, KEY_FILES.caCert), 'utf8')).toBe(caCert);
  });

  it('refuses a signing key that is not Ed25519', async () => {
    const dir = freshDir();
    await loadOrCreateServerKeys(dir, HOSTS);
    writeFileSync(join(dir, KEY_FILES.signingKey), readFileSync(join(dir, KEY_FILES.caKey)));
    const error = await loadError(dir);
    expect(error.message).toContain(`${join(dir, KEY_FILES.signingKey)} is not an Ed25519 key`);
  });

  it('refuses only one of --tls-cert and --tls-key', async () => {
    const dir = freshDir();
    const e1 = await loadError(dir, { hosts: [], tlsCertFile: join(dir, 'x.crt') });
    expect(e1.message).toContain('--tls-cert and --tls-key go together');
    const e2 = await loadError(dir, { hosts: [], tlsKeyFile: join(dir, 'x.key') });
    expect(e2.message).toContain('--tls-cert and --tls-key go together');
  });

  it('serves a user-supplied TLS certificate and keeps its own CA and signing key', async () => {
    const dir = freshDir();
    const userCa = await createCa('User CA');
    const userLeaf = await createServerCertificate(userCa, ['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'user.crt'), userLeaf.certPem);
    writeFileSync(join(dir, 'user.key'), userLeaf.keyPem, { mode: 0o600 });
    const config = resolveServerConfig({
      flags: {
        data: join(dir, 'data'),
        listen: '127.0.0.1:0',
        logLevel: 'silent',
        tlsCert: join(dir, 'user.crt'),
        tlsKey: join(dir, 'user.key'),
      },
      env: {},
    });
    const vigil = await buildApp({ config, logger: createLogger('silent') });
    try {
      await vigil.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (vigil.app.server.address() as { port: number }).port;
      const peer = await peerCertificate(port, userCa.certPem);
      expect(peer.fingerprint256).toBe(new X509Certificate(userLeaf.certPem).fingerprint256);
      // The user certificate replaces only the served one: Vigil's own CA and signing key exist.
      expect(vigil.services.keys.caFingerprint).not.toBe(certificateFingerprint(userCa.certPem));
      expect(statSync(join(dir, 'data', KEY_FILES.signingKey)).isFile()).toBe(true);
    } finally {
      await vigil.close();
    }
  });

  it('keeps the same CA across a restart on the same data directory', async () => {
    const dir = freshDir();
    const config = resolveServerConfig({
      flags: { data: dir, listen: '127.0.0.1:0', logLevel: 'silent' },
      env: {},
    });
    const info = async () => {
      const vigil = await buildApp({ config, logger: createLogger('silent') });
      try {
        await vigil.app.listen({ host: '127.0.0.1', port: 0 });
        const port = (vigil.app.server.address() as { port: number }).port;
        const dispatcher = new Agent({ connect: { ca: readFileSync(join(dir, KEY_FILES.caCert), 'utf8') } });
        const res = await request(`https://127.0.0.1:${port}/api/v1/server-info`, { dispatcher });
        const body = (await res.body.json()) as { ca_fingerprint: string; signing_public_key: string };
        await dispatcher.close();
        return body;
      } finally {
        await vigil.close();
      }
    };
    const first = await info();
    const second = await info();
    expect(first.ca_fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    expect(second.ca_fingerprint).toBe(first.ca_fingerprint);
    expect(second.signing_public_key).toBe(first.signing_public_key);
  });
});
