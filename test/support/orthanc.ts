import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './server-process.js';

/** Debian's Orthanc from the package `orthanc`. Its DICOMweb plugin comes from `orthanc-dicomweb`. */
export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
const PLUGIN_FOLDER = '/usr/lib/orthanc';
/** Bytes of Orthanc's output kept for a failure message. */
const OUTPUT_TAIL_BYTES = 4_000;
/** Port clashes with other processes are retried this many times, each with a new port. */
const START_ATTEMPTS = 3;

/** Whether the tests that need a real PACS can run here. */
export const orthancAvailable = existsSync(ORTHANC_BINARY);

/** Why the Orthanc tests are skipped, logged by each test file that skips them. */
export const ORTHANC_MISSING_MESSAGE = `Skipping the Orthanc tests: ${ORTHANC_BINARY} is missing. Install it with \`apt-get install orthanc orthanc-dicomweb\` (.ci/run does this).`;

/** What Orthanc's `POST /instances` returns for one uploaded file. */
export interface UploadedInstance {
  file: string;
  /** `Success`, or `AlreadyStored` when an instance with the same SOP Instance UID is stored. */
  status: string;
  /** Orthanc's own id of the instance, not a DICOM UID. */
  orthancId: string;
}

export interface OrthancServer {
  /** `http://127.0.0.1:<port>`, Orthanc's REST API. */
  readonly baseUrl: string;
  /** The DICOMweb root, `<baseUrl>/dicom-web`, without a trailing slash. */
  readonly dicomWebUrl: string;
  readonly username: string;
  readonly password: string;
  readonly pid: number;
  /** `Authorization` header value for the registered user. */
  readonly authorization: string;
  /** Uploads DICOM Part 10 files one by one through `POST /instances`. */
  upload(files: readonly string[]): Promise<UploadedInstance[]>;
  /** Ends Orthanc with SIGTERM (SIGKILL after 5 s), waits for its exit and deletes its folder. */
  stop(): Promise<void>;
}

export interface StartOrthancOptions {
  /** Gives up waiting for the first HTTP 200 after this long. */
  startTimeoutMs?: number;
}

/** Finds the DICOMweb plugin's shared library, whose file name carries the plugin's version. */
export function findDicomWebPlugin(): string {
  const name = existsSync(PLUGIN_FOLDER) ? readdirSync(PLUGIN_FOLDER).find((entry) => entry.startsWith('libOrthancDicomWeb.so')) : undefined;
  if (!name) throw new Error(`The Orthanc DICOMweb plugin is missing from ${PLUGIN_FOLDER}; install it with \`apt-get install orthanc-dicomweb\``);
  return join(PLUGIN_FOLDER, name);
}

/**
 * Builds a configuration that keeps a test Orthanc to this machine and to this test. Orthanc 1.10
 * has no bind-address option and listens on every interface, so `RemoteAccessAllowed: false`
 * makes it reject any HTTP client that is not on loopback, and a per-run password keeps other
 * local processes out. The DICOM (C-STORE, C-FIND) port is off: uploads go through REST.
 */
function orthancConfiguration(folder: string, port: number, username: string, password: string, plugin: string): object {
  return {
    Name: 'HMS test PACS',
    StorageDirectory: join(folder, 'storage'),
    IndexDirectory: join(folder, 'storage'),
    TemporaryDirectory: join(folder, 'tmp'),
    HttpServerEnabled: true,
    HttpPort: port,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [username]: password },
    DicomServerEnabled: false,
    WebDavEnabled: false,
    OrthancExplorerEnabled: false,
    HttpCompressionEnabled: false,
    SaveJobs: false,
    Plugins: [plugin],
    DicomWeb: {
      Enable: true,
      Root: '/dicom-web/',
      EnableWado: false,
      Host: `127.0.0.1:${port}`,
      Ssl: false,
      StudiesMetadata: 'Full',
      SeriesMetadata: 'Full',
    },
  };
}

/**
 * Starts Debian's Orthanc with the DICOMweb plugin on a free port, with its own configuration and
 * storage in a new temporary folder, and waits until its REST API returns 200.
 */
export async function startOrthanc(options: StartOrthancOptions = {}): Promise<OrthancServer> {
  if (!orthancAvailable) throw new Error(ORTHANC_MISSING_MESSAGE);
  const plugin = findDicomWebPlugin();
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const folder = await mkdtemp(join(tmpdir(), 'hms-orthanc-'));
    try {
      return await launch(folder, await freePort(), plugin, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      await rm(folder, { recursive: true, force: true });
    }
  }
  throw new Error(`Orthanc did not start in ${START_ATTEMPTS} attempts`, { cause: lastError });
}

async function launch(folder: string, port: number, plugin: string, timeoutMs: number): Promise<OrthancServer> {
  const username = 'hms-test';
  const password = randomBytes(16).toString('hex');
  await mkdir(join(folder, 'storage'));
  await mkdir(join(folder, 'tmp'));
  const configurationFile = join(folder, 'orthanc.json');
  await writeFile(configurationFile, JSON.stringify(orthancConfiguration(folder, port, username, password, plugin), null, 2), { mode: 0o600 });

  const child = spawn(ORTHANC_BINARY, [`--logfile=${join(folder, 'orthanc.log')}`, configurationFile], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  try {
    await waitUntilReady(child, baseUrl, authorization, timeoutMs, () => output);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }

  const pid = child.pid as number;
  return {
    baseUrl,
    dicomWebUrl: `${baseUrl}/dicom-web`,
    username,
    password,
    pid,
    authorization,
    upload: (files) => uploadFiles(baseUrl, authorization, files),
    async stop() {
      await stopChild(child, exited);
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(child: ChildProcess, baseUrl: string, authorization: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Orthanc exited while starting (${child.exitCode ?? child.signalCode}): ${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/system`, { headers: { authorization }, signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Orthanc on ${baseUrl} did not return 200 on /system within ${timeoutMs} ms: ${output()}`);
}

/** Ends this Orthanc by its PID with SIGTERM, so it closes its index, and with SIGKILL if it hangs. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

async function uploadFiles(baseUrl: string, authorization: string, files: readonly string[]): Promise<UploadedInstance[]> {
  const uploaded: UploadedInstance[] = [];
  for (const file of files) {
    const response = await fetch(`${baseUrl}/instances`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/dicom' },
      body: await readFile(file),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Orthanc rejected ${file} with HTTP ${response.status}: ${text}`);
    const result = JSON.parse(text) as { ID: string; Status: string };
    uploaded.push({ file, status: result.Status, orthancId: result.ID });
  }
  return uploaded;
}
