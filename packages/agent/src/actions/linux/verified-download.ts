/**
 * Downloading a file an action was told to fetch, and proving it is the one the signed command
 * named: https verified against the pinned server CA (plain http only to loopback, for tests and
 * local mirrors), no redirects, a size limit, and the SHA-256 computed with node:crypto while the
 * bytes are written. A file that does not match is deleted before anyone can use it.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SOFTWARE_DOWNLOAD_PATH } from '@vigil/protocol/agent-runtime';
import { ACTION_ERROR, ActionFailure, refuse } from './action-failure.js';

/** Largest package file accepted (2 GiB). */
export const MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The agent's own server, for files of its software library: a library path
 * (`/agent/v1/software/<sha256>`) resolves against the server URL, and a request for one carries
 * headers signed with the agent's key (the server serves no library file without them).
 */
export interface ServerDownloads {
  /** The server URL the agent enrolled with. */
  serverUrl: string;
  /** Signed request headers for downloading the library file with this SHA-256. */
  sign(sha256: string): Promise<Record<string, string>>;
}

export interface DownloadRequest {
  url: string;
  /** Expected SHA-256, 64 hex digits. */
  sha256: string;
  /** A private directory (mode 0700) the file is written into. */
  dir: string;
  /** The file name inside `dir` (already validated by the caller). */
  fileName: string;
  /** The pinned server CA (PEM) that https downloads must chain to. */
  caPem?: string;
  signal: AbortSignal;
  maxBytes?: number;
  /** The agent's server: resolves library paths and signs their downloads (absent: absolute URLs only). */
  server?: ServerDownloads;
}

/** The URL without query or credentials, safe to report (a query may carry a download token). */
export function reportableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** A command's `url` as an absolute URL: a library path resolves against the agent's own server. */
export function resolveDownloadUrl(raw: string, server: ServerDownloads | undefined): string {
  if (!raw.startsWith('/')) return raw;
  if (!SOFTWARE_DOWNLOAD_PATH.test(raw))
    refuse('a relative `url` must be a software library path, /agent/v1/software/<sha256>');
  if (!server) refuse('this agent has no server to fetch a software library file from');
  return new URL(raw, server.serverUrl).toString();
}

/** Signed headers when `url` is a library file of the agent's own server; none for anything else. */
async function headersFor(url: URL, server: ServerDownloads | undefined): Promise<Record<string, string>> {
  if (!server || url.origin !== new URL(server.serverUrl).origin) return {};
  const file = SOFTWARE_DOWNLOAD_PATH.exec(url.pathname);
  return file ? server.sign(file[1] as string) : {};
}

/** Checks the URL: https (with a CA to pin) or http to loopback, no credentials in it. */
export function checkDownloadUrl(raw: string, caPem: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse('`url` is not a valid URL');
  }
  if (url.username || url.password) refuse('`url` must not carry a user name or password');
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      refuse(`plain http is only allowed to loopback; ${url.host} must be reached over https`);
    }
  } else if (url.protocol === 'https:') {
    if (!caPem) refuse('the agent has no pinned server CA to verify an https download with');
  } else {
    refuse(`\`url\` must be https (or http to loopback), not ${url.protocol}`);
  }
  return url;
}

function get(
  url: URL,
  caPem: string | undefined,
  signal: AbortSignal,
  extraHeaders: Record<string, string> = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = {
      signal,
      timeout: IDLE_TIMEOUT_MS,
      headers: { ...extraHeaders, accept: 'application/octet-stream' },
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, ca: caPem, rejectUnauthorized: true })
        : httpRequest(url, options);
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Downloads to `dir/fileName` and verifies the SHA-256; on any failure nothing is left behind. */
export async function downloadVerified(request: DownloadRequest): Promise<{ path: string; bytes: number }> {
  const url = checkDownloadUrl(resolveDownloadUrl(request.url, request.server), request.caPem);
  const maxBytes = request.maxBytes ?? MAX_DOWNLOAD_BYTES;
  const path = join(request.dir, request.fileName);
  const where = reportableUrl(url);
  let response: IncomingMessage;
  try {
    response = await get(url, request.caPem, request.signal, await headersFor(url, request.server));
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ActionFailure(
      ACTION_ERROR.download,
      `could not download ${where}: ${(error as Error).message}`,
    );
  }
  if (response.statusCode !== 200) {
    response.resume();
    throw new ActionFailure(
      ACTION_ERROR.download,
      `${where} answered HTTP ${response.statusCode}; expected 200`,
    );
  }
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    response.destroy();
    throw new ActionFailure(
      ACTION_ERROR.download,
      `${where} is ${declared} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new ActionFailure(ACTION_ERROR.download, `${where} sent more than the ${maxBytes}-byte limit`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, meter, createWriteStream(path, { flags: 'wx', mode: 0o600 }), {
      signal: request.signal,
    });
  } catch (error) {
    await unlink(path).catch(() => {});
    if (request.signal.aborted || error instanceof ActionFailure) throw error;
    throw new ActionFailure(
      ACTION_ERROR.download,
      `downloading ${where} failed: ${(error as Error).message}`,
    );
  }
  const actual = hash.digest('hex');
  if (actual !== request.sha256.toLowerCase()) {
    await unlink(path).catch(() => {});
    throw new ActionFailure(
      ACTION_ERROR.integrity,
      `the file from ${where} has SHA-256 ${actual}, not the ${request.sha256.toLowerCase()} the command named; it was deleted and nothing was installed`,
      { expected_sha256: request.sha256.toLowerCase(), actual_sha256: actual, bytes },
    );
  }
  return { path, bytes };
}
