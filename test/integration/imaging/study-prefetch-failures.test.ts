import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixedClock } from '../../../main/core/clock.js';
import { DicomWebClient } from '../../../main/core/imaging/dicomweb-client.js';
import { StudyCache } from '../../../main/core/imaging/study-cache.js';
import { prefetchStudies } from '../../../main/core/imaging/study-prefetch.js';

const INSTANCE_BYTES = Buffer.from('a stand-in for a DICOM file');
const BOUNDARY = 'stub-boundary';

const study = (uid: string, date: string) => ({ '0020000D': { vr: 'UI', Value: [uid] }, '00100020': { vr: 'LO', Value: ['OK'] }, '00080020': { vr: 'DA', Value: [date] } });

/** A stub PACS where one patient's search, one study's series list and one instance fail. */
const ROUTES: Record<string, unknown> = {
  '/studies?PatientID=OK': [study('1.2.8', '20170101'), study('1.2.9', '20170102')],
  '/studies/1.2.8/series': [{ '0020000E': { vr: 'UI', Value: ['1.2.8.1'] } }],
  '/studies/1.2.8/series/1.2.8.1/instances': [{ '00080018': { vr: 'UI', Value: ['1.2.8.1.1'] } }, { '00080018': { vr: 'UI', Value: ['1.2.8.1.2'] } }],
};

describe('prefetch with failing requests', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '';
      if (path === '/studies/1.2.8/series/1.2.8.1/instances/1.2.8.1.1') {
        response.writeHead(200, { 'content-type': `multipart/related; type="application/dicom"; boundary=${BOUNDARY}` });
        response.end(Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`), INSTANCE_BYTES, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]));
        return;
      }
      const body = ROUTES[path];
      if (path.includes('PatientID=BAD') || path === '/studies/1.2.9/series') {
        response.writeHead(500).end();
      } else if (body === undefined) {
        response.writeHead(404).end();
      } else {
        response.writeHead(200, { 'content-type': 'application/dicom+json' }).end(JSON.stringify(body));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves out what failed and goes on', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'hms-prefetch-failures-'));
    const silent = pino({ level: 'silent' });
    const cache = await StudyCache.open({ dataDirectory, replicaFile: join(dataDirectory, 'replica.sqlite'), maxBytes: 1_000_000, pinnedPatientIds: () => new Set(), logger: silent });
    try {
      const result = await prefetchStudies({
        client: new DicomWebClient({ url, logger: silent }),
        cache,
        patientIds: ['BAD', 'OK'],
        settings: { maxAgeDays: 365, maxStudiesPerPatient: 5, maxInstancesPerStudy: 100 },
        logger: silent,
        clock: fixedClock('2017-06-01T00:00:00Z'),
      });

      expect(result.outcome).toBe('complete');
      expect(result.patientsSearched).toBe(1);
      expect(result.patientsFailed).toBe(1);
      expect(result.studiesPlanned).toBe(2);
      expect(result.studiesFailed).toBe(1);
      expect(result.instancesTotal).toBe(2);
      expect(result.instancesFailed).toBe(1);
      expect(result.instancesDownloaded).toBe(1);
      expect(Buffer.from((await cache.readInstance('1.2.8.1.1')) ?? []).equals(INSTANCE_BYTES)).toBe(true);
    } finally {
      cache.close();
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});
