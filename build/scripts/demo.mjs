// `npm run demo`: the reference server on its embedded PostgreSQL (PGlite), seeded with Synthea
// patients, and the workstation through the browser host. Both keep their data under .data/
// between runs; --fresh starts both afresh.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { checkNode, ensureDependencies, fail, root, run } from './prerequisites.mjs';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'server-port': { type: 'string', default: '8480' },
    'workstation-port': { type: 'string', default: '5180' },
    'pacs-port': { type: 'string', default: '8442' },
    ward: { type: 'string', default: 'ward-4a' },
    'data-dir': { type: 'string' },
    'server-only': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    lab: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo -- [options]

  --fresh                 delete the data folder first: reseed the server and resync the
                          workstation. Changes that never reached the server are lost.
  --server-port N         port of the reference server on 127.0.0.1 (default 8480)
  --workstation-port N    port of the workstation's browser host on 127.0.0.1 (default 5180)
  --pacs-port N           HTTP port of the demo PACS, Debian's Orthanc with DICOMweb (default
                          8442). It runs where Orthanc is installed (Debian: apt-get install
                          orthanc orthanc-dicomweb) and holds sample studies of ward patients.
  --ward ID               ward the workstation serves: ward-4a or ward-7b (default ward-4a)
  --data-dir DIR          folder of the server's and the workstation's data and logs (default .data)
  --server-only           start only the reference server, for example after stopping it to see
                          the workstation work offline
  --skip-build            use the existing dist/ instead of building first
  --lab                   start a lab bench instead of a ward workstation: it serves the Core
                          Laboratory (lab-core), and a simulated cobas c 311 on a serial line
                          (a socat pty pair) sends results for a seeded specimen and for one the
                          workstation does not know. Sign in as lab-technician. Needs socat.`);
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
const ward = values.lab ? 'lab-core' : values.ward;
if (values.lab && spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
  fail('--lab needs socat for the simulated serial line between the analyzer and the workstation: install it (Debian: apt-get install socat) and start the demo again.');
}
const logDirectory = join(dataDirectory, 'logs');
/** The wristband barcode of the demo site, as README's medication section shows it. */
const DEMO_WRISTBAND_PATTERN = 'MRN(?<mrn>\\d{8})';
/** The simulated serial line of --lab: a socat pty pair, the analyzer on one end, the workstation on the other. */
const labLine = { analyzer: join(dataDirectory, 'lab-line', 'analyzer'), workstation: join(dataDirectory, 'lab-line', 'workstation') };
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
  prepareScanning(workstationData);
  if (values.lab) prepareLabBench(workstationData);
  const imaging = values.lab ? null : await preparePacs(workstationData);
  const args = ['--data-dir', workstationData, '--server-url', serverUrl, '--ward', ward, '--port', values['workstation-port']];
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

  Ward:  ${ward}    Central server: ${serverUrl} (process ${server.pid})${imaging ? `

  Imaging: ${imaging}` : ''}${values.lab ? `

  Lab:   a simulated cobas c 311 on ${labLine.analyzer} sends its results once the workstation
         is up; sign in as lab-technician to see them and the review queue. Replay them with:
         node bin/hms-lab.mjs simulate --serial ${labLine.analyzer} test/fixtures/astm/senaite_cobas_c311.txt` : ''}

  Demo users (synthetic data only; never use these accounts with real patients):
${DEMO_USERS.map((user) => `    ${user.username.padEnd(18)} password ${user.password.padEnd(24)} ${user.roles.join(', ')}`).join('\n')}

  To see the workstation offline, stop only the server (kill ${server.pid}), chart, then start it
  again with: npm run demo -- --server-only --skip-build

  Logs: ${logDirectory} (server), ${join(workstationData, 'logs')} (workstation)
  Press Ctrl+C to stop.
`);
  };
  workstation.stdout.on('data', findAddress);
  if (values.lab) setTimeout(() => void startAnalyzer(), 5_000).unref();
}


/**
 * Starts Orthanc as the demo PACS with its storage under <data>/pacs, loads the sample studies of
 * the ward's first patients (relabelled with their MRNs and names, with new UIDs), and points the
 * workstation's imaging settings at it. Without Orthanc the workstation runs without imaging.
 * Returns the line the start-up message shows about imaging.
 */
