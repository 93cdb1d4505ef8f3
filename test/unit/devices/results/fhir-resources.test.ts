import { describe, expect, it } from 'vitest';

import type { LabResultGroup, LabResultMapping } from '../../../../devices/results/index.js';
import { analyzerCodeSystem, buildDiagnosticReport, buildObservation, buildResultResources, reportStatus } from '../../../../devices/results/index.js';
import { resultAt } from './support/fixtures.js';
import { CHEMISTRY_PROFILE, mapAstmRecords, mapHl7Segments } from './support/messages.js';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const ANALYZER = analyzerCodeSystem('test-chemistry');
const REFERENCES = {
  subject: { reference: 'Patient/p1' },
  specimen: { reference: 'Specimen/s1' },
  basedOn: [{ reference: 'ServiceRequest/o1' }],
  device: { reference: 'Device/analyzer-1' },
};

function chemistry(...results: string[]): LabResultMapping {
  return mapAstmRecords(['H|\\^&|||ANALYZER|||||LIS||P|LIS2-A2|20240115083000', 'P|1', 'O|1|ACC1||^^^GLU\\^^^NA|R|20240115080000', ...results, 'L|1|N'], {
    profile: CHEMISTRY_PROFILE,
  });
}

function firstGroup(mapping: LabResultMapping): LabResultGroup {
  const group = mapping.groups[0];
  if (!group) throw new Error('the mapping has no group');
  return group;
}

