/**
 * The Vigil-owned nftables table `inet vigil`: the names of its sets and chains, the rulesets
 * each network action loads (built only from validated, canonical values and fed to
 * `nft -f -` on stdin, one atomic transaction each), and a reader of its current state.
 *
 * Each feature owns its own chains and sets so that undoing one (release, unblock) never
 * touches another's: block (priority -10), isolate (priority -20), firewall (priority 0).
 * Any base chain's drop is final, so an accept in one feature never overrides another's drop.
 */
import type { ActionContext } from '../types.js';
import { ACTION_ERROR, ActionFailure, runChecked, runProgram } from './action-failure.js';

export const VIGIL_TABLE = 'inet vigil';

export const NFT = {
  blockV4: 'block_v4',
  blockV6: 'block_v6',
  blockInput: 'block_input',
  blockOutput: 'block_output',
  blockForward: 'block_forward',
  isolateV4: 'isolate_allow_v4',
  isolateV6: 'isolate_allow_v6',
  isolateInput: 'isolate_input',
  isolateOutput: 'isolate_output',
  firewallInput: 'firewall_input',
} as const;

/** ICMPv6 types without which IPv6 stops working (neighbour discovery, path MTU, errors). */
const ICMPV6_ESSENTIAL =
  'nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, packet-too-big, destination-unreachable, time-exceeded, parameter-problem';

/** Commands that create the block sets and chains if missing and (re)write the chains' rules. */
export function blockInfrastructure(): string[] {
  const t = VIGIL_TABLE;
  return [
    `add table ${t}`,
    `add set ${t} ${NFT.blockV4} { type ipv4_addr; flags interval, timeout; }`,
    `add set ${t} ${NFT.blockV6} { type ipv6_addr; flags interval, timeout; }`,
    `add chain ${t} ${NFT.blockInput} { type filter hook input priority -10; policy accept; }`,
    `add chain ${t} ${NFT.blockOutput} { type filter hook output priority -10; policy accept; }`,
    `add chain ${t} ${NFT.blockForward} { type filter hook forward priority -10; policy accept; }`,
    `flush chain ${t} ${NFT.blockInput}`,
    `flush chain ${t} ${NFT.blockOutput}`,
    `flush chain ${t} ${NFT.blockForward}`,
    `add rule ${t} ${NFT.blockInput} ip saddr @${NFT.blockV4} drop`,
    `add rule ${t} ${NFT.blockInput} ip6 saddr @${NFT.blockV6} drop`,
    `add rule ${t} ${NFT.blockOutput} ip daddr @${NFT.blockV4} drop`,
    `add rule ${t} ${NFT.blockOutput} ip6 daddr @${NFT.blockV6} drop`,
    `add rule ${t} ${NFT.blockForward} ip saddr @${NFT.blockV4} drop`,
    `add rule ${t} ${NFT.blockForward} ip daddr @${NFT.blockV4} drop`,
    `add rule ${t} ${NFT.blockForward} ip6 saddr @${NFT.blockV6} drop`,
    `add rule ${t} ${NFT.blockForward} ip6 daddr @${NFT.blockV6} drop`,
  ];
}

/** The element of a block set (an address or `net/len`), with its optional expiry in seconds. */
export function blockElement(key: string, expiresS?: number): string {
  return expiresS === undefined ? key : `${key} timeout ${expiresS}s`;
}

export interface IsolationOptions {
  /** Addresses and networks (nft keys) left reachable: the server's and the caller's `allow`; none nested. */
  allowV4: string[];
  allowV6: string[];
  /** Let the DHCP client renew its lease, so an isolated host keeps its address. */
  allowDhcp: boolean;
}

/**
 * Isolation: drop everything in and out except loopback, the allowed addresses, traffic related
 * to connections with them (ICMP errors such as path-MTU from routers on the way), IPv6
 * neighbour discovery (without it the server is unreachable over IPv6) and optionally DHCP.
 */
