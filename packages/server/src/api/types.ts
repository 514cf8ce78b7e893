/** The shape of a route plugin: a Fastify plugin typed by TypeBox that receives the services. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services/index.js';

/** A REST resource: one folder, one plugin. */
export type RoutePlugin = FastifyPluginAsyncTypebox<{ services: Services }>;
