/** Who is calling: the identity every service checks and every audit record names. */
import type { UserRole } from '@vigil/protocol';

/** An authenticated console user or API token. */
export interface Principal {
  kind: 'session' | 'token';
  userId: string;
  accountId: string;
  role: UserRole;
  email: string;
  sessionId?: string;
  tokenId?: string;
  csrfHash?: string;
}

/** The request facts a service records with a change. */
export interface RequestContext {
  principal: Principal | null;
  ip: string | null;
}

/** The audit actor string for a principal. */
export function actorOf(p: Principal | null): { actor: string; actor_name: string } {
  if (!p) return { actor: 'anonymous', actor_name: 'anonymous' };
  return p.kind === 'token'
    ? { actor: `token:${p.tokenId}`, actor_name: p.email }
    : { actor: `user:${p.userId}`, actor_name: p.email };
}