/** FHIR forbids empty strings, arrays and objects; a resource that has one is invalid. */
function emptyElements(value: unknown, path = '$'): string[] {
  if (value === '' || (Array.isArray(value) && value.length === 0)) return [path];
  if (Array.isArray(value)) return value.flatMap((entry, index) => emptyElements(entry, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return [path];
    return entries.flatMap(([key, entry]) => (entry === undefined ? [`${path}.${key}`] : emptyElements(entry, `${path}.${key}`)));
  }
  return [];
}

describe('Observation', () => {
  it('of a mapped quantity', () => {
    const mapping = chemistry('R|1|^^^GLU|100|mg/dL|70-110|H||F||||20240115091500', 'C|1|I|Sample lipemic|G');
    const observation = buildObservation(resultAt(mapping, 'R[1]'), { analyzerCodeSystem: ANALYZER, ...REFERENCES, issued: '2024-01-15T09:20:00+00:00' });

    expect(observation).toEqual({
      resourceType: 'Observation',
      id: resultAt(mapping, 'R[1]').id,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
      code: {
        coding: [
          { system: LOINC, code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
          { system: ANALYZER, code: 'GLU' },
        ],
        text: 'Glucose [Mass/volume] in Serum or Plasma',
      },
      subject: { reference: 'Patient/p1' },
      basedOn: [{ reference: 'ServiceRequest/o1' }],
      specimen: { reference: 'Specimen/s1' },
      device: { reference: 'Device/analyzer-1' },
      effectiveDateTime: '2024-01-15T09:15:00+00:00',
      issued: '2024-01-15T09:20:00+00:00',
      valueQuantity: { value: 5.55, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
      interpretation: [{ coding: [{ system: INTERPRETATION, code: 'H', display: 'High' }], text: 'H' }],
      referenceRange: [{ low: { value: 3.885, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }, high: { value: 6.105, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }, text: '70-110' }],
      note: [{ text: 'Sample lipemic' }],
    });
    expect(emptyElements(observation)).toEqual([]);
  });

  it('of an unmapped quantity with a comparator', () => {
    const observation = buildObservation(resultAt(chemistry('R|1|^^^CRP|<0.5|mg/L|<5|N||F'), 'R[1]'), { analyzerCodeSystem: ANALYZER });

    expect(observation.code).toEqual({ coding: [{ system: ANALYZER, code: 'CRP' }], text: 'CRP' });
    expect(observation.valueQuantity).toEqual({ value: 0.5, comparator: '<', unit: 'mg/L' });
    expect(observation.referenceRange).toEqual([{ high: { value: 5, unit: 'mg/L' }, text: '<5' }]);
    expect(observation.subject).toBeUndefined();
    expect(emptyElements(observation)).toEqual([]);
  });

  it('of text, a cancelled test and an unknown flag', () => {
    const mapping = chemistry('R|1|^^^HIV|NEG|||N||F', 'R|2|^^^NA||||||X', 'R|3|^^^HIV|REACTIVE|||ZZ||F');

    expect(buildObservation(resultAt(mapping, 'R[1]'), { analyzerCodeSystem: ANALYZER }).valueString).toBe('NEG');
    expect(buildObservation(resultAt(mapping, 'R[2]'), { analyzerCodeSystem: ANALYZER }).dataAbsentReason).toEqual({
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed', display: 'Not Performed' }],
    });
    expect(buildObservation(resultAt(mapping, 'R[2]'), { analyzerCodeSystem: ANALYZER }).status).toBe('cancelled');
    expect(buildObservation(resultAt(mapping, 'R[3]'), { analyzerCodeSystem: ANALYZER }).interpretation).toEqual([{ text: 'ZZ' }]);
  });

  it('of HL7 coded values, ratios and ranges', () => {
    const mapping = mapHl7Segments([
      'MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1',
      'OBR|1||ACC1|PANEL',
      'OBX|1|CWE|AG^Antigen^L||260415000^Not detected^SCT|||N|||F',
      'OBX|2|SN|TITER^Titer^L||<^1^:^128||<1:32|H|||F',
      'OBX|3|SN|RBC^RBC^L||^2^-^8|/[HPF]|0-2|H|||F',
    ]);
    const system = analyzerCodeSystem(undefined);

    expect(buildObservation(resultAt(mapping, 'OBX[1]'), { analyzerCodeSystem: system }).valueCodeableConcept).toEqual({
      coding: [{ system: 'http://snomed.info/sct', code: '260415000', display: 'Not detected' }],
      text: 'Not detected',
    });
    expect(buildObservation(resultAt(mapping, 'OBX[2]'), { analyzerCodeSystem: system }).valueRatio).toEqual({ numerator: { value: 1, comparator: '<' }, denominator: { value: 128 } });
    expect(buildObservation(resultAt(mapping, 'OBX[3]'), { analyzerCodeSystem: system }).valueRange).toEqual({ low: { value: 2, unit: '/[HPF]' }, high: { value: 8, unit: '/[HPF]' } });
    expect(buildObservation(resultAt(mapping, 'OBX[1]'), { analyzerCodeSystem: system }).code).toEqual({ coding: [{ system, code: 'AG', display: 'Antigen' }], text: 'Antigen' });
  });
});

describe('DiagnosticReport', () => {
  it('lists the stored results of a group', () => {
    const mapping = chemistry('R|1|^^^GLU|100|mg/dL||N||F', 'R|2|^^^QC1|5|||N||F', 'R|3|^^^NA|140|mmol/L||N||P');
    const group = firstGroup(mapping);
    const report = buildDiagnosticReport(group, { analyzerCodeSystem: ANALYZER, subject: REFERENCES.subject, specimen: REFERENCES.specimen, basedOn: REFERENCES.basedOn });

    expect(report).toEqual({
      resourceType: 'DiagnosticReport',
      id: group.id,
      status: 'preliminary',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
      code: {
        coding: [
          { system: ANALYZER, code: 'GLU' },
          { system: ANALYZER, code: 'NA' },
        ],
        text: 'GLU, NA',
      },
      subject: { reference: 'Patient/p1' },
      basedOn: [{ reference: 'ServiceRequest/o1' }],
      specimen: [{ reference: 'Specimen/s1' }],
      effectiveDateTime: '2024-01-15T08:00:00+00:00',
      issued: '2024-01-15T08:30:00+00:00',
      result: [{ reference: `Observation/${resultAt(mapping, 'R[1]').id}` }, { reference: `Observation/${resultAt(mapping, 'R[3]').id}` }],
    });
    expect(emptyElements(report)).toEqual([]);
  });

  it('codes an HL7 panel by its LOINC code', () => {
    const mapping = mapHl7Segments(['MSH|^~\\&|LAB||LIS||20240101120000||ORU^R01|M1|P|2.5.1', 'OBR|1||ACC1|57021-8^CBC W Auto Differential panel in Blood^LN', 'OBX|1|NM|718-7^HGB^LN||13|g/dL|||||F']);
    const report = buildDiagnosticReport(firstGroup(mapping), { analyzerCodeSystem: analyzerCodeSystem(undefined) });

    expect(report.code).toEqual({ coding: [{ system: LOINC, code: '57021-8', display: 'CBC W Auto Differential panel in Blood' }], text: 'CBC W Auto Differential panel in Blood' });
    expect(report.issued).toBe('2024-01-01T12:00:00+00:00');
  });

  it('falls back to the laboratory report code', () => {
    const mapping = mapAstmRecords(['H|\\^&', 'R|1|^^^NA|140|mmol/L||N||F', 'L|1|N']);
    const report = buildDiagnosticReport(firstGroup(mapping), { analyzerCodeSystem: ANALYZER, issued: '2024-02-01T10:00:00+00:00' });

    expect(report.code).toEqual({ coding: [{ system: LOINC, code: '11502-2', display: 'Laboratory report' }], text: 'Laboratory report' });
    expect(report.issued).toBe('2024-02-01T10:00:00+00:00');
    expect(report.specimen).toBeUndefined();
  });

  it.each([
    [['final', 'final'], 'final'],
    [['final', 'preliminary'], 'preliminary'],
    [['registered', 'registered'], 'registered'],
    [['final', 'registered'], 'preliminary'],
    [['final', 'corrected'], 'corrected'],
    [['final', 'amended'], 'amended'],
    [['final', 'cancelled'], 'final'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [['entered-in-error'], 'entered-in-error'],
    [['cancelled', 'entered-in-error'], 'cancelled'],
    [['final', 'unknown'], 'unknown'],
    [[], 'unknown'],
  ] as const)('status of %j is %s', (statuses, status) => {
    expect(reportStatus(statuses)).toBe(status);
  });
});

describe('buildResultResources', () => {
  it('leaves ignored results out and shares references', () => {
    const mapping = chemistry('R|1|^^^GLU|100|mg/dL||N||F', 'R|2|^^^QC1|5|||N||F');
    const resources = buildResultResources(mapping, firstGroup(mapping), REFERENCES);

    expect(resources.observations.map((observation) => observation.id)).toEqual([resultAt(mapping, 'R[1]').id]);
    expect(resources.observations[0]?.specimen).toEqual(REFERENCES.specimen);
    expect(resources.observations[0]?.device).toEqual(REFERENCES.device);
    expect(resources.observations[0]?.issued).toBe('2024-01-15T08:30:00+00:00');
    expect(resources.observations[0]?.code.coding?.[1]?.system).toBe(ANALYZER);
    expect(resources.diagnosticReport.result).toEqual([{ reference: `Observation/${resultAt(mapping, 'R[1]').id}` }]);
  });

  it('builds the same resources from the same message', () => {
    const records = ['R|1|^^^GLU|100|mg/dL||N||F', 'R|2|^^^NA|140|mmol/L||N||F'];
    const first = chemistry(...records);
    const second = chemistry(...records);

    expect(buildResultResources(second, firstGroup(second), REFERENCES)).toEqual(buildResultResources(first, firstGroup(first), REFERENCES));
  });
});
