/**
 * /api/v1/software: the software library. Admins upload package files (the raw bytes as the body,
 * streamed to disk, never buffered) and delete them; everyone in the account may list them.
 * Deploy one with POST /api/v1/actions `{ action: 'software.deploy', params: { package: ID } }`.
 */
import { Readable } from 'node:stream';
import {
  ErrorResponse,
  IdParams,
  Page,
  SoftwareListQuery,
  SoftwarePackage,
  SoftwareUploadQuery,
  SoftwareUploadResult,
  VigilError,
} from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import type { SoftwareService } from '../../services/software/software-service.js';
import type { RoutePlugin } from '../types.js';

/** Content types an upload may declare: the package's own, or plain bytes. */
export const PACKAGE_CONTENT_TYPES = [
  'application/octet-stream',
  'application/vnd.debian.binary-package',
  'application/x-debian-package',
  'application/x-rpm',
  'application/x-redhat-package-manager',
];

const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Software library routes. */
export function softwareRoutes(software: SoftwareService): RoutePlugin {
  return async (app) => {
    // Only in this plugin's scope: package bodies reach the handler as the raw request stream.
    app.addContentTypeParser(PACKAGE_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
    app.post(
      '/api/v1/software',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['software'],
          summary:
            'Upload a package file (.deb or .rpm) as the request body; the same bytes again answer the existing package',
          consumes: PACKAGE_CONTENT_TYPES,
          querystring: SoftwareUploadQuery,
          response: {
            200: SoftwareUploadResult,
            201: SoftwareUploadResult,
            413: ErrorResponse,
            415: ErrorResponse,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const ctx = authedContext(request);
        if (!(request.body instanceof Readable))
          throw new VigilError(
            'E_UNSUPPORTED_MEDIA_TYPE',
            `send the package file itself as the body, with Content-Type ${PACKAGE_CONTENT_TYPES[0]} (vigil software upload FILE)`,
          );
        const length = request.headers['content-length'];
        const declared = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
        const stored = await software.upload(ctx, request.body, request.query, declared);
        return reply.code(stored.duplicate ? 200 : 201).send(stored);
      },
    );
    app.get(
      '/api/v1/software',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['software'],
          summary: 'Packages of the software library, newest first',
          querystring: SoftwareListQuery,
          response: { 200: Page(SoftwarePackage), 400: ErrorResponse },
        },
      },
      async (request) => software.list(authedContext(request).principal, request.query),
    );
    app.get(
      '/api/v1/software/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['software'],
          summary: 'One package, by id or SHA-256',
          params: IdParams,
          response: { 200: SoftwarePackage, 404: ErrorResponse },
        },
      },
      async (request) => software.get(authedContext(request).principal, request.params.id),
    );
    app.delete(
      '/api/v1/software/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['software'],
          summary: 'Delete a package (refused while a software.deploy run waiting or in progress uses it)',
          params: IdParams,
          response: { 200: SoftwarePackage, ...errors },
        },
      },
      async (request) => software.delete(authedContext(request), request.params.id),
    );
  };
}
