import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findDicomWebPlugin, launchOrthanc, ORTHANC_BINARY, ORTHANC_INSTALL_HINT, orthancInstalled, stopOrthanc, uploadToOrthanc } from '../../build/scripts/orthanc-process.js';
import type { PacsSettings } from '../../main/core/imaging/imaging-settings.js';
import { freePort } from './server-process.js';

export { findDicomWebPlugin, ORTHANC_BINARY } from '../../build/scripts/orthanc-process.js';

/** Port clashes with other processes are retried this many times, each with a new port. */
const START_ATTEMPTS = 3;

/** Whether the tests that need a real PACS can run here. */
export const orthancAvailable = orthancInstalled();

/** Why the Orthanc tests are skipped, logged by each test file that skips them. */
export const ORTHANC_MISSING_MESSAGE = `Skipping the Orthanc tests: ${ORTHANC_BINARY} is missing. Install it with \`${ORTHANC_INSTALL_HINT}\` (.ci/run does this).`;

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

/**
 * Returns a workstation's PACS settings for this Orthanc: its DICOMweb root and registered user,
 * with the time limits the e2e tests use (5 s a request, 10 s a retrieve, 64 MiB an instance).
 */
export function testPacsSettings(orthanc: OrthancServer): PacsSettings {
  return {
    url: orthanc.dicomWebUrl,
    authentication: { type: 'basic', username: orthanc.username, password: orthanc.password },
    requestTimeoutMs: 5_000,
    retrieveTimeoutMs: 10_000,
    maxInstanceBytes: 64 * 1024 * 1024,
  };
}

async function launch(folder: string, port: number, plugin: string, timeoutMs: number): Promise<OrthancServer> {
  const username = 'hms-test';
  const password = randomBytes(16).toString('hex');
  const orthanc = await launchOrthanc({ folder, port, username, password, plugin, name: 'HMS test PACS', timeoutMs });
  return {
    baseUrl: orthanc.baseUrl,
    dicomWebUrl: orthanc.dicomWebUrl,
    username,
    password,
    pid: orthanc.child.pid as number,
    authorization: orthanc.authorization,
    upload: (files) => uploadFiles(orthanc.baseUrl, orthanc.authorization, files),
    async stop() {
      await stopOrthanc(orthanc.child, orthanc.exited);
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function uploadFiles(baseUrl: string, authorization: string, files: readonly string[]): Promise<UploadedInstance[]> {
  const uploaded: UploadedInstance[] = [];
  for (const file of files) uploaded.push({ file, ...(await uploadToOrthanc(baseUrl, authorization, await readFile(file), file)) });
  return uploaded;
}
