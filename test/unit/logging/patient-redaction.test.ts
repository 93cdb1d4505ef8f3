import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createFileLogger } from '../../../main/core/logging/file-logger.js';
import { makeTempDirectory } from '../../support/replica.js';

/** A made-up patient; every value below must stay out of the log file. */
const PATIENT = {
  family: 'Quennell-Abara',
  given: ['Ottoline'],
  mrn: 'MRN-7731904',
  birthDate: '1947-03-18',
  phone: '+44 20 7946 0321',
  line: '14 Harrowgate Mews',
};

describe('patient fields in the rotated log', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('patient-redaction');
  });

  afterEach(() => directory.remove());

  it('never reach the file whatever the call site passes', async () => {
    const logger = await createFileLogger({ directory: directory.path, name: 'core', level: 'debug' });
    const resource = {
      resourceType: 'Patient',
      id: 'p-1',
      name: [{ family: PATIENT.family, given: PATIENT.given }],
      identifier: [{ system: 'urn:hms:mrn', value: PATIENT.mrn }],
      birthDate: PATIENT.birthDate,
      telecom: [{ system: 'phone', value: PATIENT.phone }],
      address: [{ line: [PATIENT.line] }],
    };
    const component = logger.child({ component: 'patients' });

    component.info({ resource, patientId: 'p-1' }, 'careless resource');
    component.info({ patientId: 'p-1', name: resource.name, mrn: PATIENT.mrn, birthDate: PATIENT.birthDate }, 'careless fields');
    component.warn({ patient: { identifier: resource.identifier, telecom: resource.telecom, address: resource.address } }, 'careless nested parts');
    component.debug({ family: PATIENT.family, given: PATIENT.given }, 'careless name parts');

    const text = readdirSync(directory.path)
      .map((file) => readFileSync(join(directory.path, file), 'utf8'))
      .join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(4);
    expect(text).toContain('"patientId":"p-1"');
    for (const value of [PATIENT.family, ...PATIENT.given, PATIENT.mrn, PATIENT.birthDate, PATIENT.phone, PATIENT.line]) {
      expect(text).not.toContain(value);
    }
  });
});
