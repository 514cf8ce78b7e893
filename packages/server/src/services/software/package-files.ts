/**
 * Where the software library keeps its bytes: `<data dir>/software/<sha256>`. An upload streams
 * into a private temporary file while node:crypto hashes it and a meter enforces the size limit;
 * only a complete file is renamed to its hash. Paths are built from a validated hash alone, so
 * no name a client sends ever becomes part of one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type ReadStream, rmSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VigilError } from '@vigil/protocol';

const SHA256 = /^[0-9a-f]{64}$/;
/** Bytes kept from the start of an upload to recognise its format. */
const HEAD_BYTES = 80;

/** A received upload: still in its temporary file until committed. */
export interface ReceivedFile {
  tmpPath: string;
  sha256: string;
  size: number;
  /** The first bytes, to recognise .deb and .rpm files. */
  head: Buffer;
}

/** The library's file area. */
export class PackageFiles {
  readonly dir: string;
  private readonly incoming: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'software');
    this.incoming = join(this.dir, '.incoming');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Uploads interrupted by a crash or stop leave temporary files: nobody can finish them.
    rmSync(this.incoming, { recursive: true, force: true });
    mkdirSync(this.incoming, { mode: 0o700 });
  }

  /** The path of a stored file; refuses anything but a SHA-256 (no other name can reach the disk). */
  pathOf(sha256: string): string {
    if (!SHA256.test(sha256))
      throw new VigilError('E_SOFTWARE_NOT_FOUND', 'a package file is named by its SHA-256');
    return join(this.dir, sha256);
  }

  /**
   * Stream `body` into a temporary file, hashing and counting; more than `maxBytes` fails with
   * E_BODY_TOO_LARGE. Nothing is left behind on failure.
   */
  async receive(body: Readable, maxBytes: number): Promise<ReceivedFile> {
    const tmpPath = join(this.incoming, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) {
          done(
            new VigilError(
              'E_BODY_TOO_LARGE',
              `the package is larger than this server's limit of ${maxBytes} bytes (--software-max-size)`,
              // Do not keep reading the rest of an oversized upload on this connection.
              { headers: { connection: 'close' } },
            ),
          );
          return;
        }
        if (kept < HEAD_BYTES) {
          chunks.push(chunk.subarray(0, HEAD_BYTES - kept));
          kept += Math.min(chunk.length, HEAD_BYTES - kept);
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // The request is piped, not part of the pipeline: a refusal must not destroy it (and its
    // socket) before the 413 answer is written. A client that goes away still fails the pipeline.
    const aborted = () => {
      if (!body.readableEnded) meter.destroy(new Error('the client closed the upload'));
    };
    body.on('error', aborted);
    body.on('close', aborted);
    body.pipe(meter);
    try {
      await pipeline(meter, createWriteStream(tmpPath, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      body.unpipe(meter);
      await unlink(tmpPath).catch(() => {});
      if (error instanceof VigilError) throw error;
      throw new VigilError('E_BAD_REQUEST', 'the upload was interrupted before the whole file arrived', {
        cause: error,
      });
    } finally {
      body.off('error', aborted);
      body.off('close', aborted);
    }
    return { tmpPath, sha256: hash.digest('hex'), size, head: Buffer.concat(chunks) };
  }

  /** Move a received file to its hash name (the same bytes may already be there: same content). */
  async commit(file: ReceivedFile): Promise<void> {
    await rename(file.tmpPath, this.pathOf(file.sha256));
  }

  /** Drop a received file that will not be kept. */
  async discard(file: ReceivedFile): Promise<void> {
    await unlink(file.tmpPath).catch(() => {});
  }

  /** Remove a stored file (gone already is fine). */
  async remove(sha256: string): Promise<void> {
    await unlink(this.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Whether a stored file is on disk. */
  async exists(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  /** Open a stored file for reading with its size, or undefined when it is not on disk. */
  async open(sha256: string): Promise<{ stream: ReadStream; size: number } | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // The size of the very file being streamed (fstat), even if the name is replaced meanwhile.
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      return undefined;
    }
    return { stream: handle.createReadStream(), size: info.size };
  }
}
