// The writer of `npm run bench -- monitors flood`: a child process of its own (so it shares no event
// loop with the server, the agent or the measurement) that makes `rate` file changes a second in
// `dir` for `seconds`, over `files` files, and counts them.
// argv: <dir> <rate> <seconds> [files = 1000]
//
// Each change is one pwrite of a fixed-width line at offset 0 of a file it keeps open: new content
// (the sequence number), one IN_MODIFY for the watcher. Not writeFileSync: on ext4 an open with
// O_TRUNC of a file with data, then close, makes the kernel write the file out and wait for the disk
// (the replace-via-truncate heuristic, auto_da_alloc) — about 170 µs a change, which capped the
// earlier writer at ~5,800 changes/s alone and ~1,750/s beside the agent and the server.
//
// Paced to the clock: each tick (about every millisecond) writes what is due by now, at most 100 ms
// worth, so a writer held up by the scheduler catches up without one long burst. Prints one JSON
// line: changes written (each counted when pwrite returned the whole line), seconds, and the changes
// of each whole second.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const [dir, rateArg, secondsArg, filesArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const files = Number(filesArg ?? 1000);
if (!(rate > 0 && seconds > 0 && files > 0)) {
  console.error('usage: monitors-flood-writer.mjs <dir> <rate> <seconds> [files]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const LINE = 48;
const line = (n) => `* * * * * root /bin/true ${n}`.padEnd(LINE - 1, ' ') + '\n';
const fds = [];
for (let i = 0; i < files; i++) {
  const fd = openSync(join(dir, `job${i}`), 'w');
  writeSync(fd, line(-1), 0);
  fds.push(fd);
}

const total = Math.floor(rate * seconds);
const maxBurst = Math.max(1, Math.ceil(rate / 10));
const perSecond = new Array(Math.ceil(seconds)).fill(0);
let written = 0;
let failed = 0;
const start = performance.now();

const finish = () => {
  const elapsed = (performance.now() - start) / 1000;
  for (const fd of fds) closeSync(fd);
  console.log(JSON.stringify({ written, failed, seconds: elapsed, files, per_second: perSecond }));
  process.exit(0);
};

const tick = () => {
  const elapsed = performance.now() - start;
  const due = Math.min(total, Math.floor((elapsed / 1000) * rate), written + failed + maxBurst);
  const second = Math.min(perSecond.length - 1, Math.floor(elapsed / 1000));
  for (let n = written + failed; n < due; n++) {
    if (writeSync(fds[n % files], line(n), 0) === LINE) {
      written += 1;
      perSecond[second] += 1;
    } else failed += 1;
  }
  if (written + failed >= total || elapsed >= (seconds + 30) * 1000) finish();
  else setTimeout(tick, 1);
};
tick();
