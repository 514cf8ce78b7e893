/**
 * Test helper for response actions: a small catalogue with short timeouts (written to a temporary
 * directory and loaded by the real loader), and raw agents that receive real signed `action.run`
 * commands and answer with real `action.result` outbox items.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActionResultBodyT,
  type ActionRunBodyT,
  ed25519PublicKeyFromRaw,
  type HostFactsT,
  verifyCommand,
} from '@vigil/protocol';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from './raw-agent.js';
import type { TestServer } from './test-app.js';

const linux = 'platforms: [{ platform: linux, verified: true }]';

/** Declarations of the test catalogue, by name. Timeouts are one second so timeouts are testable. */
export const TEST_ACTIONS: Record<string, string> = {
  'process.kill': `name: process.kill
title: Kill a process
description: Test declaration.
${linux}
risk: low
approval: false
timeout_s: 1
dry_run: true
params:
  type: object
  additionalProperties: false
  required: [pid]
  properties:
    pid: { type: integer, minimum: 1, description: The process id. }
    signal: { enum: [KILL, TERM], default: KILL, description: The signal. }
result: processes signalled.
`,
  'file.delete': `name: file.delete
title: Delete a file
description: Test declaration.
${linux}
risk: high
approval: true
timeout_s: 1
dry_run: true
params:
  type: object
  additionalProperties: false
  required: [path]
  properties:
    path: { type: string, pattern: '^/', description: Absolute path. }
result: what was deleted.
`,
  'service.restart': `name: service.restart
title: Restart a service
description: Test declaration (low risk, but marked for approval).
${linux}
risk: low
approval: true
timeout_s: 1
dry_run: true
params:
  type: object
  additionalProperties: false
  required: [name]
  properties:
    name: { type: string, minLength: 1, description: Unit name. }
result: the unit state.
`,
  'file.quarantine': `name: file.quarantine
title: Quarantine a file
description: Test declaration.
${linux}
risk: low
approval: false
timeout_s: 1
dry_run: true
undo: file.restore
params:
  type: object
  additionalProperties: false
  required: [path]
  properties:
    path: { type: string, pattern: '^/', description: Absolute path. }
result: where it went.
`,
  'file.restore': `name: file.restore
title: Restore a quarantined file
description: Test declaration.
${linux}
risk: low
approval: false
timeout_s: 1
dry_run: true
params:
  type: object
  additionalProperties: false
  required: [quarantine_id]
  properties:
    quarantine_id: { type: string, minLength: 1, description: The quarantine entry. }
result: where it went back to.
`,
  'cache.flush_arp': `name: cache.flush_arp
title: Flush the ARP cache
description: Test declaration without a dry run.
${linux}
risk: low
approval: false
timeout_s: 1
dry_run: false
params: { type: object, additionalProperties: false, properties: {} }
result: how many entries were flushed.
`,
  'registry.delete_key': `name: registry.delete_key
title: Delete a registry key
description: Test declaration for Windows only.
platforms: [{ platform: windows, verified: false, note: not verified }]
risk: low
approval: false
timeout_s: 1
dry_run: true
params:
  type: object
  additionalProperties: false
  required: [key]
  properties:
    key: { type: string, description: The key. }
result: the deleted key.
`,
};

/** Write the test catalogue to a fresh directory. */
export function testActionsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-actions-'));
  for (const [name, text] of Object.entries(TEST_ACTIONS)) writeFileSync(join(dir, `${name}.yaml`), text);
  return dir;
}

/** A raw agent with its live session. */
export interface ActionAgent {
  agent: RawAgent;
  session: RawSession;
  hostname: string;
}

/** Enroll raw agents with these hostnames (one token); they are not connected yet. */
export async function enrollAgents(
  s: TestServer,
  hostnames: string[],
  facts: (hostname: string) => HostFactsT = (h) => testFacts(h),
): Promise<RawAgent[]> {
  const token = await createEnrollmentToken(s);
  const out: RawAgent[] = [];
  for (const h of hostnames) {
    const a = await enrollRawAgent(s, token, facts(h));
    if (a.status !== 201 && a.status !== 200)
      throw new Error(`enrolling ${h} failed: ${JSON.stringify(a.body)}`);
    out.push(a);
  }
  return out;
}

/** Connect and wait until the hub has registered the session. */
export async function connectAgent(s: TestServer, agent: RawAgent): Promise<ActionAgent> {
  const session = await connectRawAgent(s, agent);
  await session.next((m) => m.t === 'auth.ok');
  const deadline = Date.now() + 5000;
  while (!s.vigil.hub.isConnected(agent.id) && Date.now() < deadline) await sleep(20);
  return { agent, session, hostname: agent.facts.hostname };
}

/** A verified `action.run` command as an agent sees it. */
export interface ReceivedAction {
  id: string;
  body: ActionRunBodyT;
  aud: { account: string; agent?: string; campaign?: string };
}

/** Every `action.run` the agent received so far, verified against the server's signing key. */
export function receivedActions(s: TestServer, a: ActionAgent): ReceivedAction[] {
  return a.session.inbox.filter((m) => commandKind(m) === 'action.run').map((m) => verifyAction(s, a, m));
}

function verifyAction(s: TestServer, a: ActionAgent, m: any): ReceivedAction {
  const v = verifyCommand(m.env, {
    serverKey: ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey),
    accountId: a.agent.accountId,
    agentId: a.agent.id,
    now: Date.now(),
    seen: () => false,
  });
  if (!v.ok) throw new Error(`the action.run command does not verify: ${v.reason}`);
  return {
    id: v.command.id,
    body: v.command.body as ActionRunBodyT,
    aud: v.command.aud as ReceivedAction['aud'],
  };
}

/** Wait for the next `action.run` this agent has not yet been handed by this helper. */
export async function nextAction(s: TestServer, a: ActionAgent, timeoutMs = 5000): Promise<ReceivedAction> {
  const handed = (a as ActionAgent & { handed?: number }).handed ?? 0;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const all = receivedActions(s, a);
    if (all.length > handed) {
      (a as ActionAgent & { handed?: number }).handed = handed + 1;
      return all[handed] as ReceivedAction;
    }
    await sleep(20);
  }
  throw new Error(`${a.hostname} received no action.run within ${timeoutMs} ms`);
}

let outboxSeq = 0;

/** Answer a command with an `action.result` outbox item (its id may be forced to test re-delivery). */
export function sendResult(
  a: ActionAgent,
  cmd: ReceivedAction,
  status: ActionResultBodyT['status'],
  extra: Partial<ActionResultBodyT> & { outboxId?: string } = {},
): string {
  const { outboxId, ...rest } = extra;
  outboxSeq += 1;
  const id = outboxId ?? `act-res-${Date.now().toString(36)}-${outboxSeq.toString().padStart(4, '0')}`;
  const body: ActionResultBodyT = {
    command_id: cmd.id,
    run_id: cmd.body.run_id,
    action: cmd.body.action,
    status,
    dry_run: cmd.body.dry_run,
    changed: status === 'succeeded' && !cmd.body.dry_run,
    summary: `${cmd.body.action} ${status}`,
    details: {},
    started_at: Date.now(),
    duration_ms: 5,
    ...(status === 'failed'
      ? { error: { code: 'E_ACTION_FAILED', message: 'it did not work', exit_code: 1 } }
      : {}),
    ...rest,
  };
  a.session.send({ t: 'outbox.deliver', items: [{ id, kind: 'action.result', at: Date.now(), body }] });
  return id;
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `fn` until it returns a truthy value (bounded); throws naming `what` on time-out. */
export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