export function isolationRuleset(options: IsolationOptions): string[] {
  const t = VIGIL_TABLE;
  const lines = [
    `add table ${t}`,
    `add set ${t} ${NFT.isolateV4} { type ipv4_addr; flags interval; }`,
    `add set ${t} ${NFT.isolateV6} { type ipv6_addr; flags interval; }`,
    `flush set ${t} ${NFT.isolateV4}`,
    `flush set ${t} ${NFT.isolateV6}`,
  ];
  if (options.allowV4.length > 0)
    lines.push(`add element ${t} ${NFT.isolateV4} { ${options.allowV4.join(', ')} }`);
  if (options.allowV6.length > 0)
    lines.push(`add element ${t} ${NFT.isolateV6} { ${options.allowV6.join(', ')} }`);
  lines.push(
    `add chain ${t} ${NFT.isolateInput} { type filter hook input priority -20; policy drop; }`,
    `add chain ${t} ${NFT.isolateOutput} { type filter hook output priority -20; policy drop; }`,
    `flush chain ${t} ${NFT.isolateInput}`,
    `flush chain ${t} ${NFT.isolateOutput}`,
    `add rule ${t} ${NFT.isolateInput} iif lo accept`,
    `add rule ${t} ${NFT.isolateInput} ip saddr @${NFT.isolateV4} accept`,
    `add rule ${t} ${NFT.isolateInput} ip6 saddr @${NFT.isolateV6} accept`,
    `add rule ${t} ${NFT.isolateInput} ct state established,related ct original ip daddr @${NFT.isolateV4} accept`,
    `add rule ${t} ${NFT.isolateInput} ct state established,related ct original ip6 daddr @${NFT.isolateV6} accept`,
    `add rule ${t} ${NFT.isolateInput} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept`,
    `add rule ${t} ${NFT.isolateOutput} oif lo accept`,
    `add rule ${t} ${NFT.isolateOutput} ip daddr @${NFT.isolateV4} accept`,
    `add rule ${t} ${NFT.isolateOutput} ip6 daddr @${NFT.isolateV6} accept`,
    `add rule ${t} ${NFT.isolateOutput} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept`,
  );
  if (options.allowDhcp) {
    lines.push(
      `add rule ${t} ${NFT.isolateInput} udp sport 67 udp dport 68 accept`,
      `add rule ${t} ${NFT.isolateOutput} udp sport 68 udp dport 67 accept`,
      `add rule ${t} ${NFT.isolateInput} udp sport 547 udp dport 546 accept`,
      `add rule ${t} ${NFT.isolateOutput} udp sport 546 udp dport 547 accept`,
    );
  }
  return lines;
}

/** The commands that remove exactly what `isolationRuleset` added (only those that exist). */
export function releaseRuleset(state: VigilTableState): string[] {
  const t = VIGIL_TABLE;
  const lines: string[] = [];
  for (const chain of [NFT.isolateInput, NFT.isolateOutput]) {
    if (state.chains.has(chain)) lines.push(`flush chain ${t} ${chain}`, `delete chain ${t} ${chain}`);
  }
  for (const set of [NFT.isolateV4, NFT.isolateV6]) {
    if (state.sets.has(set)) lines.push(`delete set ${t} ${set}`);
  }
  return lines;
}

export interface FirewallOptions {
  tcpPorts: number[];
  udpPorts: number[];
}

/**
 * Default-deny inbound: loopback, established/related, essential ICMPv6, DHCP client replies and
 * the listed ports are accepted, everything else new is dropped. Outbound is not filtered.
 */
