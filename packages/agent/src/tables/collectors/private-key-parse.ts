/** What can be told about a private key file without its passphrase. */
export interface PrivateKeyInfo {
  encrypted: number;
  keyType: string;
  groupName: string;
  length: number | null;
}

const PEM_TYPES: Record<string, string> = { RSA: 'rsa', DSA: 'dsa', EC: 'ec' };
const CURVES: Record<string, { group: string; bits: number }> = {
  nistp256: { group: 'prime256v1', bits: 256 },
  nistp384: { group: 'secp384r1', bits: 384 },
  nistp521: { group: 'secp521r1', bits: 521 },
};

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(): Buffer {
    const n = this.buf.readUInt32BE(this.offset);
    const out = this.buf.subarray(this.offset + 4, this.offset + 4 + n);
    if (out.length !== n) throw new RangeError('truncated key');
    this.offset += 4 + n;
    return out;
  }
  string(): string {
    return this.bytes().toString('latin1');
  }
  uint32(): number {
    const n = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return n;
  }
}

function bitLength(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i += 1;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (mpint[i] as number).toString(2).length;
}

function openSsh(body: string): PrivateKeyInfo | null {
  const buf = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) return null;
  try {
    const r = new Reader(buf.subarray(magic.length));
    const cipher = r.string();
    r.string();
    r.bytes();
    r.uint32();
    const pub = new Reader(r.bytes());
    const type = pub.string();
    const info: PrivateKeyInfo = {
      encrypted: cipher === 'none' ? 0 : 1,
      keyType: '',
      groupName: '',
      length: null,
    };
    if (type === 'ssh-rsa') {
      pub.bytes();
      return { ...info, keyType: 'rsa', length: bitLength(pub.bytes()) };
    }
    if (type === 'ssh-ed25519') return { ...info, keyType: 'ed25519' };
    if (type === 'ssh-dss') return { ...info, keyType: 'dsa', length: bitLength(pub.bytes()) };
    const curve = /^ecdsa-sha2-(nistp\d+)$/.exec(type)?.[1];
    const known = curve === undefined ? undefined : CURVES[curve];
    if (known !== undefined) return { ...info, keyType: 'ec', groupName: known.group, length: known.bits };
    return info;
  } catch {
    return null;
  }
}

/** Recognises a PEM or OpenSSH private key; null when the text is not one. */
export function inspectPrivateKey(text: string): PrivateKeyInfo | null {
  const m = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----([\s\S]*?)-----END /.exec(text);
  if (m === null) return null;
  const label = (m[1] ?? '').trim();
  const body = m[2] ?? '';
  if (label === 'OPENSSH') return openSsh(body);
  if (label === 'ENCRYPTED') return { encrypted: 1, keyType: '', groupName: '', length: null };
  const encrypted = /Proc-Type:\s*4,ENCRYPTED/.test(body) ? 1 : 0;
  return { encrypted, keyType: PEM_TYPES[label] ?? '', groupName: '', length: null };
}
