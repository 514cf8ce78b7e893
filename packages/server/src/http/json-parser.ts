/** A JSON body parser that refuses invalid UTF-8 instead of silently replacing bytes. */

import { VigilError } from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replace Fastify's JSON parser with one that checks UTF-8 first, then parses safely, and drop
 * the built-in text/plain parser so any body that is not JSON is refused with 415.
 */
export function installStrictJsonParser(app: FastifyInstance): void {
  // Fastify parses text/plain by default; a JSON route would then see a string and answer a
  // misleading validation error instead of E_UNSUPPORTED_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new VigilError('E_BAD_REQUEST', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
