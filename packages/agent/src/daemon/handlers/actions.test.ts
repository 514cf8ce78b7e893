import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ActionResultBody,
  type ActionResultBodyT,
  type CommandPayloadT,
  compileValidator,
  signCommand,
} from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionStore } from '../../actions/store.js';
import { Dispatcher } from '../dispatch.js';
import { Outbox } from '../outbox.js';
import { type ActionService, agentInstallDirs, registerActionHandler, serverAddressesOf } from './actions.js';

const server = generateKeyPairSync('ed25519');
const quiet = { info() {}, warn() {}, error() {} };
const resultValidator = compileValidator(ActionResultBody);
const open: Array<{ outbox: Outbox; service: ActionService }> = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.service.stop();
    o.outbox.close();
  }
});

function agent(dir = mkdtempSync(join(tmpdir(), 'vigil-action-agent-'))) {
  const outbox = new Outbox(dir);
  const d = new Dispatcher(
    { serverKey: server.publicKey, accountId: 'acc1', agentId: 'agent1' },
    outbox,
    quiet,
  );
  const service = registerActionHandler(d, {
    stateDir: dir,
    serverUrl: 'https://127.0.0.1:8443',
    outbox,
    log: quiet,
  });
  open.push({ outbox, service });
  return { d, outbox, service, dir };
}

function command(body: Record<string, unknown>, over: Partial<CommandPayloadT> = {}) {
  return signCommand(
    {
      id: `cmd-${randomBytes(8).toString('hex')}`,
      kind: 'action.run',
      aud: { account: 'acc1', agent: 'agent1' },
      iat: Date.now(),
      exp: Date.now() + 60_000,
      body: { run_id: `run-${randomBytes(6).toString('hex')}`, dry_run: false, timeout_s: 30, ...body },
      ...over,
    },
    server.privateKey,
  );
}

const items = (outbox: Outbox, kind: string) =>
  outbox
    .peek()
    .filter((i) => i.kind === kind)
    .map((i) => i.body);

