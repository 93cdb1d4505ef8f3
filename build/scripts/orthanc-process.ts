import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Debian's Orthanc as a local PACS, for the demo and the integration tests: a configuration that
 * keeps it to this machine, and a start that waits until its REST API returns 200.
 */

/** Debian's Orthanc from the package `orthanc`. Its DICOMweb plugin comes from `orthanc-dicomweb`. */
export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
const PLUGIN_FOLDER = '/usr/lib/orthanc';
export const ORTHANC_INSTALL_HINT = 'apt-get install orthanc orthanc-dicomweb';
/** Bytes of Orthanc's output kept for a failure message. */
const OUTPUT_TAIL_BYTES = 4_000;

export function orthancInstalled(): boolean {
  return existsSync(ORTHANC_BINARY);
}

/** Finds the DICOMweb plugin's shared library, whose file name carries the plugin's version. */
export function findDicomWebPlugin(): string {
  const name = existsSync(PLUGIN_FOLDER) ? readdirSync(PLUGIN_FOLDER).find((entry) => entry.startsWith('libOrthancDicomWeb.so')) : undefined;
  if (!name) throw new Error(`The Orthanc DICOMweb plugin is missing from ${PLUGIN_FOLDER}; install it with \`apt-get install orthanc-dicomweb\``);
  return join(PLUGIN_FOLDER, name);
}

export interface OrthancConfigurationOptions {
  /** Folder of the storage, the index and the temporary files. */
  folder: string;
  port: number;
  username: string;
  password: string;
  plugin: string;
  name?: string;
}

/**
 * Builds a configuration that keeps Orthanc to this machine. Orthanc 1.10 has no bind-address
 * option and listens on every interface, so `RemoteAccessAllowed: false` makes it reject any HTTP
 * client that is not on loopback, and a password per start keeps other local processes out. The
 * DICOM (C-STORE, C-FIND) port is off: uploads go through REST.
 */
export function orthancConfiguration(options: OrthancConfigurationOptions): object {
  const { folder, port } = options;
  return {
    Name: options.name ?? 'HMS PACS',
    StorageDirectory: join(folder, 'storage'),
    IndexDirectory: join(folder, 'storage'),
    TemporaryDirectory: join(folder, 'tmp'),
    HttpServerEnabled: true,
    HttpPort: port,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [options.username]: options.password },
    DicomServerEnabled: false,
    WebDavEnabled: false,
    OrthancExplorerEnabled: false,
    HttpCompressionEnabled: false,
    SaveJobs: false,
    Plugins: [options.plugin],
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

export interface OrthancProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`, Orthanc's REST API. */
  baseUrl: string;
  /** The DICOMweb root, `<baseUrl>/dicom-web`. */
  dicomWebUrl: string;
  /** `Authorization` header value of the configured user. */
  authorization: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * Writes the configuration into `options.folder` and starts Orthanc with it, then waits until its
 * REST API returns 200. Orthanc's log goes to `orthanc.log` in the folder.
 */
export async function launchOrthanc(options: OrthancConfigurationOptions & { timeoutMs: number }): Promise<OrthancProcess> {
  await mkdir(join(options.folder, 'storage'), { recursive: true, mode: 0o700 });
  await mkdir(join(options.folder, 'tmp'), { recursive: true, mode: 0o700 });
  const configurationFile = join(options.folder, 'orthanc.json');
  await writeFile(configurationFile, JSON.stringify(orthancConfiguration(options), null, 2), { mode: 0o600 });

  const child = spawn(ORTHANC_BINARY, [`--logfile=${join(options.folder, 'orthanc.log')}`, configurationFile], { cwd: options.folder, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL_BYTES));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  try {
    await waitUntilReady(child, baseUrl, authorization, options.timeoutMs, () => output);
  } catch (error) {
    await stopOrthanc(child, exited);
    throw error;
  }
  return { child, baseUrl, dicomWebUrl: `${baseUrl}/dicom-web`, authorization, exited };
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

/** Ends this Orthanc by its PID with SIGTERM, so it closes its index, and with SIGKILL if it hangs for 5 s. */
export async function stopOrthanc(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

/** What Orthanc's `POST /instances` returns for one uploaded file. */
export interface UploadResult {
  /** `Success`, or `AlreadyStored` when an instance with the same SOP Instance UID is stored. */
  status: string;
  /** Orthanc's own id of the instance, not a DICOM UID. */
  orthancId: string;
}

/** Uploads one DICOM Part 10 file through Orthanc's REST API. */
export async function uploadToOrthanc(baseUrl: string, authorization: string, bytes: Uint8Array, what: string): Promise<UploadResult> {
  const response = await fetch(`${baseUrl}/instances`, { method: 'POST', headers: { authorization, 'content-type': 'application/dicom' }, body: new Uint8Array(bytes) });
  const text = await response.text();
  if (!response.ok) throw new Error(`Orthanc rejected ${what} with HTTP ${response.status}: ${text}`);
  const result = JSON.parse(text) as { ID: string; Status: string };
  return { status: result.Status, orthancId: result.ID };
}
