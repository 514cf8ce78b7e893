/**
 * GET /agent/v1/software/<sha256> on SQLite and PostgreSQL, with raw agents holding real keys: a
 * signed request of a device with a sent software.deploy command gets the exact bytes (and the
 * agent's own signer and verified download work against it); unsigned, wrong-key, replayed,
 * skewed, not-targeted, already-answered and unknown-hash requests are refused with stable codes.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadProofBytes, POLL_HEADERS, softwareDownloadPath } from '@vigil/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb } from '../../../../agent/src/actions/linux/test-support/deb-repo.js';
import { downloadVerified } from '../../../../agent/src/actions/linux/verified-download.js';
import { serverDownloads } from '../../../../agent/src/daemon/download-signer.js';
import type { AgentState } from '../../../../agent/src/daemon/identity.js';
import { certificateFingerprint } from '../../pki/fingerprint.js';
import { storeEngines } from '../../store/test-stores.js';
import {
  type ActionAgent,
  connectAgent,
  enrollAgents,
  nextAction,
  type ReceivedAction,
  sendResult,
  until,
} from '../../test-support/action-agents.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

let noDpkg = false;
try {
  execFileSync('dpkg-deb', ['--version'], { stdio: 'ignore' });
} catch {
  noDpkg = true;
  console.warn('dpkg-deb is not installed: the agent download route tests are SKIPPED');
}

describe.skipIf(noDpkg).each(engines)('agent software downloads on %s', (engine) => {
  let s: TestServer;
  let work: string;
  let deb: Buffer;
  let sha: string;
  let a: ActionAgent;
  let b: ActionAgent;
  let command: ReceivedAction;
  let leaf: string;

  /** A download request as an agent makes it; every part of the proof can be spoiled. */
  const download = async (
    agent: ActionAgent,
    file: string,
    spoil: { key?: KeyObject; signedSha?: string; nonce?: string; time?: number; headers?: boolean } = {},
  ) => {
    const time = spoil.time ?? Date.now();
    const nonce = spoil.nonce ?? randomBytes(16).toString('hex');
    const signature = sign(
      null,
      downloadProofBytes(agent.agent.id, time, nonce, spoil.signedSha ?? file, leaf),
      spoil.key ?? agent.agent.privateKey,
    ).toString('base64');
    const res = await request(`${s.url}${softwareDownloadPath(file)}`, {
      dispatcher: s.dispatcher,
      headers:
        spoil.headers === false
          ? {}
          : {
              [POLL_HEADERS.agent]: agent.agent.id,
              [POLL_HEADERS.time]: String(time),
              [POLL_HEADERS.nonce]: nonce,
              [POLL_HEADERS.signature]: signature,
            },
    });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const json = res.headers['content-type']?.toString().startsWith('application/json')
      ? JSON.parse(bytes.toString('utf8'))
      : undefined;
    return {
      status: res.statusCode,
      headers: res.headers,
      bytes,
      code: json?.error?.code as string | undefined,
    };
  };

  beforeAll(async () => {
    s = await startTestServer(engine);
    leaf = certificateFingerprint(s.vigil.services.keys.tls.certPem);
    work = mkdtempSync(join(tmpdir(), 'vigil-agent-download-'));
    deb = readFileSync(buildDeb(work, { name: 'vigil-download-test', version: '1.0' }));
    sha = createHash('sha256').update(deb).digest('hex');
    const up = await s.call('POST', '/api/v1/software', {
      token: s.adminToken,
      rawBody: deb,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    await s.call('PUT', '/api/v1/actions/settings', {
      token: s.adminToken,
      body: { require_approval: false },
    });
    const [ra, rb] = await enrollAgents(s, ['dl-a', 'dl-b']);
    a = await connectAgent(s, ra!);
    b = await connectAgent(s, rb!);
    const run = await s.call('POST', '/api/v1/actions', {
      token: s.adminToken,
      body: {
        action: 'software.deploy',
        params: { package: up.body.id },
        targets: { devices: [a.agent.id] },
      },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    command = await nextAction(s, a);
  }, 60_000);
  afterAll(async () => {
    a?.session.ws.close();
    b?.session.ws.close();
    await s?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the signed command names the library path and SHA-256; a signed request gets exactly those bytes', async () => {
    expect(command.body.params).toMatchObject({ url: softwareDownloadPath(sha), sha256: sha });
    const res = await download(a, sha);
    expect(res.status, res.bytes.toString()).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(Number(res.headers['content-length'])).toBe(deb.length);
    expect(res.bytes.equals(deb)).toBe(true);
    const trail = (
      await s.call(
        'GET',
        `/api/v1/audit?action=software.download&actor=${encodeURIComponent(`agent:${a.agent.id}`)}`,
        {
          token: s.adminToken,
        },
      )
    ).body.items;
    expect(trail[0]).toMatchObject({
      outcome: 'success',
      actor_name: 'dl-a',
      detail: { sha256: sha, size: deb.length },
    });
  });

  it("works with the agent's own signer and verified download (library path resolved against its server)", async () => {
    const state = {
      server_url: s.url,
      agent_id: a.agent.id,
      ca_pem: s.vigil.services.keys.ca.certPem,
    } as AgentState;
    const dir = mkdtempSync(join(work, 'dl-'));
    const got = await downloadVerified({
      url: String(command.body.params.url),
      sha256: sha,
      dir,
      fileName: 'x.deb',
      caPem: state.ca_pem,
      server: serverDownloads(state, a.agent.privateKey),
      signal: AbortSignal.timeout(30_000),
    });
    expect(got.bytes).toBe(deb.length);
    expect(readFileSync(got.path).equals(deb)).toBe(true);
    // Another agent's key signs a proof the server does not accept: the download fails, nothing is left.
    const other = mkdtempSync(join(work, 'dl-'));
    const stranger = serverDownloads(state, generateKeyPairSync('ed25519').privateKey);
    await expect(
      downloadVerified({
        url: String(command.body.params.url),
        sha256: sha,
        dir: other,
        fileName: 'x.deb',
        caPem: state.ca_pem,
        server: stranger,
        signal: AbortSignal.timeout(30_000),
      }),
    ).rejects.toMatchObject({ code: 'E_ACTION_DOWNLOAD', message: expect.stringMatching(/HTTP 401/) });
    expect(readdirSync(other)).toEqual([]);
  });

  it('refuses unsigned, wrong-key, wrong-file, replayed and skewed requests', async () => {
    expect(await download(a, sha, { headers: false })).toMatchObject({
      status: 401,
      code: 'E_AGENT_UNKNOWN',
    });
    const stranger = generateKeyPairSync('ed25519').privateKey;
    expect(await download(a, sha, { key: stranger })).toMatchObject({
      status: 401,
      code: 'E_SIGNATURE_INVALID',
    });
    // A proof for one file does not fetch another.
    expect(await download(a, sha, { signedSha: 'e'.repeat(64) })).toMatchObject({
      status: 401,
      code: 'E_SIGNATURE_INVALID',
    });
    const nonce = randomBytes(16).toString('hex');
    expect((await download(a, sha, { nonce })).status).toBe(200);
    expect(await download(a, sha, { nonce })).toMatchObject({ status: 401, code: 'E_SIGNATURE_INVALID' });
    expect(await download(a, sha, { time: Date.now() - 10 * 60_000 })).toMatchObject({
      status: 400,
      code: 'E_CLOCK_SKEW',
    });
  });

  it('refuses a device without a command for the file, an unknown hash and anything but a hash', async () => {
    const notTargeted = await download(b, sha);
    expect(notTargeted).toMatchObject({ status: 403, code: 'E_SOFTWARE_NOT_TARGETED' });
    expect(notTargeted.bytes.includes(deb.subarray(0, 64))).toBe(false);
    expect(await download(a, 'f'.repeat(64))).toMatchObject({ status: 404, code: 'E_SOFTWARE_NOT_FOUND' });
    for (const path of ['..%2F..%2Fvigil.db', '..', sha.toUpperCase(), `${sha}x`]) {
      const res = await request(`${s.url}/agent/v1/software/${path}`, { dispatcher: s.dispatcher });
      const body = (await res.body.json()) as { error: { code: string } };
      expect(res.statusCode, path).not.toBe(200);
      expect(['E_VALIDATION', 'E_ROUTE_NOT_FOUND'], path).toContain(body.error.code);
    }
  });

  it('stops serving the file once the device reported its result', async () => {
    sendResult(a, command, 'failed');
    await until('the result is ingested', async () => {
      const run = (await s.call('GET', `/api/v1/actions/${command.body.run_id}`, { token: s.adminToken }))
        .body;
      return run.devices[0].status === 'failed';
    });
    expect(await download(a, sha)).toMatchObject({ status: 403, code: 'E_SOFTWARE_NOT_TARGETED' });
  });
});
