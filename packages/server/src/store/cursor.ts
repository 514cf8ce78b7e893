/** Keyset pagination cursors: the sort value and id of the last row of a page, opaque to clients. */
import { VigilError } from '@vigil/protocol';

/** Encode the position after a row. */
export function encodeCursor(sortValue: string | null, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

/** Decode a cursor from a client; a tampered one is a clear 400. */
export function decodeCursor(cursor: string): { sortValue: string | null; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || parsed[0] === null) &&
      typeof parsed[1] === 'string'
    ) {
      return { sortValue: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new VigilError('E_BAD_REQUEST', 'the cursor is not one this server issued; start again without it');
}
