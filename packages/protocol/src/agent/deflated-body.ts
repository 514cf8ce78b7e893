/**
 * Deflated command bodies (`checks.set_deflated`): the sender deflates a body's JSON; the agent
 * inflates it only after the command's signature verified, and never past a fixed bound, so a
 * small signed message cannot expand into an unbounded one (a decompression bomb).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { VigilError } from '../errors.js';

/** The most a deflated body may inflate to: the largest message the channel carries. */
export const MAX_INFLATED_BODY_BYTES = 4 * 1024 * 1024;

/** The encoding an agent names in its status `accepts` to be sent deflated bodies. */
export const DEFLATE_ENCODING = 'deflate' as const;

/** A value's JSON, raw-deflated, in base64. */
export function deflateJson(value: unknown): string {
  return deflateRawSync(Buffer.from(JSON.stringify(value), 'utf8')).toString('base64');
}

/** The JSON value a deflateJson string holds; E_VALIDATION if it is not deflate, too large or not JSON. */
export function inflateJson(deflated: string): unknown {
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(deflated, 'base64'), { maxOutputLength: MAX_INFLATED_BODY_BYTES });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new VigilError(
      'E_VALIDATION',
      tooLarge
        ? `the deflated body inflates past ${MAX_INFLATED_BODY_BYTES} bytes`
        : 'the deflated body is not raw deflate data',
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new VigilError('E_VALIDATION', 'the inflated body is not JSON');
  }
}
