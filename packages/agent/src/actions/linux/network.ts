/**
 * Linux network response actions: block/unblock an IP, isolate/release the host, kill TCP
 * connections, flush the neighbour (ARP/NDP) cache and enable a default-deny inbound firewall.
 * Firewall state lives only in the Vigil-owned nftables table `inet vigil` (see nft.ts); every
 * ruleset goes to `nft -f -` on stdin and every other command is an argument array.
 */
import type { ActionContext, ActionImpl, ActionImpls } from '../types.js';
import { refuse, reportingFailures, runChecked } from './action-failure.js';
import {
  type IpAddress,
  isLoopbackOrUnspecified,
  isServerAddress,
  parseIp,
  splitServerAddresses,
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
import {
  type FourTuple,
  fourTupleFilter,
  killConnections,
  listConnections,
  type TcpConnection,
  tupleOf,
} from './tcp-connections.js';

/** Longest expiry a block may carry (one year); longer blocks are permanent ones. */
const MAX_EXPIRY_S = 31_536_000;
const MAX_PORTS = 100;

function ipParam(params: Record<string, unknown>, name: string): IpAddress {
  const ip = parseIp(params[name]);
  if (!ip)
    refuse(
      `\`${name}\` must be one IPv4 or IPv6 address (no prefix, no zone); got ${describe(params[name])}`,
    );
  return ip;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function optionalInteger(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(`\`${name}\` must be an integer from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

function booleanParam(params: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = params[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') refuse(`\`${name}\` must be true or false`);
  return value;
}

function portsParam(params: Record<string, unknown>, name: string): number[] {
  const value = params[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_PORTS)
    refuse(`\`${name}\` must be a list of at most ${MAX_PORTS} ports`);
  const ports = new Set<number>();
  for (const port of value) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      refuse(`\`${name}\` holds ${describe(port)}, which is not a port number (1-65535)`);
    }
    ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

function setFor(ip: IpAddress): string {
  return ip.family === 4 ? NFT.blockV4 : NFT.blockV6;
}

/** network.block_ip: drop all traffic to and from one address, optionally for a limited time. */
const blockIp: ActionImpl = async (params, ctx) => {
  const ip = ipParam(params, 'ip');
  const expiresInS = optionalInteger(params, 'expires_in_s', 1, MAX_EXPIRY_S);
  if (isLoopbackOrUnspecified(ip))
    refuse(`${ip.address} is a loopback or unspecified address; blocking it would break the host`);
  if (isServerAddress(ip, ctx.serverAddresses)) {
    refuse(`${ip.address} is an address of the Vigil server; blocking it would cut the agent off`);
  }
  const state = await readVigilTable(ctx);
  const existing = state.sets.get(setFor(ip))?.get(ip.address);
  const undo = { action: 'network.unblock_ip', params: { ip: ip.address } };
  const base = { ip: ip.address, family: ip.family, expires_in_s: expiresInS ?? null };
  if (existing && existing.timeoutS === undefined && expiresInS === undefined) {
    return {
      ok: true,
      changed: false,
      summary: `${ip.address} is already blocked`,
      details: { ...base, already_blocked: true },
      undo,
    };
  }
  const element = blockElement(ip.address, expiresInS);
  const script = [
    ...blockInfrastructure(),
    ...(existing ? [`delete element ${VIGIL_TABLE} ${setFor(ip)} { ${ip.address} }`] : []),
    `add element ${VIGIL_TABLE} ${setFor(ip)} { ${element} }`,
  ];
  const expiry = expiresInS === undefined ? '' : ` for ${expiresInS} s`;
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would block ${ip.address}${expiry}`,
      details: { ...base, already_blocked: Boolean(existing), nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log(`blocked ${ip.address}${expiry}`);
  return {
    ok: true,
    changed: true,
    summary: `blocked ${ip.address}${expiry}`,
    details: { ...base, already_blocked: Boolean(existing) },
    undo,
  };
};

/** network.unblock_ip: remove one address from the block sets. */
const unblockIp: ActionImpl = async (params, ctx) => {
  const ip = ipParam(params, 'ip');
  const state = await readVigilTable(ctx);
  const blocked = state.sets.get(setFor(ip))?.has(ip.address) ?? false;
  const details = { ip: ip.address, family: ip.family, was_blocked: blocked };
  if (!blocked) return { ok: true, changed: false, summary: `${ip.address} was not blocked`, details };
  const script = [`delete element ${VIGIL_TABLE} ${setFor(ip)} { ${ip.address} }`];
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would unblock ${ip.address}`,
      details: { ...details, nft_script: script },
    };
  }
  await applyRuleset(ctx, script);
  ctx.log(`unblocked ${ip.address}`);
  return { ok: true, changed: true, summary: `unblocked ${ip.address}`, details };
};

