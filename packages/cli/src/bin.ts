/** Entry point of the `vigil` binary. */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// A failed run exits at once (a half-started server may hold handles); a successful one lets the
// event loop drain, so `vigil server` keeps serving until a signal stops it.
if (code !== 0) process.exit(code);
