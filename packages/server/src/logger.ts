/** Structured logging with pino; secrets are redacted wherever they could appear. */
import pino, { type Logger } from 'pino';

/** Paths pino censors in every log line (headers, bodies, our own fields). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'secret',
  'csrf_token',
  '*.password',
  '*.token',
  '*.secret',
  '*.csrf_token',
  '*.private_key',
  'body.password',
];

/** The pino options the server uses (also handed to Fastify). */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'vigil-server' },
  };
}

/** A standalone logger writing to the given stream (stdout by default). */
export function createLogger(level: string, stream?: pino.DestinationStream): Logger {
  return stream ? pino(loggerOptions(level), stream) : pino(loggerOptions(level));
}
