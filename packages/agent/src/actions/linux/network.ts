/**
 * Linux network response actions: block/unblock an address or network, isolate/release the
 * host, kill TCP connections, flush the neighbour (ARP/NDP) cache and enable a default-deny
 * inbound firewall. Firewall state lives only in the Vigil-owned nftables table `inet vigil`
 * (see nft.ts); every ruleset goes to `nft -f -` on stdin and every other command is an argument
 * array.
 */
import type { ActionContext, ActionImpl, ActionImpls } from '../types.js';
import {
  ACTION_ERROR,
  ActionFailure,
  refuse,
  reportingFailures,
  runChecked,
  runProgram,
} from './action-failure.js';
import {
  type IpAddress,
  type IpNetwork,
  networksOverlap,
  parseIp,
  parseNetwork,
  serverAddressesIn,
  splitServerAddresses,
  touchesLoopbackOrUnspecified,
  withoutNested,
} from './ip-address.js';
import {
  applyRuleset,
  blockElement,
  blockInfrastructure,
  firewallRuleset,
  isolationRuleset,
  NFT,
  readVigilTable,
  releaseRuleset,
  VIGIL_TABLE,
} from './nft.js';
import { asPort, booleanParam, describeValue, listParam, optionalInteger } from './param-readers.js';
import {
  type FourTuple,
  fourTupleFilter,
  killConnections,
  listConnections,
  type TcpConnection,
  tupleOf,
} from './tcp-connections.js';

/** Longest expiry a block may carry (30 days, as declared); longer blocks are permanent ones. */
const MAX_EXPIRY_S = 2_592_000;
const MAX_PORTS = 64;
const MAX_ALLOW = 32;

function networkParam(params: Record<string, unknown>, name: string): IpNetwork {
  const network = parseNetwork(params[name]);
  if (!network) {
    refuse(
      `\`${name}\` must be an IPv4 or IPv6 address or a CIDR network (no zone); got ${describeValue(params[name])}`,
    );
  }
  return network;
}

function ipParam(params: Record<string, unknown>, name: string): IpAddress {
  const ip = parseIp(params[name]);
  if (!ip) refuse(`\`${name}\` must be one IPv4 or IPv6 address; got ${describeValue(params[name])}`);
  return ip;
}

function blockSetFor(network: { family: 4 | 6 }): string {
  return network.family === 4 ? NFT.blockV4 : NFT.blockV6;
}

