// Measures the imaging viewer in headless Chromium against a real Orthanc. It times the first
// image of a 512×512 CT slice from the PACS (not yet cached) and from the workstation's study
// cache, and counts stack scroll frames per second over a series. It also compares the study
// cache's series download rate with a plain HTTP download of the same instances from Orthanc.
// Needs Debian's orthanc, orthanc-dicomweb and chromium.
// Run: npm run bench:imaging [-- --slices 40 --runs 5 --json FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { pino } from 'pino';
import type { Page } from 'playwright-core';

import { demoWardPatients } from '../build/scripts/demo-pacs.js';
import { relabelDicom, uidFromName } from '../build/scripts/dicom-relabel.js';
import { uploadToOrthanc } from '../build/scripts/orthanc-process.js';
import type { Core } from '../main/core/core.js';
import { createCore } from '../main/core/core.js';
import type { StudyCacheJob, StudySeriesList } from '../preload/api/imaging-schemas.js';
import { createServer } from '../sync/server/app.js';
import { buildHarness, serveHarnessFrom } from '../test/e2e/imaging/support/harness-server.js';
import { launchChromium } from '../test/support/browser.js';
import { DICOM_FIXTURES } from '../test/support/dicom-fixtures.js';
import { startOrthanc } from '../test/support/orthanc.js';
import { makeBenchDirectory } from './bench-support.js';

const { values } = parseArgs({ options: { slices: { type: 'string', default: '40' }, runs: { type: 'string', default: '5' }, json: { type: 'string' } } });
const sliceCount = Number(values.slices);
const runs = Number(values.runs);
if (!Number.isInteger(sliceCount) || sliceCount < 10) throw new Error(`Invalid --slices ${values.slices}: expected an integer of at least 10`);
if (!Number.isInteger(runs) || runs < 1 || runs > sliceCount) throw new Error(`Invalid --runs ${values.runs}: expected an integer from 1 to the slice count`);

const WARD_ID = 'ward-4a';
/** Images shown in the scroll measurement: the series down and up, three times. */
const SCROLL_FRAMES = sliceCount * 6;
const silent = pino({ level: 'silent' });
const slice512 = new Uint8Array(readFileSync(join(DICOM_FIXTURES, 'variants', 'ct_512.dcm')));

interface SeriesFiles {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  slices: { sopInstanceUid: string; bytes: Uint8Array }[];
}

/** Builds a series of `sliceCount` copies of the 512×512 slice, 1 mm apart, labelled for `mrn`. */
function makeSeries(key: string, mrn: string): SeriesFiles {
  const studyInstanceUid = uidFromName(`bench-study:${key}`);
  const seriesInstanceUid = uidFromName(`bench-series:${key}`);
  const slices = Array.from({ length: sliceCount }, (_, index) => {
    const sopInstanceUid = uidFromName(`bench-instance:${key}:${index}`);
    const bytes = relabelDicom(slice512, {
      attributes: {
        x00100020: { vr: 'LO', value: mrn },
        x0020000d: { vr: 'UI', value: studyInstanceUid },
        x0020000e: { vr: 'UI', value: seriesInstanceUid },
        x00080018: { vr: 'UI', value: sopInstanceUid },
        x00200013: { vr: 'IS', value: String(index + 1) },
        x00201041: { vr: 'DS', value: String(index) },
      },
    });
    return { sopInstanceUid, bytes };
  });
  return { studyInstanceUid, seriesInstanceUid, slices };
}

function studyOf(series: SeriesFiles, indices: readonly number[]): StudySeriesList {
  return {
    studyInstanceUid: series.studyInstanceUid,
    patientId: null,
    listedBy: 'pacs',
    series: [
      {
        seriesInstanceUid: series.seriesInstanceUid,
        modality: 'CT',
        description: 'Bench',
        number: 1,
        instances: indices.map((index) => ({ sopInstanceUid: series.slices[index]?.sopInstanceUid ?? '', number: index + 1, frames: 1 })),
      },
    ],
  };
}

