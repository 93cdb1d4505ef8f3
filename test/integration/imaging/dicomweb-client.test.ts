import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DicomWebClient } from '../../../main/core/imaging/dicomweb-client.js';
import { DicomWebError } from '../../../main/core/imaging/dicomweb-error.js';
import type { DicomFixture } from '../../support/dicom-fixtures.js';
import { fixtureNamed, fixturesOfPatient, readDicomFixtures } from '../../support/dicom-fixtures.js';
import type { OrthancServer } from '../../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc } from '../../support/orthanc.js';
import { freePort } from '../../support/server-process.js';

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

const fixtures = readDicomFixtures();

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function fixturesOf(patientId: string): DicomFixture[] {
  return fixturesOfPatient(fixtures, patientId);
}

describe.skipIf(!orthancAvailable)('DICOMweb client against Orthanc', () => {
  let orthanc: OrthancServer;
  let client: DicomWebClient;
  const logLines: string[] = [];

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const uploaded = await orthanc.upload(fixtures.map((fixture) => fixture.file));
    expect(uploaded.map((entry) => entry.status)).toEqual(fixtures.map(() => 'Success'));
    client = new DicomWebClient({
      url: orthanc.dicomWebUrl,
      authentication: { type: 'basic', username: orthanc.username, password: orthanc.password },
      logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    });
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it('finds the studies of each patient', async () => {
    for (const patientId of unique(fixtures.map((fixture) => fixture.patientId))) {
      const studies = await client.searchStudiesOfPatient(patientId);
      const expected = fixturesOf(patientId);

      expect(studies.map((study) => study.studyInstanceUid).sort()).toEqual(unique(expected.map((fixture) => fixture.studyInstanceUid)));
      expect(studies.every((study) => study.patientId === patientId)).toBe(true);
      expect(studies[0]?.numberOfStudyRelatedInstances).toBe(expected.length);
      expect(studies[0]?.studyDate).toBe(expected[0]?.studyDate);
    }
  });

  it('returns no studies for an unknown patient', async () => {
    expect(await client.searchStudiesOfPatient('NO-SUCH-PATIENT')).toEqual([]);
  });

  it('rejects a PatientID with a wildcard', async () => {
    await expect(client.searchStudiesOfPatient('8NM*')).rejects.toThrow(/wildcard/);
  });

  it('finds the series of a study and its instances', async () => {
    const twoInstanceSeries = fixturesOfPatient(fixtures, '8NM1', 2);
    const { studyInstanceUid, seriesInstanceUid } = twoInstanceSeries[0];

    const series = await client.searchSeriesOfStudy(studyInstanceUid);
    expect(series.map((entry) => entry.seriesInstanceUid)).toEqual(unique(twoInstanceSeries.map((fixture) => fixture.seriesInstanceUid)));
    expect(series[0]?.modality).toBe('NM');
    expect(series[0]?.numberOfSeriesRelatedInstances).toBe(2);

    const instances = await client.searchInstancesOfSeries(studyInstanceUid, seriesInstanceUid);
    expect(instances.map((instance) => instance.sopInstanceUid).sort()).toEqual(unique(twoInstanceSeries.map((fixture) => fixture.sopInstanceUid)));
  });

  it('returns NumberOfFrames when asked to include it', async () => {
    const multiFrame = fixtureNamed(fixtures, 'SC_rgb_rle_2frame.dcm');

    const instances = await client.searchInstancesOfSeries(multiFrame.studyInstanceUid, multiFrame.seriesInstanceUid, { includeFields: ['00280008'] });

    expect(instances.find((instance) => instance.sopInstanceUid === multiFrame.sopInstanceUid)?.numberOfFrames).toBe(2);
  });

  it('retrieves each instance byte for byte', async () => {
    for (const fixture of fixtures) {
      const instance = await client.retrieveInstance(fixture.studyInstanceUid, fixture.seriesInstanceUid, fixture.sopInstanceUid);

      expect(instance.mediaType).toBe('application/dicom');
      expect(instance.bytes.byteLength).toBe(fixture.bytes.byteLength);
      expect(Buffer.compare(Buffer.from(instance.bytes), fixture.bytes), fixture.file).toBe(0);
    }
  });

  it('retrieves series and instance metadata', async () => {
    const both = fixturesOfPatient(fixtures, 'ID1', 2);
    const first = both[0];

    const series = await client.retrieveSeriesMetadata(first.studyInstanceUid, first.seriesInstanceUid);
    const sopUids = series.map((dataset) => dataset['00080018']?.Value?.[0]).sort();
    expect(sopUids).toEqual(unique(both.map((fixture) => fixture.sopInstanceUid)));

    const instance = await client.retrieveInstanceMetadata(first.studyInstanceUid, first.seriesInstanceUid, first.sopInstanceUid);
    expect(instance['00080018']?.Value).toEqual([first.sopInstanceUid]);
    expect(instance['00280010']?.Value).toEqual([100]);
  });

  it('names the path and status of a missing instance', async () => {
    const fixture = fixtureNamed(fixtures, 'CT_small.dcm');

    const error = await client.retrieveInstance(fixture.studyInstanceUid, fixture.seriesInstanceUid, '1.2.3.4').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DicomWebError);
    expect((error as DicomWebError).status).toBe(404);
    expect((error as DicomWebError).failure).toBe('status');
    expect((error as DicomWebError).message).toContain(`/instances/1.2.3.4`);
    expect((error as DicomWebError).message).toContain('HTTP 404');
  });

  it('reports wrong credentials without the PatientID', async () => {
    const wrong = new DicomWebClient({
      url: orthanc.dicomWebUrl,
      authentication: { type: 'basic', username: orthanc.username, password: 'wrong' },
      logger: pino({ level: 'silent' }),
    });

    const error = await wrong.searchStudiesOfPatient('4MR1').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DicomWebError);
    expect((error as DicomWebError).failure).toBe('unauthorized');
    expect((error as DicomWebError).status).toBe(401);
    expect((error as DicomWebError).message).toContain('/studies?PatientID=');
    expect((error as DicomWebError).message).not.toContain('4MR1');
  });

  it('reports an unreachable PACS', async () => {
    const offline = new DicomWebClient({ url: `http://127.0.0.1:${await freePort()}/dicom-web`, logger: pino({ level: 'silent' }) });

    const error = await offline.searchSeriesOfStudy(fixtureNamed(fixtures, 'CT_small.dcm').studyInstanceUid).catch((caught: unknown) => caught);

    expect((error as DicomWebError).failure).toBe('unreachable');
  });

  it('keeps patient identifiers out of its logs', () => {
    const joined = logLines.join('\n');

    expect(logLines.length).toBeGreaterThan(0);
    for (const patientId of unique(fixtures.map((fixture) => fixture.patientId))) expect(joined).not.toContain(`=${patientId}`);
  });
});

