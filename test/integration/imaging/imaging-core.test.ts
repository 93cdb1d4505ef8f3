import { join } from 'node:path';

import dicomParser from 'dicom-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoDicomFile, DemoImagingPatient } from '../../../build/scripts/demo-pacs.js';
import { demoStudyFiles, demoWardPatients } from '../../../build/scripts/demo-pacs.js';
import { relabelDicom, uidFromName } from '../../../build/scripts/dicom-relabel.js';
import { uploadToOrthanc } from '../../../build/scripts/orthanc-process.js';
import type { BrowserHost } from '../../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../../main/browser-host/browser-host.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { ImagingPrefetchProgress, ImagingStudy, StudyCacheJob, StudySeriesList, WardPatientRow } from '../../../preload/api/index.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { DICOM_FIXTURES } from '../../support/dicom-fixtures.js';
import type { FaultRule } from '../../support/fault-proxy.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import type { OrthancServer } from '../../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc } from '../../support/orthanc.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const silent = pino({ level: 'silent' });
const TOKEN = 'ab'.repeat(32);
const WARD_ID = 'ward-4a';
/** Delay of each instance retrieve while a caching job is watched, so the job runs for seconds. */
const RETRIEVE_DELAY_MS = 300;
/** Path of a WADO-RS instance retrieve under the DICOMweb root, without `/metadata`. */
const INSTANCE_RETRIEVE = /^\/dicom-web\/studies\/[0-9.]+\/series\/[0-9.]+\/instances\/[0-9.]+$/;

interface Uid {
  study: string;
  series: string;
  sop: string;
}

function uidsOf(file: DemoDicomFile): Uid {
  const dataset = dicomParser.parseDicom(file.bytes, { untilTag: 'x7fe00010' });
  return { study: dataset.string('x0020000d') as string, series: dataset.string('x0020000e') as string, sop: dataset.string('x00080018') as string };
}

/**
 * Copies the demo CT series of the first patient as a study of `patient` dated 400 days ago, so
 * the prefetch leaves it out, with UIDs derived from `key`.
 */
