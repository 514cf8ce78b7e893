import type { Row, TableCollector, TableContext } from '../types.js';
import { type CommandRunner, runHostCommand } from './command-runner.js';
import { readProtocols } from './etc-protocols.js';
import { ipv4PrefixToMask } from './parse-helpers.js';

const BUILTIN_CHAINS = new Set(['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING']);

/** Splits a rule line into tokens, keeping quoted strings (comments) together. */
function tokenize(rule: string): string[] {
  return (rule.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((t) => (t.startsWith('"') ? t.slice(1, -1) : t));
}

function addressAndMask(value: string | undefined): [string, string] {
  if (value === undefined) return ['0.0.0.0', '0.0.0.0'];
  const negated = value.startsWith('!');
  const [ip, prefix] = value.replace(/^!/, '').split('/');
  return [`${negated ? '!' : ''}${ip ?? ''}`, ipv4PrefixToMask(prefix === undefined ? 32 : Number(prefix))];
}

/** Parses `iptables-save -c` output: one row per rule, and one per built-in chain that has no rules (so its policy shows). */
export function parseIptablesSave(output: string, protocolNumbers: Map<string, number>): Row[] {
  const rows: Row[] = [];
  let table = '';
  const policies = new Map<string, string>();
  const ruleCount = new Map<string, number>();
  const flushChains = () => {
    for (const [chain, policy] of policies) {
      if (BUILTIN_CHAINS.has(chain) && (ruleCount.get(chain) ?? 0) === 0) {
        rows.push({ filter_name: table, chain, policy, target: null, packets: null, bytes: null });
      }
    }
    policies.clear();
    ruleCount.clear();
  };
  for (const line of output.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      continue;
    }
    if (line.startsWith('COMMIT')) {
      flushChains();
      continue;
    }
    const chainDef = /^:(\S+) (\S+)/.exec(line);
    if (chainDef) {
      policies.set(chainDef[1] ?? '', chainDef[2] === '-' ? '' : (chainDef[2] ?? ''));
      continue;
    }
    const rule = /^(?:\[(\d+):(\d+)\] )?-A (\S+) ?(.*)$/.exec(line);
    if (!rule) continue;
    const chain = rule[3] ?? '';
    ruleCount.set(chain, (ruleCount.get(chain) ?? 0) + 1);
    const opts = new Map<string, string>();
    const matches: string[] = [];
    const tokens = tokenize(rule[4] ?? '');
    for (let i = 0; i < tokens.length; i++) {
      let token = tokens[i] as string;
      let negated = false;
      if (token === '!') {
        negated = true;
        token = tokens[++i] ?? '';
      }
      if (!token.startsWith('-')) continue;
      const value = tokens[i + 1];
      if (value === undefined || value.startsWith('-')) continue;
      i++;
      if (token === '-m' || token === '--match') matches.push(value);
      else opts.set(token, negated ? `!${value}` : value);
    }
    const [srcIp, srcMask] = addressAndMask(opts.get('-s') ?? opts.get('--source'));
    const [dstIp, dstMask] = addressAndMask(opts.get('-d') ?? opts.get('--destination'));
    const proto = opts.get('-p') ?? opts.get('--protocol');
    const protoNumber =
      proto === undefined || proto === 'all'
        ? 0
        : /^\d+$/.test(proto)
          ? Number(proto)
          : (protocolNumbers.get(proto) ?? null);
    rows.push({
      filter_name: table,
      chain,
      policy: policies.get(chain) ?? '',
      target: opts.get('-j') ?? opts.get('--jump') ?? opts.get('-g') ?? '',
      protocol: protoNumber,
      src_port: opts.get('--sport') ?? opts.get('--source-port') ?? opts.get('--sports') ?? '',
      dst_port: opts.get('--dport') ?? opts.get('--destination-port') ?? opts.get('--dports') ?? '',
      src_ip: srcIp,
      src_mask: srcMask,
      iniface: opts.get('-i') ?? opts.get('--in-interface') ?? 'all',
      dst_ip: dstIp,
      dst_mask: dstMask,
      outiface: opts.get('-o') ?? opts.get('--out-interface') ?? 'all',
      match: matches.join(' '),
      packets: rule[1] === undefined ? null : Number(rule[1]),
      bytes: rule[2] === undefined ? null : Number(rule[2]),
    });
  }
  return rows;
}

function protocolMap(ctx: TableContext): Map<string, number> {
  const map = new Map<string, number>([
    ['tcp', 6],
    ['udp', 17],
    ['icmp', 1],
  ]);
  for (const p of readProtocols(ctx)) if (p.number !== null) map.set(p.name, p.number);
  return map;
}

/** Builds the iptables collector around a command runner (tests inject recorded iptables-save output). */
export function createIptables(run: CommandRunner = runHostCommand): TableCollector {
  return {
    name: 'iptables',
    *collect(ctx) {
      const output = run(ctx, 'iptables-save', ['-c']);
      if (output === null) return;
      const wanted = ctx.hints.equals.get('filter_name');
      for (const row of parseIptablesSave(output, protocolMap(ctx))) {
        if (wanted === undefined || wanted.includes(row.filter_name ?? null)) yield row;
      }
    },
  };
}

/** iptables: IPv4 netfilter rules as iptables-save prints them. */
export const iptables: TableCollector = createIptables();
