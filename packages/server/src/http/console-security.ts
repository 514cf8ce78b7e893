/**
 * Response headers for the web console's files. The console is built with no inline script or
 * style (packages/web/vite.config.ts), so the Content-Security-Policy can allow only its own
 * origin: an injected <script> or style attribute does not run, and no other origin can frame it.
 */
import type { SendOptions } from '@fastify/static';
import type { FastifyReply } from 'fastify';

/** The console's Content-Security-Policy. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isHashedAsset = (file: string) => file.startsWith('assets/');

/** Set the console's security and caching headers on a reply that serves `file` (relative to the web dir). */
export function setConsoleHeaders(reply: FastifyReply, file: string): void {
  // index.html and the unhashed files must be revalidated so a new build is picked up at once.
  if (!isHashedAsset(file)) void reply.header('cache-control', 'no-cache');
  void reply.header('content-security-policy', CONSOLE_CSP);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header('x-frame-options', 'DENY');
}

/** @fastify/static options for `file`: content-hashed assets are cached for a year. */
export function consoleSendOptions(file: string): SendOptions {
  return isHashedAsset(file) ? { immutable: true, maxAge: '365d' } : { cacheControl: false };
}
