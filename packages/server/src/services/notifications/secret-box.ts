/**
 * Route secrets (webhook signing secrets, SMTP passwords) are kept encrypted in the store with
 * AES-256-GCM under a key derived (HKDF-SHA256) from the server's command-signing key, so a copy
 * of the database alone does not reveal them. Every node of a cluster shares that key already.
 */
import { createCipheriv, createDecipheriv, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { VigilError } from '@vigil/protocol';

const VERSION = 'v1';

/** Seals and opens route secrets. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(signingKey: KeyObject) {
    const ikm = signingKey.export({ format: 'der', type: 'pkcs8' });
    this.key = Buffer.from(hkdfSync('sha256', ikm, 'vigil', 'notification route secrets v1', 32));
  }

  /** Encrypt a secret for the store. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** Decrypt a stored secret; a secret sealed under another key is a clear configuration error. */
  open(sealed: string): string {
    const [version, data] = sealed.split('.', 2);
    if (version !== VERSION || !data)
      throw new VigilError('E_CONFIG', 'a stored route secret has an unknown format; set it again');
    const raw = Buffer.from(data, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new VigilError(
        'E_CONFIG',
        'a stored route secret cannot be decrypted (was the server key replaced?); set it again',
        { cause: error },
      );
    }
  }
}