/** network.isolate: cut the host off from everything but loopback and the Vigil server. */
const isolate: ActionImpl = async (params, ctx) => {
  const allowDhcp = booleanParam(params, 'allow_dhcp', true);
  const servers = splitServerAddresses(ctx.serverAddresses);
  if (servers.v4.length + servers.v6.length === 0) {
    refuse('the Vigil server has no known IP address; isolating the host now would cut the agent off', {
      server_addresses: ctx.serverAddresses,
    });
  }
  const state = await readVigilTable(ctx);
  const already = state.chains.has(NFT.isolateInput) && state.chains.has(NFT.isolateOutput);
  const script = isolationRuleset({ serverV4: servers.v4, serverV6: servers.v6, allowDhcp });
  const details = {
    allowed: [...servers.v4, ...servers.v6],
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

function connectionView(connection: TcpConnection): Record<string, unknown> {
  return {
    state: connection.state,
    local: `${connection.localAddress}:${connection.localPort}`,
    remote: `${connection.remoteAddress}:${connection.remotePort}`,
    pids: connection.pids,
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
  const hasTuple = ['local_address', 'local_port', 'remote_address', 'remote_port'].some(
    (k) => params[k] !== undefined,
  );
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
      connections: matched.map(connectionView),
    });
  }
  const selector = pid === undefined ? 'the given 4-tuple' : `pid ${pid}`;
  if (matched.length === 0) {
    return {
      ok: true,
      changed: false,
      summary: `no TCP connection matches ${selector}`,
      details: { killed: [] },
    };
  }
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would close ${matched.length} TCP connection(s) of ${selector}`,
      details: { would_kill: matched.map(connectionView) },
    };
  }
  const killed: TcpConnection[] = [];
  for (const connection of matched) {
    const tuple = tupleOf(connection);
    if (tuple) killed.push(...(await killConnections(ctx, fourTupleFilter(tuple))));
  }
  const remaining = (await listConnections(ctx)).filter((c) =>
    matched.some(
      (m) =>
        m.localAddress === c.localAddress &&
        m.localPort === c.localPort &&
        m.remoteAddress === c.remoteAddress &&
        m.remotePort === c.remotePort,
    ),
  );
  const details = { killed: killed.map(connectionView), remaining: remaining.map(connectionView) };
  if (remaining.length > 0) {
    return {
      ok: false,
      changed: killed.length > 0,
      summary: `${remaining.length} of ${matched.length} connection(s) of ${selector} are still open`,
      details,
      error: {
        code: 'E_ACTION_COMMAND_FAILED',
        message: 'ss -K did not close every connection; the kernel may lack CONFIG_INET_DIAG_DESTROY',
      },
    };
  }
  ctx.log(`closed ${killed.length} TCP connection(s) of ${selector}`);
  return {
    ok: true,
    changed: true,
    summary: `closed ${matched.length} TCP connection(s) of ${selector}`,
    details,
  };
};

interface NeighbourEntry {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

async function neighbours(ctx: ActionContext): Promise<NeighbourEntry[]> {
  const output = await runChecked(ctx, 'ip', ['-j', 'neigh', 'show']);
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

/** cache.flush_arp: flush the dynamic neighbour (ARP and NDP) entries of every interface. */
const flushArp: ActionImpl = async (_params, ctx) => {
  const before = await neighbours(ctx);
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would flush ${before.length} neighbour entr${before.length === 1 ? 'y' : 'ies'}`,
      details: { entries: before.map(neighbourView) },
    };
  }
  await runChecked(ctx, 'ip', ['neigh', 'flush', 'all']);
  const after = await neighbours(ctx);
  const remaining = after.filter((entry) => !entry.state?.includes('FAILED'));
  ctx.log(`flushed ${before.length} neighbour entries`);
  return {
    ok: true,
    changed: before.length > 0,
    summary: `flushed ${before.length} neighbour entr${before.length === 1 ? 'y' : 'ies'}`,
    details: { flushed: before.map(neighbourView), remaining: remaining.map(neighbourView) },
  };
};

/** firewall.enable: default-deny inbound in the Vigil table with the listed ports allowed. */
const firewallEnable: ActionImpl = async (params, ctx) => {
  const tcpPorts = portsParam(params, 'tcp_ports');
  const udpPorts = portsParam(params, 'udp_ports');
  const allowPing = booleanParam(params, 'allow_ping', true);
  const state = await readVigilTable(ctx);
  const script = firewallRuleset({ tcpPorts, udpPorts, allowPing });
  const details = {
    tcp_ports: tcpPorts,
    udp_ports: udpPorts,
    allow_ping: allowPing,
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
  ctx.log(`enabled the inbound firewall allowing ${ports}`);
  const verb = details.was_enabled ? 're-applied' : 'enabled';
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
