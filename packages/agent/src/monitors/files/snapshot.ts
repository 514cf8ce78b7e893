/**
 * What the file monitor remembers of a watched file — hash, owner, mode, size and, for small text
 * files, the content (so the next change can be shown as a diff) — and how it reads it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
import { sha256File } from '../../actions/hash-file.js';

/** Files up to this size are read whole (hash and content in one read). */
export const SMALL_FILE_BYTES = 64 * 1024;

/** What is known of one file. */
export interface FileSnapshot {
  sha256: string | null;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** The text, for small text files whose diffs are wanted. */
  content?: string;
}

/** Whether a buffer looks like text (no NUL byte in its first 8 KiB). */
export function isText(buf: Buffer): boolean {
  return !buf.subarray(0, 8192).includes(0);
}

/** Options of one read. */
export interface ReadOptions {
  /** Hash files up to this size (larger ones get sha256 null). */
  hashLimit: number;
  /** Keep the text of small text files. */
  keepContent: boolean;
}

/** Read a file's snapshot; null when it is gone or not a regular file. */
export async function readSnapshot(path: string, options: ReadOptions): Promise<FileSnapshot | null> {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  const base = { size: st.size, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  try {
    if (st.size <= SMALL_FILE_BYTES && st.size <= options.hashLimit) {
      const buf = readFileSync(path);
      const snapshot: FileSnapshot = { ...base, sha256: createHash('sha256').update(buf).digest('hex') };
      if (options.keepContent && isText(buf)) snapshot.content = buf.toString('utf8');
      return snapshot;
    }
    if (st.size <= options.hashLimit) return { ...base, sha256: await sha256File(path) };
  } catch {
    // Gone or unreadable between stat and read: report what stat said, without a hash.
  }
  return { ...base, sha256: null };
}

/** Octal text of a mode's permission bits, e.g. `0644`, `4755`. */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
