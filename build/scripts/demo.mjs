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
    'server-only': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo -- [options]

  --fresh                 delete the data folder first: reseed the server and resync the
                          workstation. Changes that never reached the server are lost.
  --server-port N         port of the reference server on 127.0.0.1 (default 8480)
  --workstation-port N    port of the workstation's browser host on 127.0.0.1 (default 5180)
  --ward ID               ward the workstation serves: ward-4a or ward-7b (default ward-4a)
  --data-dir DIR          folder of the server's and the workstation's data and logs (default .data)
  --server-only           start only the reference server, for example after stopping it to see
                          the workstation work offline
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
mkdirSync(logDirectory, { recursive: true, mode: 0o700 });
const children = [];
let stopping = false;

function stopAll(exitCode = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(exitCode), 1500).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

function lastLines(path) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts the reference server; its JSON log goes to <data>/logs/server.log, readable by this user only. */
function startServer() {
  const logPath = join(logDirectory, 'server.log');
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  const args = ['--port', values['server-port'], '--data-dir', join(dataDirectory, 'server'), '--seed'];
  const child = spawn(process.execPath, [join(root, 'dist/node/sync/server/main.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout.pipe(log);
  child.stderr.on('data', (chunk) => {
    process.stderr.write(`[server] ${chunk}`);
    log.write(chunk);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    if (values['server-only']) {
      console.error(`\nThe reference server stopped (exit status ${code ?? signal}). Last lines of ${logPath}:\n${lastLines(logPath)}`);
      stopAll(1);
      return;
    }
    // The workstation goes on offline: that is what it is for.
    console.error(`\nThe reference server stopped (exit status ${code ?? signal}); the workstation keeps working offline.
Start the server again in another terminal with:  npm run demo -- --server-only --skip-build${values['data-dir'] ? ` --data-dir ${values['data-dir']}` : ''} --server-port ${values['server-port']}\n`);
  });
  return child;
}

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
  }
  fail(`The reference server did not answer on ${url}/health/ within ${timeoutMs / 1000} s; see ${join(logDirectory, 'server.log')}.`);
}

console.log(`Starting the reference server on ${serverUrl} (embedded PostgreSQL in ${join(dataDirectory, 'server')}, seeding on first start)...`);
const server = startServer();
await waitForHealth(serverUrl, 120_000);

if (values['server-only']) {
  console.log(`\nThe reference server is running on ${serverUrl} (process ${server.pid}). Press Ctrl+C to stop it.\n`);
} else {
  // The browser host logs to <data>/workstation/logs itself; its standard output carries only the
  // address with the launch token, which is never written to a file.
  const workstationData = join(dataDirectory, 'workstation');
  const args = ['--data-dir', workstationData, '--server-url', serverUrl, '--ward', values.ward, '--port', values['workstation-port']];
  const workstation = spawn(process.execPath, [join(root, 'dist/node/main/browser-host/main.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(workstation);
  workstation.stderr.on('data', (chunk) => process.stderr.write(`[workstation] ${chunk}`));
  workstation.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\nThe workstation stopped (exit status ${code ?? signal}); stopping the demo. See ${join(workstationData, 'logs')}.`);
    stopAll(1);
  });

  const { DEMO_USERS } = await import(pathToFileURL(join(root, 'dist/node/sync/server/seed/users.js')).href);
  let buffered = '';
  const findAddress = (chunk) => {
    buffered += chunk;
    const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(buffered);
    if (!match) return;
    workstation.stdout.off('data', findAddress);
    workstation.stdout.resume();
    console.log(`
HMS Workstation demo is running.

  Open:  ${match[1]}
         (a new address at every start: the part after # is this launch's token)

  Ward:  ${values.ward}    Central server: ${serverUrl} (process ${server.pid})

  Demo users (synthetic data only; never use these accounts with real patients):
${DEMO_USERS.map((user) => `    ${user.username.padEnd(18)} password ${user.password.padEnd(24)} ${user.roles.join(', ')}`).join('\n')}

  To see the workstation offline, stop only the server (kill ${server.pid}), chart, then start it
  again with: npm run demo -- --server-only --skip-build

  Logs: ${logDirectory} (server), ${join(workstationData, 'logs')} (workstation)
  Press Ctrl+C to stop.
`);
  };
  workstation.stdout.on('data', findAddress);
}
