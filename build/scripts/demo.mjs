// `npm run demo`: the reference server on its embedded PostgreSQL (PGlite), seeded with Synthea
// patients, and the workstation through the browser host. Both keep their data under .data/
// between runs; --fresh starts both afresh.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { checkNode, ensureDependencies, fail, root, run } from './prerequisites.mjs';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'server-port': { type: 'string', default: '8480' },
    'workstation-port': { type: 'string', default: '5180' },
    ward: { type: 'string', default: 'ward-4a' },
    'data-dir': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo -- [options]

  --fresh                 delete .data/ first: reseed the server and resync the workstation
  --server-port N         port of the reference server on 127.0.0.1 (default 8480)
  --workstation-port N    port of the workstation's browser host on 127.0.0.1 (default 5180)
  --ward ID               ward the workstation serves: ward-4a or ward-7b (default ward-4a)
  --data-dir DIR          folder of the server's and the workstation's data and logs (default .data)
  --skip-build            use the existing dist/ instead of building first`);
  process.exit(0);
}

checkNode();
ensureDependencies();
if (!values['skip-build']) run('npm', ['run', 'build']);

const dataDirectory = resolve(values['data-dir'] ?? join(root, '.data'));
if (values.fresh) {
  rmSync(dataDirectory, { recursive: true, force: true });
  console.log(`Deleted ${dataDirectory}: the server reseeds and the workstation syncs afresh.`);
}

const serverUrl = `http://127.0.0.1:${values['server-port']}`;
const logDirectory = join(dataDirectory, 'logs');
mkdirSync(logDirectory, { recursive: true });
const children = [];

/** Starts a Node process whose JSON log lines go to .data/logs/<name>.log. */
function start(name, script, args) {
  const logPath = join(logDirectory, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, [join(root, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout.pipe(log);
  child.stderr.on('data', (chunk) => {
    process.stderr.write(`[${name}] ${chunk}`);
    log.write(chunk);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\nThe ${name} stopped (exit status ${code ?? signal}); stopping the demo. Last lines of ${logPath}:\n`);
    log.end(() => {
      console.error(readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-10).join('\n'));
      stopAll(1);
    });
  });
  return child;
}

let stopping = false;
function stopAll(exitCode = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(exitCode), 1500).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(`The reference server did not answer on ${url}/health/ within ${timeoutMs / 1000} s; see its log above.`);
}

console.log(`Starting the reference server on ${serverUrl} (embedded PostgreSQL in ${join(dataDirectory, 'server')}, seeding on first start)...`);
start('server', 'dist/node/sync/server/main.js', ['--port', values['server-port'], '--data-dir', join(dataDirectory, 'server'), '--seed']);
await waitForHealth(serverUrl, 120_000);

const workstation = start('workstation', 'dist/node/main/browser-host/main.js', [
  '--data-dir', join(dataDirectory, 'workstation'), '--server-url', serverUrl, '--ward', values.ward, '--port', values['workstation-port'],
]);

const { DEMO_USERS } = await import(pathToFileURL(join(root, 'dist/node/sync/server/seed/users.js')).href);
let buffered = '';
const findAddress = (chunk) => {
  buffered += chunk;
  const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(buffered);
  if (!match) return;
  workstation.stdout.off('data', findAddress);
  console.log(`
HMS Workstation demo is running.

  Open:  ${match[1]}

  Ward:  ${values.ward}    Central server: ${serverUrl}

  Demo users (synthetic data only; never use these accounts with real patients):
${DEMO_USERS.map((user) => `    ${user.username.padEnd(18)} password ${user.password.padEnd(24)} ${user.roles.join(', ')}`).join('\n')}

  Logs: ${logDirectory}
  Press Ctrl+C to stop both.
`);
};
workstation.stdout.on('data', findAddress);