export function firewallRuleset(options: FirewallOptions): string[] {
  const t = VIGIL_TABLE;
  const c = NFT.firewallInput;
  const lines = [
    `add table ${t}`,
    `add chain ${t} ${c} { type filter hook input priority 0; policy drop; }`,
    `flush chain ${t} ${c}`,
    `add rule ${t} ${c} iif lo accept`,
    `add rule ${t} ${c} ct state established,related accept`,
    `add rule ${t} ${c} ct state invalid drop`,
    `add rule ${t} ${c} icmpv6 type { ${ICMPV6_ESSENTIAL} } accept`,
    `add rule ${t} ${c} udp sport 67 udp dport 68 accept`,
    `add rule ${t} ${c} udp sport 547 udp dport 546 accept`,
  ];
  if (options.tcpPorts.length > 0)
    lines.push(`add rule ${t} ${c} tcp dport { ${options.tcpPorts.join(', ')} } accept`);
  if (options.udpPorts.length > 0)
    lines.push(`add rule ${t} ${c} udp dport { ${options.udpPorts.join(', ')} } accept`);
  return lines;
}

/** One element of a set as nft lists it. */
export interface SetElement {
  /** Seconds the element was added for; undefined when it never expires. */
  timeoutS?: number;
  /** Seconds left before it expires. */
  expiresS?: number;
}

/** What the Vigil table holds right now. */
export interface VigilTableState {
  exists: boolean;
  chains: Set<string>;
  sets: Map<string, Map<string, SetElement>>;
}

interface NftJsonPrefix {
  prefix?: { addr?: unknown; len?: unknown };
}
type NftJsonValue = string | NftJsonPrefix;
type NftJsonElem = NftJsonValue | { elem?: { val?: NftJsonValue; timeout?: unknown; expires?: unknown } };
interface NftJsonItem {
  chain?: { name?: string; table?: string; family?: string };
  set?: { name?: string; table?: string; family?: string; elem?: NftJsonElem[] };
}

/** An element as nft's JSON writes it (`"10.0.0.1"` or `{prefix: {addr, len}}`) in nft's own key form. */
function elementKey(value: NftJsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  const prefix = value?.prefix;
  if (typeof prefix?.addr === 'string' && typeof prefix.len === 'number')
    return `${prefix.addr}/${prefix.len}`;
  return undefined;
}

/** Parses `nft -j list table inet vigil` output. */
export function parseTableJson(json: string): VigilTableState {
  const items = (JSON.parse(json) as { nftables?: NftJsonItem[] }).nftables ?? [];
  const state: VigilTableState = { exists: true, chains: new Set(), sets: new Map() };
  for (const item of items) {
    if (item.chain?.name && item.chain.table === 'vigil') state.chains.add(item.chain.name);
    if (item.set?.name && item.set.table === 'vigil') {
      const elements = new Map<string, SetElement>();
      for (const elem of item.set.elem ?? []) {
        const wrapped = typeof elem === 'object' && 'elem' in elem ? elem.elem : undefined;
        const key = elementKey(wrapped ? wrapped.val : (elem as NftJsonValue));
        if (key === undefined) continue;
        elements.set(key, {
          ...(typeof wrapped?.timeout === 'number' ? { timeoutS: wrapped.timeout } : {}),
          ...(typeof wrapped?.expires === 'number' ? { expiresS: wrapped.expires } : {}),
        });
      }
      state.sets.set(item.set.name, elements);
    }
  }
  return state;
}

/** Reads the Vigil table; a missing table is an empty state, not an error. */
export async function readVigilTable(ctx: ActionContext): Promise<VigilTableState> {
  const output = await runProgram(ctx, 'nft', ['-j', 'list', 'table', 'inet', 'vigil']);
  if (output.code !== 0) {
    if (/No such file or directory|does not exist/i.test(output.stderr)) {
      return { exists: false, chains: new Set(), sets: new Map() };
    }
    throw new ActionFailure(
      ACTION_ERROR.commandFailed,
      `nft could not list the vigil table (exit code ${output.code})`,
      {},
      output,
    );
  }
  return parseTableJson(output.stdout);
}

/** Loads a ruleset as one atomic transaction (`nft -f -`, the script on stdin). */
export async function applyRuleset(ctx: ActionContext, lines: string[]): Promise<void> {
  await runChecked(ctx, 'nft', ['-f', '-'], { input: `${lines.join('\n')}\n` });
}
