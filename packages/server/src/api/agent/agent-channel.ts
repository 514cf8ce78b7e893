/** The agent channel's HTTP surface: enrollment, the live WebSocket and the poll fallback. */
import type { TLSSocket } from 'node:tls';
import {
  AGENT_PATHS,
  EnrollRequest,
  type EnrollRequestT,
  EnrollResponse,
  ErrorResponse,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import type { AgentHub } from '../../hub/hub.js';
import { handleLiveSocket } from '../../hub/live-session.js';
import { registerPollRoute } from '../../hub/poll-route.js';
import type { Services } from '../../services/index.js';

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
    app.addHook('onReady', async () => {
      app.server.removeAllListeners('upgrade');
      app.server.on('upgrade', (_req, socket) => {
        socket.end('HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
    });
  } else {
    app.get(
      AGENT_PATHS.ws,
      { websocket: true, config: { access: 'agent' }, schema: { hide: true } },
      (socket, request) => {
        handleLiveSocket(socket, request.raw.socket as TLSSocket, request.ip ?? null, hub, services);
      },
    );
  }
  await registerPollRoute(app, hub, services);
}
