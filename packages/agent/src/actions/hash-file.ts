/** SHA-256 of a file, streamed and abortable (files an action acts on can be large). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The hex SHA-256 of the file at `path`; rejects when it cannot be read or the signal aborts. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, signal ? { signal } : {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
