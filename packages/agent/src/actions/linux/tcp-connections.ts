/**
 * TCP connections as `ss` lists them, and the explicit filter arguments that select one
 * connection by its 4-tuple for `ss -K` (argument array; ss parses its own filter grammar from
 * these tokens, and every token comes from a validated address or an integer port).
 */
import type { ActionContext } from '../types.js';
import { runChecked } from './action-failure.js';
import { type IpAddress, parseIp } from './ip-address.js';

export interface TcpConnection {
  state: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Process ids that hold the socket (from `ss -p`; empty when unknown). */
  pids: number[];
}

export interface FourTuple {
  local: IpAddress;
  localPort: number;
  remote: IpAddress;
  remotePort: number;
}

/** Splits `addr:port`, `[v6]:port` or `addr%dev:port` as ss prints them. */
function splitEndpoint(token: string): { address: string; port: number } | undefined {
  const colon = token.lastIndexOf(':');
  if (colon <= 0) return;
  let address = token.slice(0, colon);
  const port = Number(token.slice(colon + 1));
  if (!Number.isInteger(port)) return;
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  return { address, port };
}

/** Parses the lines of `ss -tnpH state connected …` (state column first). */
export function parseSsLines(text: string): TcpConnection[] {
  const connections: TcpConnection[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [state, , , localToken, remoteToken] = fields as [string, string, string, string, string];
    const local = splitEndpoint(localToken);
    const remote = splitEndpoint(remoteToken);
    if (!local || !remote) continue;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    connections.push({
      state,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      pids: [...new Set(pids)],
    });
  }
  return connections;
}

function endpointFilter(direction: 'src' | 'dst', ip: IpAddress, port: number): string[] {
  const address = ip.family === 6 ? `[${ip.address}]` : ip.address;
  return [direction, address, direction === 'src' ? 'sport' : 'dport', '=', String(port)];
}

/** ss filter tokens selecting exactly one connection by its 4-tuple. */
export function fourTupleFilter(tuple: FourTuple): string[] {
  return [
    ...endpointFilter('src', tuple.local, tuple.localPort),
    ...endpointFilter('dst', tuple.remote, tuple.remotePort),
  ];
}

/** The 4-tuple of a listed connection, when its addresses parse. */
export function tupleOf(connection: TcpConnection): FourTuple | undefined {
  const local = parseIp(connection.localAddress);
  const remote = parseIp(connection.remoteAddress);
  if (!local || !remote) return;
  return { local, localPort: connection.localPort, remote, remotePort: connection.remotePort };
}

const BASE_ARGS = ['-t', '-n', '-H'];

/** Lists connected TCP sockets (all, or those matching filter tokens) with their owning pids. */
export async function listConnections(ctx: ActionContext, filter: string[] = []): Promise<TcpConnection[]> {
  const output = await runChecked(ctx, 'ss', [...BASE_ARGS, '-p', 'state', 'connected', ...filter]);
  return parseSsLines(output.stdout);
}

/** Closes the sockets matching filter tokens (`ss -K`); returns the ones ss reports closed. */
export async function killConnections(ctx: ActionContext, filter: string[]): Promise<TcpConnection[]> {
  const output = await runChecked(ctx, 'ss', ['-K', ...BASE_ARGS, 'state', 'connected', ...filter]);
  return parseSsLines(output.stdout);
}
