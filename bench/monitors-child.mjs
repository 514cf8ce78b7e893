// A child process for `npm run bench -- monitors idle`: the agent's monitor service alone, from the
// built agent (npm run build), so its CPU and memory can be read from /proc without the parent's.
// argv: <state dir> <mode: baseline | monitors | files | auth | processes | network | persistence>
import { Outbox } from '../packages/agent/dist/daemon/outbox.js';
import { MonitorService } from '../packages/agent/dist/monitors/service.js';

const [state, mode] = process.argv.slice(2);
const quiet = { info() {}, warn() {}, error() {} };
const outbox = new Outbox(state);
const service = new MonitorService({
  stateDir: state,
  root: '/',
  outbox,
  log: quiet,
  serverUrl: 'https://127.0.0.1:9',
});
if (mode !== 'baseline') {
  if (mode !== 'monitors') {
    const rules = service.current().rules.filter((r) => r.monitor === mode);
    await service.replace({ digest: mode, rules, responses: [] });
  }
  await service.start();
}
console.log('ready');
process.stdin.on('data', async () => {
  const alerts = outbox.depth();
  await service.stop();
  outbox.close();
  console.log(JSON.stringify({ alerts }));
  process.exit(0);
});
