import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OrthancServer } from '../../support/orthanc.js';
import { ORTHANC_MISSING_MESSAGE, orthancAvailable, startOrthanc } from '../../support/orthanc.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'dicom');

if (!orthancAvailable) console.warn(ORTHANC_MISSING_MESSAGE);

describe.skipIf(!orthancAvailable)('Orthanc test harness', () => {
  let orthanc: OrthancServer;

  beforeAll(async () => {
    orthanc = await startOrthanc();
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it('uploads a file and reports one already stored', async () => {
    const file = join(FIXTURES, 'pydicom_CT_small.dcm');

    const [first] = await orthanc.upload([file]);
    const [second] = await orthanc.upload([file]);

    expect(first?.status).toBe('Success');
    expect(second?.status).toBe('AlreadyStored');
    expect(second?.orthancId).toBe(first?.orthancId);
  });

  it('rejects requests without credentials', async () => {
    const response = await fetch(`${orthanc.dicomWebUrl}/studies`);
    await response.arrayBuffer();

    expect(response.status).toBe(401);
  });

  it('serves DICOMweb with the plugin loaded', async () => {
    const response = await fetch(`${orthanc.baseUrl}/plugins`, { headers: { authorization: orthanc.authorization } });

    expect(await response.json()).toContain('dicom-web');
  });

  it('stops the process by its PID', async () => {
    const server = await startOrthanc();
    const { pid } = server;

    await server.stop();

    expect(() => process.kill(pid, 0)).toThrow();
  });
});