async function preparePacs(workstationData) {
  const pacsModule = await import(pathToFileURL(join(root, 'dist/node/build/scripts/demo-pacs.js')).href);
  mkdirSync(workstationData, { recursive: true });
  const settingsPath = join(workstationData, 'settings.json');
  const stored = existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {};
  const withoutImaging = (reason) => {
    const { imaging: _unused, ...rest } = stored;
    writeFileSync(settingsPath, `${JSON.stringify(rest, null, 2)}\n`, { mode: 0o600 });
    console.warn(`[pacs] ${reason}`);
    return `no PACS: ${reason}`;
  };
  let pacs;
  try {
    pacs = await pacsModule.startDemoPacs(join(dataDirectory, 'pacs'), Number(values['pacs-port']));
  } catch (error) {
    return withoutImaging(`Orthanc did not start (${error.message.split('\n')[0]}); is --pacs-port ${values['pacs-port']} taken? See ${join(dataDirectory, 'pacs', 'orthanc.log')}.`);
  }
  if ('missing' in pacs) return withoutImaging(pacs.missing);
  children.push(pacs.orthanc.child);
  pacs.orthanc.child.on('exit', (code, signal) => {
    if (!stopping) console.error(`\nThe demo PACS stopped (exit status ${code ?? signal}); studies cached on the workstation still open. See ${join(dataDirectory, 'pacs', 'orthanc.log')}.`);
  });
  const today = new Date();
  const patients = await pacsModule.demoWardPatients(ward, today);
  let loaded = { stored: 0, alreadyStored: 0 };
  try {
    loaded = await pacsModule.loadDemoStudies(pacs, pacsModule.demoStudyFiles(join(root, 'test/fixtures/dicom'), patients, today));
  } catch (error) {
    console.warn(`[pacs] Loading the sample studies failed, so the PACS may lack some: ${error.message}`);
  }
  const imaging = { ...(stored.imaging ?? {}), pacs: { url: pacs.dicomWebUrl, authentication: { type: 'basic', username: pacs.username, password: pacs.password } } };
  writeFileSync(settingsPath, `${JSON.stringify({ ...stored, wardId: ward, imaging }, null, 2)}\n`, { mode: 0o600 });
  const withStudies = patients.slice(0, 4).map((patient) => `${patient.dicomName.replace('^', ', ')} (MRN ${patient.mrn})`);
  console.log(`[pacs] Orthanc on ${pacs.orthanc.baseUrl} (process ${pacs.orthanc.child.pid}): ${loaded.stored} new and ${loaded.alreadyStored} stored instances.`);
  return `Orthanc with DICOMweb on ${pacs.orthanc.baseUrl} (process ${pacs.orthanc.child.pid}). Studies of:
           ${withStudies.join('\n           ')}
         Open a chart's Imaging tab; stop the PACS (kill ${pacs.orthanc.child.pid}) to see cached studies offline.`;
}

/**
 * Sets the demo site's wristband format in settings.json: "MRN" followed by the patient's 8-digit
 * MRN. Without a wristband pattern a wristband scan matches nothing. A pattern already in the file
 * is kept.
 */
function prepareScanning(workstationData) {
  mkdirSync(workstationData, { recursive: true });
  const settingsPath = join(workstationData, 'settings.json');
  const stored = existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {};
  if (stored.scanning?.wristbandPattern) return;
  const scanning = { ...(stored.scanning ?? {}), wristbandPattern: DEMO_WRISTBAND_PATTERN };
  writeFileSync(settingsPath, `${JSON.stringify({ ...stored, scanning }, null, 2)}\n`, { mode: 0o600 });
}

/** Starts the pty pair and enrols the workstation's cobas c 311 connection on it in settings.json. */
function prepareLabBench(workstationData) {
  mkdirSync(join(dataDirectory, 'lab-line'), { recursive: true });
  const socat = spawn('socat', [`pty,raw,echo=0,link=${labLine.analyzer}`, `pty,raw,echo=0,link=${labLine.workstation}`], { stdio: 'ignore' });
  children.push(socat);
  mkdirSync(workstationData, { recursive: true });
  const settingsPath = join(workstationData, 'settings.json');
  const stored = existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {};
  const lab = { connections: [{ profile: 'roche-cobas-c311', transport: { path: labLine.workstation, assertDtr: false } }] };
  writeFileSync(settingsPath, `${JSON.stringify({ ...stored, wardId: ward, lab }, null, 2)}\n`, { mode: 0o600 });
}

/** Plays the cobas c 311 capture and a result for a specimen nobody ordered, once each. */
async function startAnalyzer() {
  const unknown = join(dataDirectory, 'lab-line', 'unknown-specimen.astm');
  writeFileSync(unknown, ['H|\\^&|||c311^1|||||host|RSUPL^REAL|P|1', 'P|1', 'O|1|9999^ZZ-UNKNOWN-01^1^^004|R1|^^^685/|R', 'R|1|^^^685/|30.1|U/l||N||F', 'L|1|N', ''].join('\n'));
  for (const capture of [join(root, 'test/fixtures/astm/senaite_cobas_c311.txt'), unknown]) {
    const child = spawn(process.execPath, [join(root, 'bin/hms-lab.mjs'), 'simulate', '--serial', labLine.analyzer, capture], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const status = await new Promise((resolvePromise) => child.on('exit', resolvePromise));
    if (status !== 0) console.error(`[analyzer] ${capture} was not accepted:\n${output}`);
  }
  console.log('[analyzer] The simulated cobas c 311 has sent its results; sign in as lab-technician to see them.');
}
