/** `vigil server`: build, ensure a first admin if asked, listen, print the banner, shut down cleanly. */

import { buildApp, type VigilApp } from './app.js';
import type { ServerConfig } from './config.js';
import { generatePassword } from './services/secrets.js';

/** What the banner shows (first start only for the password). */
export interface StartedServer {
  vigil: VigilApp;
  url: string;
  adminEmail?: string;
  adminPassword?: string;
}

/** Start a server node; resolves once it listens. */
export async function startServer(config: ServerConfig): Promise<StartedServer> {
  const vigil = await buildApp({ config });
  let adminPassword: string | undefined;
  if (config.adminEmail && !(await vigil.services.auth.hasUsers())) {
    adminPassword = generatePassword();
    await vigil.services.auth.setup(
      { principal: null, ip: null },
      { email: config.adminEmail, password: adminPassword },
    );
  }
  await vigil.app.listen({ host: config.host, port: config.port });
  const address = vigil.app.server.address();
  // On an ephemeral port (`--listen HOST:0`) the derived public URL only learns its port now;
  // the services share this config, so enrollment install lines carry the real port too.
  if (config.port === 0 && typeof address === 'object' && address)
    config.publicUrl = config.publicUrl.replace(/:0$/, `:${address.port}`);
  return {
    vigil,
    url: config.publicUrl,
    ...(config.adminEmail ? { adminEmail: config.adminEmail } : {}),
    ...(adminPassword ? { adminPassword } : {}),
  };
}

/** Close on SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the store. */
export function closeOnSignals(close: () => Promise<void>, log: (msg: string) => void = console.error): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`received ${signal}, shutting down`);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