describe('action.run handler (signed commands end to end)', () => {
  it('runs a signed action and enqueues a durable action.result, once', async () => {
    const { d, outbox, service } = agent();
    const marker = join(mkdtempSync(join(tmpdir(), 'vigil-handler-')), 'ran');
    const env = command({ action: 'script.run', params: { script: `echo x >> ${marker}; echo ok` } });
    await d.handle(env);
    await service.idle();
    const results = items(outbox, 'action.result') as ActionResultBodyT[];
    expect(results).toHaveLength(1);
    const result = results[0] as ActionResultBodyT;
    expect(resultValidator.check(result)).toBe(true);
    const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as CommandPayloadT;
    expect(result).toMatchObject({
      command_id: payload.id,
      run_id: (payload.body as { run_id: string }).run_id,
      action: 'script.run',
      status: 'succeeded',
      details: { stdout: 'ok\n', exit_code: 0 },
    });
    // No generic command.result beside it: the handler reports for itself.
    expect(items(outbox, 'command.result')).toEqual([]);
    // A replayed envelope is refused by the dispatcher and does not run again.
    await d.handle(env);
    await service.idle();
    expect(readFileSync(marker, 'utf8')).toBe('x\n');
    expect(items(outbox, 'action.result')).toHaveLength(1);
    expect(items(outbox, 'security.event')).toEqual([expect.objectContaining({ reason: 'replayed' })]);
  });

  it('kills a process through the dispatcher and refuses the agent itself', async () => {
    const { d, outbox, service } = agent();
    const child = spawn('/bin/sleep', ['300'], { stdio: 'ignore' });
    const exited = new Promise<string>((r) => child.on('exit', (_c, s) => r(String(s))));
    await new Promise((r) => setTimeout(r, 100));
    await d.handle(command({ action: 'process.kill', params: { pid: child.pid } }));
    await d.handle(command({ action: 'process.kill', params: { pid: process.pid } }));
    await service.idle();
    expect(await exited).toBe('SIGKILL');
    const results = items(outbox, 'action.result') as ActionResultBodyT[];
    expect(results.map((r) => r.status).sort()).toEqual(['refused', 'succeeded']);
    expect(results.find((r) => r.status === 'refused')?.error?.code).toBe('E_ACTION_REFUSED');
  });

  it('validates parameters again on the agent and refuses a malformed body at the dispatcher', async () => {
    const { d, outbox, service } = agent();
    await d.handle(command({ action: 'file.delete', params: { path: 'relative' } }));
    await d.handle(command({ action: 'file.delete', params: { path: '/tmp/x' }, extra: true }));
    await service.idle();
    expect(items(outbox, 'action.result')).toEqual([
      expect.objectContaining({
        status: 'refused',
        error: expect.objectContaining({ code: 'E_ACTION_PARAMS' }),
      }),
    ]);
    expect(items(outbox, 'security.event')).toEqual([expect.objectContaining({ reason: 'invalid_body' })]);
  });

  it('protects its state dir, quarantine store and install dirs from file actions', async () => {
    const { d, outbox, service, dir } = agent();
    expect(statSync(service.quarantineDir).mode & 0o777).toBe(0o700);
    expect(service.protectedPaths).toEqual(
      expect.arrayContaining([dir, service.quarantineDir, process.execPath]),
    );
    const ownFile = fileURLToPath(import.meta.url);
    for (const path of [join(dir, 'outbox.db'), ownFile])
      await d.handle(command({ action: 'file.delete', params: { path } }));
    await service.idle();
    const results = items(outbox, 'action.result') as ActionResultBodyT[];
    expect(results.map((r) => r.error?.code)).toEqual(['E_ACTION_REFUSED', 'E_ACTION_REFUSED']);
    expect(existsSync(join(dir, 'outbox.db'))).toBe(true);
    expect(existsSync(ownFile)).toBe(true);
  });

  it('at start, reports runs the last process died during and results the outbox never took', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-action-agent-'));
    const store = new ActionStore(dir);
    store.begin('cmd-interrupted-1', 'run-interrupted', 'script.run', Date.now() - 1000, false);
    const lost: ActionResultBodyT = {
      command_id: 'cmd-unreported-1',
      run_id: 'run-unreported',
      action: 'cache.flush_dns',
      status: 'succeeded',
      dry_run: false,
      changed: false,
      summary: 'nothing to flush',
      details: {},
      started_at: Date.now() - 2000,
      duration_ms: 5,
    };
    store.finish(lost);
    store.close();
    const { outbox } = agent(dir);
    const results = items(outbox, 'action.result') as ActionResultBodyT[];
    expect(results).toEqual(
      expect.arrayContaining([
        lost,
        expect.objectContaining({
          command_id: 'cmd-interrupted-1',
          status: 'failed',
          error: expect.objectContaining({ code: 'E_ACTION_INTERRUPTED' }),
        }),
      ]),
    );
    expect(results).toHaveLength(2);
    for (const r of results) expect(resultValidator.check(r)).toBe(true);
  });
});

describe('action environment', () => {
  it('resolves the server URL to addresses', async () => {
    expect(await serverAddressesOf('https://127.0.0.1:8443')).toEqual(['127.0.0.1']);
    expect(await serverAddressesOf('https://[::1]:8443/')).toEqual(['::1']);
    expect(
      (await serverAddressesOf('https://localhost:8443')).some((a) => a === '127.0.0.1' || a === '::1'),
    ).toBe(true);
  });

  it('finds the agent package and the install holding its dependencies', () => {
    const dirs = agentInstallDirs();
    const agentDir = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
    expect(dirs[0]).toBe(agentDir);
    expect(dirs.some((d) => existsSync(join(d, 'node_modules', 'better-sqlite3')))).toBe(true);
  });
});
