/** The agent channel's HTTP surface: enrollment, the live WebSocket and the poll fallback. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import {
  AGENT_PATHS,
  EnrollRequest,
  type EnrollRequestT,
  EnrollResponse,
  ErrorResponse,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { AgentHub } from '../../hub/hub.js';
import { handleLiveSocket } from '../../hub/live-session.js';
import { registerPollRoute } from '../../hub/poll-route.js';
import type { Services } from '../../services/index.js';

/** The largest message an agent may send on the live channel (a larger one closes it with 1009). */
const MAX_AGENT_MESSAGE_BYTES = 1024 * 1024;

/** Register enrollment, the WebSocket endpoint (unless refused by option) and polling. */
export async function registerAgentChannel(
  app: FastifyInstance,
  hub: AgentHub,
  services: Services,
): Promise<void> {
  app.post(
    AGENT_PATHS.enroll,
    {
      config: { access: 'agent' },
      schema: {
        tags: ['agent'],
        summary: 'Enroll an agent with a token and its public key',
        body: EnrollRequest,
        response: { 200: EnrollResponse, 201: EnrollResponse, 401: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      // The service audits every attempt, refusals included (in the token's account when known).
      const res = await services.enrollment.enroll(request.body as EnrollRequestT, request.ip ?? null);
      return reply.code(res.created ? 201 : 200).send(res);
    },
  );

  if (hub.options.refuseWebsocket) {
    // Behave like a proxy that does not pass WebSocket upgrades: answer them with 426.
    app.server.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  } else {
    acceptAgentSockets(app, hub, services);
  }
  await registerPollRoute(app, hub, services);
}

/**
 * The live channel's upgrade, handled by `ws` on the HTTPS server directly rather than as a Fastify
 * route: a routed upgrade keeps its Fastify request and reply, the raw request and response and a
 * child logger alive for the connection's whole life (several KiB for each of 100k idle agents),
 * and the channel needs none of them — the agent authenticates inside the socket (docs/adr/0005).
 */
function acceptAgentSockets(app: FastifyInstance, hub: AgentHub, services: Services): void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_AGENT_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    // live-session.ts answers pings itself, all but the quiet ones (protocol heartbeat.ts).
    autoPong: false,
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_PATHS.ws || req.method !== 'GET') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // Until ws owns the socket, an error on it (a reset mid-handshake) must not go unhandled.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.removeListener('error', onError);
      const tls = socket as TLSSocket;
      handleLiveSocket(ws, tls, tls.remoteAddress ?? null, hub, services);
    });
  });
}
