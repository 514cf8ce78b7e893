/** Public key algorithms that may start an authorized_keys / known_hosts key. */
const KEY_TYPE =
  /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com|ssh-(rsa|ed25519|dss)-cert-v01@openssh\.com|ecdsa-sha2-nistp(256|384|521)-cert-v01@openssh\.com)$/;

/** One parsed authorized_keys line. */
export interface AuthorizedKey {
  options: string;
  algorithm: string;
  key: string;
  comment: string;
}

/** Splits off the leading options field, which may contain quoted spaces. */
function splitOptions(line: string): { options: string; rest: string } {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && quoted) i += 1;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ' ' || ch === '\t'))
      return { options: line.slice(0, i), rest: line.slice(i).trim() };
  }
  return { options: line, rest: '' };
}

/** Parses an authorized_keys line ("[options] algorithm key [comment]"); null for blanks, comments and junk. */
export function parseAuthorizedKey(raw: string): AuthorizedKey | null {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return null;
  let options = '';
  let rest = line;
  if (!KEY_TYPE.test(line.split(/\s+/)[0] ?? '')) {
    ({ options, rest } = splitOptions(line));
  }
  const [algorithm, key, ...comment] = rest.split(/\s+/);
  if (algorithm === undefined || key === undefined || !KEY_TYPE.test(algorithm)) return null;
  return { options, algorithm, key, comment: comment.join(' ') };
}
