/**
 * The software library through the real API on SQLite and PostgreSQL: streamed uploads of real
 * .deb files (built with dpkg-deb) named by their SHA-256 on disk, duplicates, the size limit, bad
 * types and metadata, list/get/delete with roles and tenants, deletion refused while a deploy run
 * uses the package, software.deploy runs naming `package`, and the audit trail.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb } from '../../../../agent/src/actions/linux/test-support/deb-repo.js';
import { storeEngines } from '../../store/test-stores.js';
import { enrollAgents } from '../../test-support/action-agents.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const NO_DPKG = !hasProgram('dpkg-deb');
if (NO_DPKG) console.warn('dpkg-deb is not installed: the software library API tests are SKIPPED');
const HAS_RPM = hasProgram('rpm');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/**
 * Bytes that start like an .rpm (the lead magic) but are no real package; 1.5 MiB, above the
 * server's 1 MiB limit for JSON bodies, so the upload proves that limit does not apply to packages.
 */
const fakeRpm = Buffer.concat([Buffer.from([0xed, 0xab, 0xee, 0xdb, 3, 0]), Buffer.alloc(1536 * 1024, 7)]);

describe.skipIf(NO_DPKG).each(engines)('software library on %s', (engine) => {
  let s: TestServer;
  let work: string;
  let deb: Buffer;
  let debSha: string;
  let debId = '';
  let deviceId = '';
  const tokens = { viewer: '', analyst: '', admin: '', admin2: '', otherTenant: '' };
  const pkgName = `vigil-lib-${engine}`;

  const upload = (
    body: Buffer | string,
    query = '',
    token = tokens.admin,
    type = 'application/octet-stream',
  ) =>
    s.call('POST', `/api/v1/software${query}`, {
      token,
      rawBody: body,
      headers: { 'content-type': type },
    });
  const audit = async (action: string) =>
    (
      await s.call('GET', `/api/v1/audit?action=${encodeURIComponent(action)}&limit=100`, {
        token: tokens.admin,
      })
    ).body.items as Array<{
      action: string;
      outcome: string;
      target: string;
      detail: any;
      actor_name: string;
    }>;
  const incoming = () => readdirSync(join(s.dataDir, 'software', '.incoming'));

  beforeAll(async () => {
    s = await startTestServer(engine, { flags: { softwareMaxSize: '2' } });
    work = mkdtempSync(join(tmpdir(), 'vigil-software-test-'));
    deb = readFileSync(buildDeb(work, { name: pkgName, version: '1:2.5-1' }));
    debSha = sha256(deb);
    tokens.admin = s.adminToken;
    tokens.admin2 = await s.tokenFor('admin', 'second-admin@example.test');
    tokens.analyst = await s.tokenFor('analyst');
    tokens.viewer = await s.tokenFor('viewer');
    tokens.otherTenant = (await s.otherAccount()).adminToken;
    [deviceId] = (await enrollAgents(s, ['lib-host'])).map((a) => a.id) as [string];
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('stores an uploaded .deb under its SHA-256 with name, version and arch read from the package', async () => {
    const res = await upload(deb, '?filename=../../etc/passwd');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      sha256: debSha,
      kind: 'deb',
      name: pkgName,
      version: '1:2.5-1',
      arch: 'all',
      filename: `${pkgName}_2.5-1_all.deb`,
      original_filename: '../../etc/passwd',
      size: deb.length,
      uploaded_by: { name: 'admin@example.test' },
      duplicate: false,
    });
    debId = res.body.id;
    // The bytes are on disk under their hash and nowhere else; the client's name played no part.
    expect(readFileSync(join(s.dataDir, 'software', debSha))).toEqual(deb);
    expect(readdirSync(join(s.dataDir, 'software')).sort()).toEqual(['.incoming', debSha]);
    expect(incoming()).toEqual([]);
    const trail = await audit('software.upload');
    expect(trail[0]).toMatchObject({
      outcome: 'success',
      target: `software:${debId}`,
      detail: { sha256: debSha, name: pkgName, duplicate: false },
    });
  });

  it('answers the same package for the same bytes uploaded again (streamed without a length), restoring lost bytes', async () => {
    rmSync(join(s.dataDir, 'software', debSha));
    const res = await s.call('POST', '/api/v1/software', {
      token: tokens.admin,
      headers: { 'content-type': 'application/vnd.debian.binary-package' },
    });
    expect(res.status).toBe(415);
    const chunked = await request(`${s.url}/api/v1/software`, {
      method: 'POST',
      dispatcher: s.dispatcher,
      headers: {
        authorization: `Bearer ${tokens.admin}`,
        'content-type': 'application/vnd.debian.binary-package',
      },
      body: Readable.from([deb.subarray(0, 100), deb.subarray(100)]),
    });
    const again = (await chunked.body.json()) as any;
    expect(chunked.statusCode).toBe(200);
    expect(again).toMatchObject({ id: debId, sha256: debSha, duplicate: true });
    expect(readFileSync(join(s.dataDir, 'software', debSha))).toEqual(deb);
    const list = await s.call('GET', '/api/v1/software', { token: tokens.admin });
    expect(list.body.items.map((p: any) => p.id)).toEqual([debId]);
    expect(incoming()).toEqual([]);
  });

  it('refuses an upload over the size limit, by its declared length and while streaming', async () => {
    const big = Buffer.concat([deb, Buffer.alloc(2 * 1024 * 1024)]);
    const declared = await upload(big);
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('E_BODY_TOO_LARGE');
    expect(declared.body.error.message).toMatch(/over this server's limit of 2097152 bytes/);

    const streamed = await request(`${s.url}/api/v1/software`, {
      method: 'POST',
      dispatcher: s.dispatcher,
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/octet-stream' },
      body: Readable.from([big.subarray(0, 1_200_000), big.subarray(1_200_000)]),
    }).then(
      async (r) => ({ status: r.statusCode, body: (await r.body.json()) as any }),
      (error: Error) => ({ status: 0, body: { error: { code: `client: ${error.message}` } } }),
    );
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe('E_BODY_TOO_LARGE');
    expect(incoming()).toEqual([]);
    expect(readdirSync(join(s.dataDir, 'software')).sort()).toEqual(['.incoming', debSha]);
    const failures = (await audit('software.upload')).filter((e) => e.outcome === 'failure');
    expect(failures.filter((e) => e.detail.code === 'E_BODY_TOO_LARGE')).toHaveLength(2);
  });

  it('refuses files that are no package, wrong content types and metadata that contradicts the package', async () => {
    const text = await upload('#!/bin/sh\necho not a package\n', '?filename=tool.deb');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('E_SOFTWARE_TYPE');
    const json = await s.call('POST', '/api/v1/software', { token: tokens.admin, body: { file: 'x' } });
    expect(json.status).toBe(415);
    expect(json.body.error).toMatchObject({ code: 'E_UNSUPPORTED_MEDIA_TYPE' });
    expect(json.body.error.message).toContain('application/octet-stream');
    // A truncated .deb starts right but dpkg-deb cannot read it.
    const truncated = await upload(deb.subarray(0, 200));
    expect(truncated.status).toBe(415);
    expect(truncated.body.error.code).toBe('E_SOFTWARE_TYPE');
    const other = readFileSync(buildDeb(work, { name: pkgName, version: '3.0' }));
    const mismatch = await upload(other, `?name=${pkgName}-other`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('E_SOFTWARE_METADATA');
    expect(mismatch.body.error.message).toContain(`the package says '${pkgName}'`);
    const badQuery = await upload(deb, '?version=../../x');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.code).toBe('E_VALIDATION');
    expect(incoming()).toEqual([]);
  });

  it.skipIf(HAS_RPM)(
    'takes name, version and arch of an .rpm from the fields where the server has no rpm',
    async () => {
      const missing = await upload(fakeRpm);
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'E_SOFTWARE_METADATA' });
      expect(missing.body.error.message).toMatch(/give name, version, arch/);
      const res = await upload(fakeRpm, '?name=tool&version=1.2-3&arch=x86_64&filename=tool.rpm');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        kind: 'rpm',
        name: 'tool',
        version: '1.2-3',
        filename: 'tool-1.2-3.x86_64.rpm',
        size: fakeRpm.length,
      });
      expect(
        (await s.call('DELETE', `/api/v1/software/${res.body.id}`, { token: tokens.admin })).status,
      ).toBe(200);
    },
  );

  it('lets every role list and read, only admins upload and delete, and no other account see it', async () => {
    for (const role of ['viewer', 'analyst'] as const) {
      const list = await s.call('GET', '/api/v1/software', { token: tokens[role] });
      expect(list.body.items.map((p: any) => p.id)).toEqual([debId]);
      const bySha = await s.call('GET', `/api/v1/software/${debSha}`, { token: tokens[role] });
      expect(bySha.body.id).toBe(debId);
      expect((await upload(deb, '', tokens[role])).body.error.code).toBe('E_FORBIDDEN');
      expect(
        (await s.call('DELETE', `/api/v1/software/${debId}`, { token: tokens[role] })).body.error.code,
      ).toBe('E_FORBIDDEN');
    }
    expect((await s.call('GET', '/api/v1/software', { token: tokens.otherTenant })).body.items).toEqual([]);
    const hidden = await s.call('GET', `/api/v1/software/${debId}`, { token: tokens.otherTenant });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('E_SOFTWARE_NOT_FOUND');
    expect((await s.call('DELETE', `/api/v1/software/${debSha}`, { token: tokens.otherTenant })).status).toBe(
      404,
    );
    expect((await s.call('GET', '/api/v1/software?name=nope', { token: tokens.admin })).body.items).toEqual(
      [],
    );
  });

  it('fills software.deploy from `package`, and refuses to delete the package while the run waits', async () => {
    const run = await s.call('POST', '/api/v1/actions', {
      token: tokens.admin,
      body: { action: 'software.deploy', params: { package: debId }, targets: { devices: [deviceId] } },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    expect(run.body).toMatchObject({
      status: 'pending_approval',
      params: { url: `/agent/v1/software/${debSha}`, sha256: debSha, filename: `${pkgName}_2.5-1_all.deb` },
    });
    const bySha = await s.call('POST', '/api/v1/actions', {
      token: tokens.admin,
      body: { action: 'software.deploy', params: { package: debSha }, targets: { devices: [deviceId] } },
    });
    expect(bySha.body.params.sha256).toBe(debSha);

    const refusals: Array<[object, number, string]> = [
      [{ package: 'no-such-package' }, 404, 'E_SOFTWARE_NOT_FOUND'],
      [{ package: debId, url: 'https://example.test/x.deb' }, 400, 'E_ACTION_PARAMS'],
      [{ package: '../../etc' }, 400, 'E_ACTION_PARAMS'],
      [{ package: 42 }, 400, 'E_ACTION_PARAMS'],
    ];
    for (const [params, status, code] of refusals) {
      const res = await s.call('POST', '/api/v1/actions', {
        token: tokens.admin,
        body: { action: 'software.deploy', params, targets: { devices: [deviceId] } },
      });
      expect(res.status, JSON.stringify(params)).toBe(status);
      expect(res.body.error.code).toBe(code);
    }
    const otherTenant = await s.call('POST', '/api/v1/actions', {
      token: tokens.otherTenant,
      body: { action: 'software.deploy', params: { package: debId }, targets: { all: true } },
    });
    expect(otherTenant.body.error.code).toBe('E_SOFTWARE_NOT_FOUND');

    const refused = await s.call('DELETE', `/api/v1/software/${debId}`, { token: tokens.admin });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('E_SOFTWARE_IN_USE');
    expect(refused.body.error.message).toContain(run.body.id);
    expect(existsSync(join(s.dataDir, 'software', debSha))).toBe(true);

    for (const id of [run.body.id, bySha.body.id])
      expect(
        (await s.call('POST', `/api/v1/actions/${id}/reject`, { token: tokens.admin2, body: {} })).status,
      ).toBe(200);
    const deleted = await s.call('DELETE', `/api/v1/software/${debId}`, { token: tokens.admin });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body.id).toBe(debId);
    expect(existsSync(join(s.dataDir, 'software', debSha))).toBe(false);
    expect((await s.call('GET', `/api/v1/software/${debId}`, { token: tokens.admin })).status).toBe(404);
    const gone = await s.call('DELETE', `/api/v1/software/${debId}`, { token: tokens.admin });
    expect(gone.body.error.code).toBe('E_SOFTWARE_NOT_FOUND');

    const trail = (await audit('software.delete')).filter((e) => e.target === `software:${debId}`);
    expect(trail.map((e) => e.outcome)).toEqual(['success', 'failure']);
    expect(trail[1]?.detail).toMatchObject({ code: 'E_SOFTWARE_IN_USE' });
    expect(trail[0]).toMatchObject({
      target: `software:${debId}`,
      detail: { sha256: debSha, file_removed: true },
    });
  });

  it('keeps the bytes while another account still has the same package', async () => {
    const mine = await upload(deb);
    const theirs = await upload(deb, '', tokens.otherTenant);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await s.call('DELETE', `/api/v1/software/${mine.body.id}`, { token: tokens.admin })).status).toBe(
      200,
    );
    expect(readFileSync(join(s.dataDir, 'software', debSha))).toEqual(deb);
    expect(
      (await s.call('DELETE', `/api/v1/software/${theirs.body.id}`, { token: tokens.otherTenant })).status,
    ).toBe(200);
    expect(existsSync(join(s.dataDir, 'software', debSha))).toBe(false);
  });
});