function ctCopy(files: readonly DemoDicomFile[], patient: DemoImagingPatient, key: string, description: string, today: Date): DemoDicomFile[] {
  const date = new Date(today.getTime() - 400 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const slices = files.filter((file) => file.label.startsWith('ct-spine/axial/'));
  return slices.map((file, index) => ({
    label: `${key}/${index + 1} of ${patient.mrn}`,
    bytes: relabelDicom(file.bytes, {
      attributes: {
        x00100020: { vr: 'LO', value: patient.mrn },
        x00100010: { vr: 'PN', value: patient.dicomName },
        x00080020: { vr: 'DA', value: date },
        x00081030: { vr: 'LO', value: description },
        x0020000d: { vr: 'UI', value: uidFromName(`test-study:${key}`) },
        x0020000e: { vr: 'UI', value: uidFromName(`test-series:${key}`) },
        x00080018: { vr: 'UI', value: uidFromName(`test-instance:${key}:${index}`) },
      },
    }),
  }));
}

/**
 * The core's imaging wiring against a real Orthanc and a seeded sync server, reached through a
 * TCP proxy that can slow down instance retrieves. The ward patients' studies are prefetched and
 * pinned, and the imaging calls list, open and cache studies, the last in background jobs. The
 * browser host's instance route serves cached and uncached instances, also with the PACS down.
 */
describe.skipIf(!orthancAvailable)('imaging in the core', () => {
  const data = makeTempDirectory('imaging-core');
  let orthanc: OrthancServer;
  let server: SyncServer;
  let core: Core;
  let host: BrowserHost;
  let pacsProxy: FaultProxy;
  let patients: DemoImagingPatient[];
  /** A third ward patient with two copies of the CT, dated too long ago for the prefetch. */
  let copyPatient: DemoImagingPatient;
  let files: DemoDicomFile[];
  let copies: { watched: DemoDicomFile[]; interrupted: DemoDicomFile[] };
  let wardRows: WardPatientRow[];
  /** The day the demo studies' dates count back from. */
  let today: Date;
  const prefetchEvents: ImagingPrefetchProgress[] = [];
  const cacheJobEvents: StudyCacheJob[] = [];

  const call = async <T,>(channel: string, input: unknown): Promise<T> => {
    const result = await core.gateway.handle(channel, input, { senderId: 'test' });
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value as T;
  };
  const failure = async (channel: string, input: unknown) => {
    const result = await core.gateway.handle(channel, input, { senderId: 'test' });
    if (result.ok) throw new Error(`${channel} succeeded where a failure was expected`);
    return result.error;
  };
  const patientIdOf = (mrn: string) => {
    const row = wardRows.find((candidate) => candidate.mrn === mrn);
    if (!row) throw new Error(`No ward patient with MRN ${mrn}`);
    return row.patientId;
  };
  const fileOf = (label: string) => {
    const file = files.find((candidate) => candidate.label.startsWith(label));
    if (!file) throw new Error(`No demo file ${label}`);
    return file;
  };
  const finishedJobOf = (studyInstanceUid: string) =>
    waitForValue(() => cacheJobEvents.find((job) => job.studyInstanceUid === studyInstanceUid && job.state === 'finished'), `the end of the caching job of ${studyInstanceUid}`, 30_000);
  const instanceUrl = (uid: Uid, token: string | null = TOKEN) => `${host.origin}/imaging/instances/${uid.study}/${uid.series}/${uid.sop}${token === null ? '' : `?token=${token}`}`;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    pacsProxy = await FaultProxy.start({ targetPort: Number(new URL(orthanc.baseUrl).port) });
    today = new Date();
    const wardPatients = await demoWardPatients(WARD_ID, today);
    patients = wardPatients.slice(0, 2);
    if (!wardPatients[2]) throw new Error(`The demo ward ${WARD_ID} has fewer than 3 patients`);
    copyPatient = wardPatients[2];
    files = demoStudyFiles(DICOM_FIXTURES, patients, today);
    copies = { watched: ctCopy(files, copyPatient, 'ct-watched', 'CT lumbar spine, watched copy', today), interrupted: ctCopy(files, copyPatient, 'ct-interrupted', 'CT lumbar spine, interrupted copy', today) };
    for (const file of [...files, ...copies.watched, ...copies.interrupted]) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, file.bytes, file.label);

    server = await createServer({ dataDir: join(data.path, 'server'), seed: true, logger: silent });
    core = await createCore({
      settings: {
        workstationId: 'ws-imaging',
        serverUrl: server.url,
        wardId: WARD_ID,
        imaging: {
          pacs: { url: `${pacsProxy.url}/dicom-web`, authentication: { type: 'basic', username: orthanc.username, password: orthanc.password }, requestTimeoutMs: 5_000, retrieveTimeoutMs: 10_000, maxInstanceBytes: 64 * 1024 * 1024 },
          // 20 days: the prefetch takes the CT (2 days old) and the MR spine (10 days), not the older studies.
          cache: { maxBytes: 100 * 1024 * 1024, prefetch: { maxAgeDays: 20, maxStudiesPerPatient: 3, maxInstancesPerStudy: 100 } },
        },
      },
      dataDirectory: join(data.path, 'workstation'),
      logger: silent,
      connectivity: { minProbeIntervalMs: 100, maxProbeIntervalMs: 300 },
      imagingPrefetch: { debounceMs: 50 },
    });
    core.events.subscribe((channel, payload) => {
      if (channel === 'imaging:prefetch') prefetchEvents.push(payload as ImagingPrefetchProgress);
      if (channel === 'imaging:cacheJob') cacheJobEvents.push(payload as StudyCacheJob);
    });
    host = await startBrowserHost({ gateway: core.gateway, events: core.events, logger: silent, rendererDirectory: makeTempDirectory('renderer').path, token: TOKEN, readImagingInstance: core.imaging.readInstance });

    await call('session:signIn', { username: 'doctor', password: 'doctor-demo' });
    await waitFor(core.replication.status$, (status) => status.state === 'online' && status.pendingChanges === 0, 'first sync');
    wardRows = await call<WardPatientRow[]>('ward:listPatients', {});
  });

  afterAll(async () => {
    await host?.close();
    await core?.close();
    await server?.close();
    await pacsProxy?.close();
    await orthanc?.stop();
    data.remove();
  });

  it('prefetches the ward patients\' recent studies', async () => {
    // The synced ward pins its patients and requests a prefetch run.
    // Runs may start while the ward syncs, with some of its patients only, so wait for the whole ward's.
    const done = await waitForValue(() => prefetchEvents.find((event) => event.state === 'finished' && event.studiesTotal === 2), 'a prefetch run of both patients', 30_000);

    expect(done.outcome).toBe('complete');
    expect(done.studiesDone).toBe(2);
    expect(done.instancesTotal).toBe(17);
    expect(done.instancesDone).toBe(17);
    expect(prefetchEvents.some((event) => event.state === 'running')).toBe(true);
    expect(prefetchEvents.some((event) => event.bytes > 0)).toBe(true);
    expect(await call('imaging:prefetchStatus', {})).toEqual(prefetchEvents.at(-1));
  });

  it('lists studies with their cached marks', async () => {
    const [first] = patients as [DemoImagingPatient];
    const studies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf(first.mrn) });

    expect(studies.map((study) => study.description)).toEqual(['CT lumbar spine', 'MR knee']);
    const [ct, mr] = studies as [ImagingStudy, ImagingStudy];
    expect(ct).toMatchObject({ modalities: ['CT'], seriesCount: 1, instanceCount: 16, cachedInstanceCount: 16, cached: 'full', pinned: true, listedBy: 'pacs' });
    expect(ct.date).toBe(new Date(today.getTime() - 2 * 86_400_000).toISOString().slice(0, 10));
    expect(mr).toMatchObject({ modalities: ['MR'], instanceCount: 1, cachedInstanceCount: 0, cached: 'none', pinned: true });
  });

  it('opens a study with its series in order', async () => {
    const [first] = patients as [DemoImagingPatient];
    const slice = uidsOf(fileOf('ct-spine/axial/1 '));

    const study = await call<StudySeriesList>('imaging:getStudy', { studyInstanceUid: slice.study, patientId: patientIdOf(first.mrn) });

    expect(study.listedBy).toBe('pacs');
    expect(study.series).toHaveLength(1);
    const [series] = study.series;
    expect(series).toMatchObject({ seriesInstanceUid: slice.series, modality: 'CT', description: 'Axial 5 mm', number: 2 });
    expect(series?.instances.map((instance) => instance.number)).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
    expect(series?.instances[0]).toEqual({ sopInstanceUid: slice.sop, number: 1, frames: 1 });
  });

  it('rejects a study of another patient', async () => {
    const [first, second] = patients as [DemoImagingPatient, DemoImagingPatient];
    const otherStudy = uidsOf(fileOf('mr-spine/')).study;

    const error = await failure('imaging:getStudy', { studyInstanceUid: otherStudy, patientId: patientIdOf(first.mrn) });

    expect(error.code).toBe('not-found');
    expect(second.mrn).not.toBe(first.mrn);
  });

  it('caches a whole study on request', async () => {
    const [first] = patients as [DemoImagingPatient];
    const knee = uidsOf(fileOf('mr-knee/'));

    const started = await call<StudyCacheJob>('imaging:cacheStudy', { studyInstanceUid: knee.study, patientId: patientIdOf(first.mrn) });
    const finished = await finishedJobOf(knee.study);

    expect(started).toMatchObject({ studyInstanceUid: knee.study, outcome: null, instancesTotal: 1 });
    expect(finished).toEqual({ studyInstanceUid: knee.study, state: 'finished', outcome: 'complete', instancesTotal: 1, instancesDone: 1, instancesFailed: 0, instancesDownloaded: 1, error: null });
    const studies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf(first.mrn) });
    expect(studies.find((study) => study.studyInstanceUid === knee.study)?.cached).toBe('full');
  });

  it('serves a cached instance on the browser host route', async () => {
    const file = fileOf('ct-spine/axial/3 ');

    const response = await fetch(instanceUrl(uidsOf(file)));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/dicom');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(file.bytes))).toBe(true);
  });

  it('takes the token as a bearer header', async () => {
    const response = await fetch(instanceUrl(uidsOf(fileOf('ct-spine/axial/4 ')), null), { headers: { authorization: `Bearer ${TOKEN}` } });

    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it('rejects a request without the launch token', async () => {
    const uid = uidsOf(fileOf('ct-spine/axial/1 '));

    const missing = await fetch(instanceUrl(uid, null));
    const wrong = await fetch(instanceUrl(uid, 'cd'.repeat(32)));

    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect((await missing.json()) as unknown).toMatchObject({ error: { status: 401 } });
    await wrong.arrayBuffer();
  });

  it('returns 404 for an instance the PACS lacks', async () => {
    const uid = uidsOf(fileOf('ct-spine/axial/1 '));

    const unknown = await fetch(instanceUrl({ ...uid, sop: '1.2.3.4.5.6.7.8.9' }));
    const shortPath = await fetch(`${host.origin}/imaging/instances/${uid.study}/${uid.series}?token=${TOKEN}`);
    const invalid = await fetch(instanceUrl({ ...uid, sop: 'not-a-uid' }));

    expect(unknown.status).toBe(404);
    expect(shortPath.status).toBe(404);
    expect(invalid.status).toBe(400);
    await Promise.all([unknown.arrayBuffer(), shortPath.arrayBuffer(), invalid.arrayBuffer()]);
  });

  it('fetches an uncached instance through the cache', async () => {
    const [, second] = patients as [DemoImagingPatient, DemoImagingPatient];
    const file = fileOf('nm-bone/nm/2 ');
    const uid = uidsOf(file);

    const response = await fetch(instanceUrl(uid));

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(file.bytes))).toBe(true);
    const studies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf(second.mrn) });
    expect(studies.find((study) => study.studyInstanceUid === uid.study)).toMatchObject({ cached: 'partial', cachedInstanceCount: 1, instanceCount: 2 });
  });

  it('refuses a role that may not view images', async () => {
    await call('session:signIn', { username: 'pharmacist', password: 'pharmacist-demo' });
    try {
      const response = await fetch(instanceUrl(uidsOf(fileOf('ct-spine/axial/1 '))));
      const error = await failure('imaging:listStudies', { patientId: patientIdOf((patients[0] as DemoImagingPatient).mrn) });

      expect(response.status).toBe(403);
      expect(error.code).toBe('forbidden');
    } finally {
      await call('session:signIn', { username: 'doctor', password: 'doctor-demo' });
    }
  });

  describe('caching a study in the background', () => {
    let delay: FaultRule;
    let watched: string;

    beforeAll(() => {
      watched = uidsOf(copies.watched[0] as DemoDicomFile).study;
      delay = pacsProxy.addRule({ match: { method: 'GET', path: INSTANCE_RETRIEVE }, action: { kind: 'delay-response', ms: RETRIEVE_DELAY_MS } });
    });

    afterAll(() => delay.remove());

    it('returns a running job at once', async () => {
      const started = performance.now();
      const job = await call<StudyCacheJob>('imaging:cacheStudy', { studyInstanceUid: watched, patientId: patientIdOf(copyPatient.mrn) });
      const elapsedMs = performance.now() - started;

      expect(job).toEqual({ studyInstanceUid: watched, state: 'running', outcome: null, instancesTotal: 16, instancesDone: 0, instancesFailed: 0, instancesDownloaded: 0, error: null });
      // 16 retrieves of at least RETRIEVE_DELAY_MS each take seconds, so the call returned before them.
      expect(elapsedMs).toBeLessThan(16 * RETRIEVE_DELAY_MS);
      expect(cacheJobEvents.some((event) => event.studyInstanceUid === watched && event.state === 'finished')).toBe(false);
    });

    it('joins the running job on a second request', async () => {
      const again = await call<StudyCacheJob>('imaging:cacheStudy', { studyInstanceUid: watched, patientId: patientIdOf(copyPatient.mrn) });
      const running = await call<StudyCacheJob[]>('imaging:cacheJobs', {});

      expect(again.studyInstanceUid).toBe(watched);
      expect(again.state).toBe('running');
      expect(running.map((job) => job.studyInstanceUid)).toEqual([watched]);
      expect(running[0]?.state).toBe('running');
    });

    it('reports increasing counts until the end', async () => {
      const finished = await finishedJobOf(watched);
      const events = cacheJobEvents.filter((event) => event.studyInstanceUid === watched);
      const doneCounts = events.map((event) => event.instancesDone);

      expect(finished).toEqual({ studyInstanceUid: watched, state: 'finished', outcome: 'complete', instancesTotal: 16, instancesDone: 16, instancesFailed: 0, instancesDownloaded: 16, error: null });
      expect(doneCounts).toEqual([...doneCounts].sort((a, b) => a - b));
      // The progress interval is 250 ms and each retrieve takes 300 ms, so at least half of the counts go out.
      expect(new Set(events.filter((event) => event.state === 'running').map((event) => event.instancesDone)).size).toBeGreaterThanOrEqual(8);
      expect(events.at(-1)).toEqual(finished);
      // One download of each instance, although the study was requested twice.
      expect(delay.hits).toBe(16);
      expect(await call('imaging:cacheJobs', {})).toEqual([]);
      const studies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf(copyPatient.mrn) });
      expect(studies.find((study) => study.studyInstanceUid === watched)).toMatchObject({ cached: 'full', cachedInstanceCount: 16 });
    });

    it('fails the job when the PACS stops', async () => {
      const interrupted = uidsOf(copies.interrupted[0] as DemoDicomFile).study;
      await call<StudyCacheJob>('imaging:cacheStudy', { studyInstanceUid: interrupted, patientId: patientIdOf(copyPatient.mrn) });
      await waitForValue(() => cacheJobEvents.find((event) => event.studyInstanceUid === interrupted && event.instancesDone >= 3), 'three instances of the interrupted study cached', 30_000);

      await orthanc.stop();
      const finished = await finishedJobOf(interrupted);

      expect(finished.outcome).toBe('pacs-unavailable');
      expect(finished.instancesDone).toBeGreaterThanOrEqual(3);
      expect(finished.instancesDone).toBeLessThan(16);
      expect(finished.instancesFailed).toBe(0);
      expect(finished.error).toContain(`after ${finished.instancesDone} of 16 instances were cached`);
      expect(finished.error).toContain('could not be reached');
      expect(await call('imaging:cacheJobs', {})).toEqual([]);
    });
  });

  it('opens cached studies with the PACS stopped', async () => {
    const [first] = patients as [DemoImagingPatient];
    const slice = uidsOf(fileOf('ct-spine/axial/1 '));
    // Stopped already when the caching job's test ran; stopping again does nothing.
    await orthanc.stop();

    const studies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf(first.mrn) });
    const study = await call<StudySeriesList>('imaging:getStudy', { studyInstanceUid: slice.study, patientId: patientIdOf(first.mrn) });
    const cached = await fetch(instanceUrl(slice));
    const uncached = await fetch(instanceUrl(uidsOf(fileOf('nm-bone/nm/1 '))));

    expect(studies.map((row) => [row.description, row.listedBy, row.cachedInstanceCount, row.cached])).toEqual([
      ['CT lumbar spine', 'cache', 16, 'full'],
      ['MR knee', 'cache', 1, 'full'],
    ]);
    const secondStudies = await call<ImagingStudy[]>('imaging:listStudies', { patientId: patientIdOf((patients[1] as DemoImagingPatient).mrn) });
    // The MR spine was only ever listed by the prefetch, which recorded its instance count.
    expect(secondStudies.map((row) => [row.description, row.cached, row.cachedInstanceCount, row.instanceCount])).toEqual([
      ['MR lumbar spine', 'full', 1, 1],
      ['Whole body bone scan', 'partial', 1, 2],
    ]);
    expect(study.listedBy).toBe('cache');
    expect(study.series[0]?.instances.map((instance) => instance.number)).toEqual(Array.from({ length: 16 }, (_, index) => index + 1));
    expect(cached.status).toBe(200);
    await cached.arrayBuffer();
    expect(uncached.status).toBe(502);
    await uncached.arrayBuffer();
  });
});

async function waitForValue<T>(read: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
