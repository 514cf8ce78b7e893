/** Random secrets, their stored hashes, and constant-time comparison. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A new random secret with a recognisable prefix (so leaked tokens can be spotted by scanners). */
export function newSecret(prefix: 'vgs' | 'vgt' | 'vgc' | 'vge'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 hex of a secret: what the store keeps for tokens. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compare two strings in constant time (length differences still return false). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** argon2id (Algorithm.Argon2id = 2; the enum is const and cannot be imported under verbatimModuleSyntax). */
const ARGON_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON_OPTIONS);
}

/** A real hash to verify against when the user does not exist, so timing does not reveal it. */
let decoyHash: Promise<string> | undefined;

/** Verify a password against a stored hash (or against a decoy when there is no user). */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (!storedHash) {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}

/** A readable random password for first-start admins (24 base64url chars ≈ 144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