/** network.block_ip: drop all traffic to and from an address or network, optionally for a time. */
const blockIp: ActionImpl = async (params, ctx) => {
  const network = networkParam(params, 'address');
  const expiresS = optionalInteger(params, 'expires_s', 1, MAX_EXPIRY_S);
  if (touchesLoopbackOrUnspecified(network)) {
    refuse(`${network.key} covers a loopback or unspecified address; blocking it would break the host`);
  }
  const servers = serverAddressesIn(network, ctx.serverAddresses);
  if (servers.length > 0) {
    refuse(
      `${network.key} covers the Vigil server (${servers.join(', ')}); blocking it would cut the agent off`,
    );
  }
  const state = await readVigilTable(ctx);
  const elements = state.sets.get(blockSetFor(network)) ?? new Map();
  const existing = elements.get(network.key);
  const overlapping = [...elements.keys()].filter((key) => {
    const other = parseNetwork(key);
    return key !== network.key && other !== undefined && networksOverlap(other, network);
  });
  if (overlapping.length > 0) {
    refuse(`${network.key} overlaps the existing block of ${overlapping.join(', ')}; unblock that first`, {
      overlapping,
    });
  }
  const undo = { action: 'network.unblock_ip', params: { address: network.key } };
  const base = { address: network.key, family: network.family, expires_s: expiresS ?? null };
  if (existing && existing.timeoutS === undefined && expiresS === undefined) {
    return {
      ok: true,
      changed: false,
      summary: `${network.key} is already blocked`,
      details: { ...base, already_blocked: true },
      undo,
    };
  }
  // A block that exists with another expiry is replaced, in the same transaction.
  const script = [
    ...blockInfrastructure(),
    ...(existing ? [`delete element ${VIGIL_TABLE} ${blockSetFor(network)} { ${network.key} }`] : []),
    `add element ${VIGIL_TABLE} ${blockSetFor(network)} { ${blockElement(network.key, expiresS)} }`,
  ];
  const forTime = expiresS === undefined ? '' : ` for ${expiresS} s`;
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would block ${network.key}${forTime}`,
      details: { ...base, already_blocked: Boolean(existing), nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log(`blocked ${network.key}${forTime}`);
  const expiresAt =
    expiresS === undefined ? {} : { expires_at: new Date(Date.now() + expiresS * 1000).toISOString() };
  return {
    ok: true,
    changed: true,
    summary: `blocked ${network.key}${forTime}`,
    details: { ...base, ...expiresAt, already_blocked: Boolean(existing) },
    undo,
  };
};

/** network.unblock_ip: remove one address or network from the block sets. */
const unblockIp: ActionImpl = async (params, ctx) => {
  const network = networkParam(params, 'address');
  const state = await readVigilTable(ctx);
  const blocked = state.sets.get(blockSetFor(network))?.has(network.key) ?? false;
  const details = { address: network.key, family: network.family, was_blocked: blocked };
  if (!blocked) return { ok: true, changed: false, summary: `${network.key} was not blocked`, details };
  const script = [`delete element ${VIGIL_TABLE} ${blockSetFor(network)} { ${network.key} }`];
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would unblock ${network.key}`,
      details: { ...details, nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log(`unblocked ${network.key}`);
  return { ok: true, changed: true, summary: `unblocked ${network.key}`, details };
};

/** network.isolate: cut the host off from everything but loopback, the Vigil server and `allow`. */
const isolate: ActionImpl = async (params, ctx) => {
  const allowDhcp = booleanParam(params, 'allow_dhcp', true);
  const extra = listParam(params, 'allow', MAX_ALLOW, parseNetwork, 'address or CIDR network');
  const servers = splitServerAddresses(ctx.serverAddresses);
  if (servers.v4.length + servers.v6.length === 0) {
    refuse('the Vigil server has no known IP address; isolating the host now would cut the agent off', {
      server_addresses: ctx.serverAddresses,
    });
  }
  const serverNetworks = [...servers.v4, ...servers.v6].map((a) => parseNetwork(a) as IpNetwork);
  const allowed = withoutNested([...serverNetworks, ...extra]);
  const state = await readVigilTable(ctx);
  const already = state.chains.has(NFT.isolateInput) && state.chains.has(NFT.isolateOutput);
  const script = isolationRuleset({
    allowV4: allowed.filter((n) => n.family === 4).map((n) => n.key),
    allowV6: allowed.filter((n) => n.family === 6).map((n) => n.key),
    allowDhcp,
  });
  const list = [...serverNetworks, ...extra].map((n) => n.key);
  const details = {
    allowed: [...new Set(list)],
    ignored_server_addresses: servers.invalid,
    allow_dhcp: allowDhcp,
    already_isolated: already,
  };
  const undo = { action: 'network.release', params: {} };
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would isolate the host (allowing ${details.allowed.join(', ')})`,
      details: { ...details, nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log(`isolated the host; allowed ${details.allowed.join(', ')}`);
  return {
    ok: true,
    changed: !already,
    summary: already
      ? `the host was already isolated; allowed addresses refreshed (${details.allowed.join(', ')})`
      : `isolated the host; only loopback and ${details.allowed.join(', ')} are reachable`,
    details,
    undo,
  };
};

/** network.release: remove the isolation chains and sets, and nothing else. */
const release: ActionImpl = async (_params, ctx) => {
  const state = await readVigilTable(ctx);
  const script = releaseRuleset(state);
  const removed = [NFT.isolateInput, NFT.isolateOutput, NFT.isolateV4, NFT.isolateV6].filter(
    (name) => state.chains.has(name) || state.sets.has(name),
  );
  if (script.length === 0) {
    return {
      ok: true,
      changed: false,
      summary: 'the host was not isolated',
      details: { was_isolated: false, removed: [] },
    };
  }
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: 'would release the host from isolation',
      details: { was_isolated: true, removed, nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log('released the host from isolation');
  return {
    ok: true,
    changed: true,
    summary: 'released the host from isolation',
    details: { was_isolated: true, removed },
  };
};

function sameTuple(a: TcpConnection, b: TcpConnection): boolean {
  return (
    a.localAddress === b.localAddress &&
    a.localPort === b.localPort &&
    a.remoteAddress === b.remoteAddress &&
    a.remotePort === b.remotePort
  );
}

function connectionView(connection: TcpConnection, killed?: boolean): Record<string, unknown> {
  return {
    state: connection.state,
    local_address: connection.localAddress,
    local_port: connection.localPort,
    remote_address: connection.remoteAddress,
    remote_port: connection.remotePort,
    pids: connection.pids,
    ...(killed === undefined ? {} : { killed }),
  };
}

function tupleParam(params: Record<string, unknown>): FourTuple {
  const local = ipParam(params, 'local_address');
  const remote = ipParam(params, 'remote_address');
  const localPort = optionalInteger(params, 'local_port', 1, 65_535);
  const remotePort = optionalInteger(params, 'remote_port', 1, 65_535);
  if (localPort === undefined || remotePort === undefined) {
    refuse('give `pid`, or all four of `local_address`, `local_port`, `remote_address` and `remote_port`');
  }
  return { local, localPort, remote, remotePort };
}

/** network.kill_connection: close one TCP connection by its 4-tuple, or every one a process holds. */
const killConnection: ActionImpl = async (params, ctx) => {
  const pid = optionalInteger(params, 'pid', 1, 4_194_304);
  const tupleKeys = ['local_address', 'local_port', 'remote_address', 'remote_port'];
  const hasTuple = tupleKeys.some((k) => params[k] !== undefined);
  if ((pid === undefined) === !hasTuple) {
    refuse(
      'give either `pid` or the 4-tuple (`local_address`, `local_port`, `remote_address`, `remote_port`), not both',
    );
  }
  if (pid === ctx.agentPid)
    refuse(`pid ${pid} is the Vigil agent itself; its connection to the server is never cut`);
  const matched =
    pid === undefined
      ? await listConnections(ctx, fourTupleFilter(tupleParam(params)))
      : (await listConnections(ctx)).filter((c) => c.pids.includes(pid));
  if (matched.some((c) => c.pids.includes(ctx.agentPid))) {
    refuse('the connection belongs to the Vigil agent itself; its connection to the server is never cut', {
      connections: matched.map((c) => connectionView(c)),
    });
  }
  const selector = pid === undefined ? 'the given 4-tuple' : `pid ${pid}`;
  if (matched.length === 0) {
    return {
      ok: true,
      changed: false,
      summary: `no TCP connection matches ${selector}`,
      details: { connections: [] },
    };
  }
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would close ${matched.length} TCP connection(s) of ${selector}`,
      details: { connections: matched.map((c) => connectionView(c, false)) },
    };
  }
  for (const connection of matched) {
    const tuple = tupleOf(connection);
    if (tuple) await killConnections(ctx, fourTupleFilter(tuple));
  }
  // Whether each is gone is read back from the kernel, not taken from ss -K's own report.
  const still = (await listConnections(ctx)).filter((c) => matched.some((m) => sameTuple(m, c)));
  const connections = matched.map((m) => connectionView(m, !still.some((s) => sameTuple(s, m))));
  const killed = matched.length - still.length;
  if (still.length > 0) {
    return {
      ok: false,
      changed: killed > 0,
      summary: `${still.length} of ${matched.length} connection(s) of ${selector} are still open`,
      details: { connections },
      error: {
        code: ACTION_ERROR.commandFailed,
        message: 'ss -K did not close every connection; the kernel may lack CONFIG_INET_DIAG_DESTROY',
      },
    };
  }
  ctx.log(`closed ${killed} TCP connection(s) of ${selector}`);
  return {
    ok: true,
    changed: true,
    summary: `closed ${killed} TCP connection(s) of ${selector}`,
    details: { connections },
  };
};

