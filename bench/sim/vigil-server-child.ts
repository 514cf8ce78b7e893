/**
 * A real Vigil server (SQLite store, real TLS) in its own process for benchmarks, so the server's
 * CPU is not shared with the simulated fleet's event loop. Prints one JSON line with what a fleet
 * needs, then runs until stdin closes.
 */
import { startTestServer } from '../../packages/server/src/test-support/test-app.js';

const s = await startTestServer('sqlite');
const tok = await s.call('POST', '/api/v1/enrollment-tokens', {
  token: s.adminToken,
  body: { tags: ['sim'] },
});
if (tok.status !== 201) throw new Error(`enrollment token: ${JSON.stringify(tok.body)}`);
process.stdout.write(
  `${JSON.stringify({
    url: s.url,
    caPem: s.vigil.services.keys.ca.certPem,
    signingPublicKey: s.vigil.services.keys.signingPublicKey,
    adminToken: s.adminToken,
    enrollmentToken: tok.body.token,
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void s.stop().then(() => process.exit(0));
});
