/**
 * GET /agent/v1/software/<sha256>: how an agent fetches a package of the server's software library
 * for a `software.deploy` command. No bearer secret: like a poll, the request is signed with the
 * agent's enrolled Ed25519 key over its time, a nonce, the file's SHA-256 and the server
 * certificate's fingerprint, in the POLL_HEADERS. The server serves only files a pending
 * software.deploy run of that device names.
 */

/** The path prefix of library downloads; the file is named by its SHA-256 and nothing else. */
export const SOFTWARE_DOWNLOAD_PREFIX = '/agent/v1/software/';

/** A library download path: the prefix and 64 lower-case hex digits. */
export const SOFTWARE_DOWNLOAD_PATH = /^\/agent\/v1\/software\/([0-9a-f]{64})$/;

/** The download path of the file with this SHA-256. */
export function softwareDownloadPath(sha256: string): string {
  return `${SOFTWARE_DOWNLOAD_PREFIX}${sha256}`;
}

/** What the agent signs for one download (bound to the file and the pinned server certificate). */
export function downloadProofBytes(
  agentId: string,
  time: number,
  nonce: string,
  sha256: string,
  certFingerprint: string,
): Buffer {
  return Buffer.from(
    `vigil-download-v1\n${agentId}\n${time}\n${nonce}\n${sha256}\n${certFingerprint}`,
    'utf8',
  );
}
