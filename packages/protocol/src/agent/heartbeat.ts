/**
 * The live channel's heartbeat. The agent pings every `heartbeat_s`; the server needs each ping to
 * know the agent is there, but the agent needs the server's pong far less often — only to notice
 * a server that vanished without closing the connection. So only every `PONG_EVERY_PINGS`-th ping
 * asks for a pong; the others carry `QUIET_PING_PAYLOAD` and the server leaves them unanswered.
 * An idle agent then costs two TCP segments per heartbeat instead of four on the wire, and the
 * server encrypts and writes half as many frames (issue #9: ≤ 500 B per idle agent per minute,
 * ≤ 15 % of a core for 100k idle agents).
 *
 * Compatible both ways: an older agent's pings are empty and are answered as before; an older
 * server answers every ping, quiet or not.
 */

/** How many pings make one round in which the agent asks for a pong (the first of each round). */
export const PONG_EVERY_PINGS = 2;

/** The ping payload that tells the server not to answer this ping. */
export const QUIET_PING_PAYLOAD = 'q';

/** Whether a received ping asks for no pong. */
export function isQuietPing(payload: Buffer): boolean {
  return payload.length === 1 && payload[0] === QUIET_PING_PAYLOAD.charCodeAt(0);
}

/**
 * How long the agent waits without hearing the server before it gives up on the connection: one
 * round of pings plus one interval, so a pong that arrives a little after the ping that asked for
 * it, or a timer that fires a little late, never counts as silence.
 */
export function serverSilenceLimitMs(heartbeatMs: number): number {
  return (PONG_EVERY_PINGS + 1) * heartbeatMs;
}
