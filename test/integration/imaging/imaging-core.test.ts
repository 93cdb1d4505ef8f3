import { join } from 'node:path';

import dicomParser from 'dicom-parser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DemoDicomFile, DemoImagingPatient } from '../../../build/scripts/demo-pacs.js';
import { demoStudyFiles, demoWardPatients } from '../../../build/scripts/demo-pacs.js';
import { uploadToOrthanc } from '../../../build/scripts/orthanc-process.js';
import type { BrowserHost } from '../../../main/browser-host/browser-host.js';
import { startBrowserHost } from '../../../main/browser-host/browser-host.js';
import type { Core } from '../../../main/core/core.js';
import { createCore } from '../../../main/core/core.js';
import type { ImagingPrefetchProgress, ImagingStudy, StudySeriesList, WardPatientRow } from '../../../preload/api/index.js';
import type { SyncServer } from '../../../sync/server/app.js';
import { createServer } from '../../../sync/server/app.js';
import { DICOM_FIXTURES } from '../../support/dicom-fixtures.js';
import type { OrthancServer } from '../../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc } from '../../support/orthanc.js';
import { makeTempDirectory } from '../../support/replica.js';
import { waitFor } from '../../support/waiting.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const silent = pino({ level: 'silent' });
const TOKEN = 'ab'.repeat(32);
const WARD_ID = 'ward-4a';

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
 * The core's imaging wiring against a real Orthanc and a seeded sync server. The ward patients'
 * studies are prefetched and pinned, and the imaging calls list, open and cache studies. The
 * browser host's instance route serves cached and uncached instances, also with the PACS down.
 */
describe.skipIf(!orthancAvailable)('imaging in the core', () => {
  const data = makeTempDirectory('imaging-core');
  let orthanc: OrthancServer;
  let server: SyncServer;
  let core: Core;
  let host: BrowserHost;
  let patients: DemoImagingPatient[];
  let files: DemoDicomFile[];
  let wardRows: WardPatientRow[];
  /** The day the demo studies' dates count back from. */
  let today: Date;
  const prefetchEvents: ImagingPrefetchProgress[] = [];

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
  const instanceUrl = (uid: Uid, token: string | null = TOKEN) => `${host.origin}/imaging/instances/${uid.study}/${uid.series}/${uid.sop}${token === null ? '' : `?token=${token}`}`;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    today = new Date();
    patients = (await demoWardPatients(WARD_ID, today)).slice(0, 2);
    files = demoStudyFiles(DICOM_FIXTURES, patients, today);
    for (const file of files) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, file.bytes, file.label);

    server = await createServer({ dataDir: join(data.path, 'server'), seed: true, logger: silent });
    core = await createCore({
      settings: {
        workstationId: 'ws-imaging',
        serverUrl: server.url,
        wardId: WARD_ID,
        imaging: {
          pacs: { url: orthanc.dicomWebUrl, authentication: { type: 'basic', username: orthanc.username, password: orthanc.password }, requestTimeoutMs: 5_000, retrieveTimeoutMs: 10_000, maxInstanceBytes: 64 * 1024 * 1024 },
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

    const result = await call('imaging:cacheStudy', { studyInstanceUid: knee.study, patientId: patientIdOf(first.mrn) });

    expect(result).toEqual({ studyInstanceUid: knee.study, instanceCount: 1, cachedInstanceCount: 1, downloaded: 1, cached: 'full' });
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

  it('opens cached studies with the PACS stopped', async () => {
    const [first] = patients as [DemoImagingPatient];
    const slice = uidsOf(fileOf('ct-spine/axial/1 '));
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