/** Opens a fresh page, mounts `study` and returns the milliseconds until its first image is drawn. */
async function timeToFirstImage(page: Page, url: string, study: StudySeriesList): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => window.viewerHarness !== undefined);
  // No named functions inside: tsx would wrap them in a helper that the page does not have.
  return page.evaluate(async (target) => {
    const started = performance.now();
    window.viewerHarness.mount(target);
    for (;;) {
      const element = document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]');
      if (element?.dataset.status === 'failed') throw new Error('The bench image failed to load');
      if (element?.dataset.status === 'shown' && element.dataset.windowWidth !== '') break;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return performance.now() - started;
  }, study);
}

/** Scrolls the mounted series down and up with the arrow keys, one key per drawn image, and returns frames per second. */
async function scrollFramesPerSecond(page: Page, frames: number, count: number): Promise<number> {
  return page.evaluate(
    async ({ frames, count }) => {
      const element = document.querySelector<HTMLElement>('[data-testid="viewer-viewport"]');
      if (element === null) throw new Error('No viewport');
      let index = 0;
      let direction = 1;
      const started = performance.now();
      for (let frame = 0; frame < frames; frame += 1) {
        if (index + direction < 0 || index + direction >= count) direction = -direction;
        index += direction;
        const drawn = new Promise((resolve) => element.addEventListener('cornerstoneimagerendered', resolve, { once: true }));
        element.dispatchEvent(new KeyboardEvent('keydown', { key: direction > 0 ? 'ArrowDown' : 'ArrowUp', bubbles: true }));
        await drawn;
      }
      return (frames * 1000) / (performance.now() - started);
    },
    { frames, count },
  );
}

/**
 * Starts caching a study through the core's `imaging:cacheStudy` call and returns the job's last
 * state once its `imaging:cacheJob` event reports it finished. Throws unless every instance was cached.
 */