describe('DICOMweb client against a stub PACS', () => {
  let server: Server;
  let url: string;
  let lastHeaders: IncomingHttpHeaders = {};
  let lastUrl = '';
  let nextBody = '[]';

  beforeAll(async () => {
    server = createServer((request, response) => {
      lastHeaders = request.headers;
      lastUrl = request.url ?? '';
      if (lastUrl.includes('/stall')) return; // Never responds, for the timeout.
      response.writeHead(200, { 'content-type': 'application/dicom+json' });
      response.end(nextBody);
      nextBody = '[]';
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends a bearer token', async () => {
    const client = new DicomWebClient({ url, authentication: { type: 'bearer', token: 'token-123' }, logger: pino({ level: 'silent' }) });

    await client.searchSeriesOfStudy('1.2.3');

    expect(lastHeaders.authorization).toBe('Bearer token-123');
    expect(lastHeaders.accept).toContain('application/dicom+json');
  });

  it('encodes only what would break the URL', async () => {
    const client = new DicomWebClient({ url, logger: pino({ level: 'silent' }) });

    await client.searchStudiesOfPatient('MRN^12 3&x=1');

    expect(lastUrl).toBe('/studies?PatientID=MRN^12%203%26x%3D1');
  });

  it('drops studies of another PatientID', async () => {
    const lines: string[] = [];
    const client = new DicomWebClient({ url, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
    const study = (patientId: string | undefined, uid: string) => ({
      '0020000D': { vr: 'UI', Value: [uid] },
      ...(patientId === undefined ? {} : { '00100020': { vr: 'LO', Value: [patientId] } }),
    });
    nextBody = JSON.stringify([study('ab12', '1.2.3'), study('AB12', '1.2.4'), study(undefined, '1.2.5'), study('AB12', 'not/a/uid')]);

    const studies = await client.searchStudiesOfPatient('AB12');

    expect(studies.map((entry) => entry.studyInstanceUid)).toEqual(['1.2.4']);
    expect(lines.join('')).toContain('"returned":4,"kept":1');
    expect(lines.join('')).not.toContain('AB12');
  });

  it('gives up a request after its time limit', async () => {
    const client = new DicomWebClient({ url: `${url}/stall`, requestTimeoutMs: 200, logger: pino({ level: 'silent' }) });

    const error = await client.searchSeriesOfStudy('1.2.3').catch((caught: unknown) => caught);

    expect((error as DicomWebError).failure).toBe('timeout');
    expect((error as DicomWebError).message).toContain('timed out after 200 ms');
    expect((error as DicomWebError).message).toContain('/studies/1.2.3/series');
  });

  it('passes a cancel through unchanged', async () => {
    const client = new DicomWebClient({ url: `${url}/stall`, logger: pino({ level: 'silent' }) });
    const controller = new AbortController();
    const reason = new Error('prefetch cancelled');

    const pending = client.searchSeriesOfStudy('1.2.3', { signal: controller.signal });
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
  });
});
