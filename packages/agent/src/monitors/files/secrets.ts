/**
 * What of a watched file's content may leave the host in an alert. Private keys (the agent's own,
 * SSH host keys) never do: their change is reported with hashes only. The password hashes of
 * /etc/shadow and /etc/gshadow are replaced by a short fingerprint, so a diff still shows whose
 * entry changed (and that the hash did) without carrying the hash.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { WatchCategory } from './watch-list.js';

/** How a file's text is treated: kept as is, kept with password hashes masked, or not kept. */
export type ContentPolicy = 'plain' | 'mask_hashes' | 'withhold';

/** The policy for a path. */
export function contentPolicy(path: string, category: WatchCategory): ContentPolicy {
  const name = posix.basename(path);
  if (
    category === 'agent' ||
    /(^|[._-])key$/.test(name) ||
    /^ssh_host_.*_key$/.test(name) ||
    name.endsWith('.pem')
  )
    return 'withhold';
  if (path.endsWith('/shadow') || path.endsWith('/gshadow') || name === 'shadow-' || name === 'gshadow-')
    return 'mask_hashes';
  return 'plain';
}

/** Lines of a shadow-style file with the second field (the hash) replaced by a fingerprint of it. */
export function maskHashes(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const parts = line.split(':');
      if (parts.length < 3) return line;
      const hash = parts[1] as string;
      // Empty, locked (!, *) and disabled markers say something and are no secret.
      if (hash === '' || /^[!*]+$/.test(hash)) return line;
      const locked = hash.startsWith('!') ? '!' : '';
      parts[1] = `${locked}[hash ${createHash('sha256').update(hash).digest('hex').slice(0, 8)}]`;
      return parts.join(':');
    })
    .join('\n');
}