async function cacheStudyToEnd(core: Core, studyInstanceUid: string): Promise<StudyCacheJob> {
  let unsubscribe = () => {};
  // Subscribed before the call, because a job with nothing to download may end before the call returns.
  const finished = new Promise<StudyCacheJob>((resolve) => {
    unsubscribe = core.events.subscribe((channel, payload) => {
      const job = payload as StudyCacheJob;
      if (channel === 'imaging:cacheJob' && job.studyInstanceUid === studyInstanceUid && job.state === 'finished') resolve(job);
    });
  });
  try {
    const started = await core.gateway.handle('imaging:cacheStudy', { studyInstanceUid }, { senderId: 'bench' });
    if (!started.ok) throw new Error(`Caching the study failed to start: ${started.error.message}`);
    const job = await finished;
    if (job.outcome !== 'complete' || job.instancesFailed > 0) throw new Error(`Caching the study ended with ${job.outcome} and ${job.instancesFailed} failed instances: ${job.error ?? 'no error message'}`);
    return job;
  } finally {
    unsubscribe();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const data = makeBenchDirectory('imaging');
const orthanc = await startOrthanc();
const today = new Date();
const [patient] = await demoWardPatients(WARD_ID, today);
if (patient === undefined) throw new Error(`The seed puts no patient on ${WARD_ID}`);
const viewed = makeSeries('viewed', patient.mrn);
const downloaded = makeSeries('downloaded', patient.mrn);
const orthancIds: string[] = [];
for (const slice of viewed.slices) await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, slice.bytes, 'bench slice');
for (const slice of downloaded.slices) orthancIds.push((await uploadToOrthanc(orthanc.baseUrl, orthanc.authorization, slice.bytes, 'bench slice')).orthancId);

const server = await createServer({ dataDir: join(data.path, 'server'), seed: true, logger: silent });
const core = await createCore({
  settings: {
    workstationId: 'ws-bench-imaging',
    serverUrl: server.url,
    wardId: WARD_ID,
    imaging: {
      pacs: { url: orthanc.dicomWebUrl, authentication: { type: 'basic', username: orthanc.username, password: orthanc.password }, requestTimeoutMs: 15_000, retrieveTimeoutMs: 60_000, maxInstanceBytes: 64 * 1024 * 1024 },
      // No prefetch (age 0 days), so only the benchmark's own requests fill the cache.
      cache: { maxBytes: 1024 * 1024 * 1024, prefetch: { maxAgeDays: 0, maxStudiesPerPatient: 1, maxInstancesPerStudy: 1 } },
    },
  },
  dataDirectory: join(data.path, 'workstation'),
  logger: silent,
});
const signIn = await core.gateway.handle('session:signIn', { username: 'doctor', password: 'doctor-demo' }, { senderId: 'bench' });
if (!signIn.ok) throw new Error(`Sign-in failed: ${signIn.error.message}`);

buildHarness();
const harness = await serveHarnessFrom(async (uids) => {
  const response = await core.imaging.readInstance(uids);
  return response.status === 200 ? response.bytes : null;
});
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

try {
  // 1. First image of a slice that only the PACS has, then of the same slice from the cache.
  const fromPacs: number[] = [];
  const fromCache: number[] = [];
  for (let run = 0; run < runs; run += 1) fromPacs.push(await timeToFirstImage(page, harness.url, studyOf(viewed, [run])));
  for (let run = 0; run < runs; run += 1) fromCache.push(await timeToFirstImage(page, harness.url, studyOf(viewed, [run])));

  // 2. Scrolling the whole series once every slice is decoded in the page.
  await timeToFirstImage(page, harness.url, studyOf(viewed, viewed.slices.map((_, index) => index)));
  await page.waitForFunction((count) => window.viewerHarness.cachedImageCount() >= count, sliceCount, { timeout: 120_000 });
  await page.locator('[data-testid="viewer-viewport"]').focus();
  const framesPerSecond = await scrollFramesPerSecond(page, SCROLL_FRAMES, sliceCount);

  // 3. The same instances over plain HTTP from Orthanc, then into the study cache through WADO-RS.
  let plainBytes = 0;
  const plainStarted = performance.now();
  for (const id of orthancIds) {
    const response = await fetch(`${orthanc.baseUrl}/instances/${id}/file`, { headers: { authorization: orthanc.authorization } });
    plainBytes += (await response.arrayBuffer()).byteLength;
  }
  const plainSeconds = (performance.now() - plainStarted) / 1000;
  const cacheStarted = performance.now();
  const cached = await cacheStudyToEnd(core, downloaded.studyInstanceUid);
  const cacheSeconds = (performance.now() - cacheStarted) / 1000;
  const cacheBytes = downloaded.slices.reduce((sum, slice) => sum + slice.bytes.byteLength, 0);

  const mebibytes = (bytes: number) => bytes / (1024 * 1024);
  const results = {
    slices: sliceCount,
    runs,
    timeToFirstImageMs: { fromPacs: { median: median(fromPacs), all: fromPacs }, fromCache: { median: median(fromCache), all: fromCache } },
    scrollFramesPerSecond: framesPerSecond,
    download: {
      plainHttp: { seconds: plainSeconds, mebibytes: mebibytes(plainBytes), mebibytesPerSecond: mebibytes(plainBytes) / plainSeconds },
      studyCache: { seconds: cacheSeconds, mebibytes: mebibytes(cacheBytes), mebibytesPerSecond: mebibytes(cacheBytes) / cacheSeconds, result: cached },
    },
  };
  const round = (value: number) => value.toFixed(1);
  console.log(`time to first image, 512×512 CT, median of ${runs}: from the PACS ${round(results.timeToFirstImageMs.fromPacs.median)} ms, from the cache ${round(results.timeToFirstImageMs.fromCache.median)} ms`);
  console.log(`  all runs from the PACS: ${fromPacs.map(round).join(', ')} ms; from the cache: ${fromCache.map(round).join(', ')} ms`);
  console.log(`stack scroll over ${sliceCount} slices, ${SCROLL_FRAMES} images: ${round(framesPerSecond)} frames/s`);
  console.log(`series download of ${sliceCount} instances: plain HTTP ${round(results.download.plainHttp.mebibytesPerSecond)} MiB/s (${plainSeconds.toFixed(2)} s), study cache ${round(results.download.studyCache.mebibytesPerSecond)} MiB/s (${cacheSeconds.toFixed(2)} s)`);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
} finally {
  await browser.close();
  await harness.close();
  await core.close();
  await server.close();
  await orthanc.stop();
  data.remove();
}