interface NeighbourEntry {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

const INTERFACE_NAME = /^[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,14}$/;

/** The dynamic neighbour entries (permanent and NOARP ones are not a cache and are left alone). */
async function neighbours(ctx: ActionContext, device: string[]): Promise<NeighbourEntry[]> {
  const output = await runProgram(ctx, 'ip', ['-j', 'neigh', 'show', ...device]);
  if (output.code !== 0 && /Cannot find device/i.test(output.stderr)) {
    throw new ActionFailure(ACTION_ERROR.targetNotFound, `there is no network interface ${device[1]}`);
  }
  if (output.code !== 0) {
    throw new ActionFailure(
      ACTION_ERROR.commandFailed,
      `ip neigh show exited with code ${output.code}`,
      {},
      output,
    );
  }
  const parsed = JSON.parse(output.stdout.trim() || '[]') as NeighbourEntry[];
  return parsed.filter((entry) => !entry.state?.some((s) => s === 'PERMANENT' || s === 'NOARP'));
}

function neighbourView(entry: NeighbourEntry): Record<string, unknown> {
  return {
    address: entry.dst,
    dev: entry.dev ?? null,
    lladdr: entry.lladdr ?? null,
    state: entry.state ?? [],
  };
}

function entries(count: number): string {
  return `${count} neighbour entr${count === 1 ? 'y' : 'ies'}`;
}

/** cache.flush_arp: flush the dynamic neighbour (ARP and NDP) entries of one or every interface. */
const flushArp: ActionImpl = async (params, ctx) => {
  const name = params.interface;
  if (name !== undefined && (typeof name !== 'string' || !INTERFACE_NAME.test(name))) {
    refuse(`\`interface\` must be a network interface name; got ${describeValue(name)}`);
  }
  const device = name === undefined ? [] : ['dev', name];
  const where = name === undefined ? '' : ` on ${name}`;
  const before = await neighbours(ctx, device);
  const base = { interface: name ?? null, entries_before: before.map(neighbourView) };
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would flush ${entries(before.length)}${where}`,
      details: base,
    };
  }
  await runChecked(ctx, 'ip', ['neigh', 'flush', ...(name === undefined ? ['all'] : device)]);
  // An entry the kernel still resolves after the flush shows as FAILED or INCOMPLETE, not as a cached address.
  const after = (await neighbours(ctx, device)).filter(
    (e) => !e.state?.some((s) => s === 'FAILED' || s === 'INCOMPLETE'),
  );
  ctx.log(`flushed ${entries(before.length)}${where}`);
  return {
    ok: true,
    changed: before.length > 0,
    summary: `flushed ${entries(before.length)}${where}`,
    details: { ...base, entries_after: after.map(neighbourView) },
  };
};

function portList(params: Record<string, unknown>, name: string): number[] {
  return [...new Set(listParam(params, name, MAX_PORTS, asPort, 'port number (1-65535)'))].sort(
    (a, b) => a - b,
  );
}

/** firewall.enable: default-deny inbound in the Vigil table with the listed ports allowed. */
const firewallEnable: ActionImpl = async (params, ctx) => {
  const tcpPorts = portList(params, 'allow_tcp');
  const udpPorts = portList(params, 'allow_udp');
  const state = await readVigilTable(ctx);
  const script = firewallRuleset({ tcpPorts, udpPorts });
  const details = {
    allowed_tcp: tcpPorts,
    allowed_udp: udpPorts,
    was_enabled: state.chains.has(NFT.firewallInput),
  };
  const ports = `TCP [${tcpPorts.join(', ')}], UDP [${udpPorts.join(', ')}]`;
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would enable default-deny inbound allowing ${ports}`,
      details: { ...details, nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  const verb = details.was_enabled ? 're-applied' : 'enabled';
  ctx.log(`${verb} the inbound firewall allowing ${ports}`);
  return { ok: true, changed: true, summary: `${verb} default-deny inbound allowing ${ports}`, details };
};

/** The Linux network actions, keyed by action name. */
export const linuxNetworkActions: ActionImpls = {
  'network.block_ip': reportingFailures(blockIp),
  'network.unblock_ip': reportingFailures(unblockIp),
  'network.isolate': reportingFailures(isolate),
  'network.release': reportingFailures(release),
  'network.kill_connection': reportingFailures(killConnection),
  'cache.flush_arp': reportingFailures(flushArp),
  'firewall.enable': reportingFailures(firewallEnable),
};
