import { describe, expect, it } from 'vitest';

import type { AnalyzerProfile } from '../../../../devices/profiles/index.js';
import {
  analyzerProfileSchema,
  loincCheckDigit,
  loincCodeProblem,
  matchTestCode,
  ProfileSettingMissingError,
  resolveResultStatus,
  testCodeKey,
  transportSettingsOf,
} from '../../../../devices/profiles/index.js';

function profile(overrides: Record<string, unknown> = {}): AnalyzerProfile {
  return analyzerProfileSchema.parse({
    id: 'pentra-bench',
    name: 'Pentra bench',
    manufacturer: 'Horiba Medical',
    model: 'ABX Pentra XLR',
    transport: { kind: 'serial', baudRate: 9600 },
    protocol: { name: 'astm-e1381' },
    tests: { WBC: { loinc: '6690-2', display: 'Leukocytes' } },
    ignoredTestCodes: [{ pattern: '(SCAT|DIST)_.+', reason: 'images' }],
    ...overrides,
  });
}

describe('LOINC check digit', () => {
  it.each(['718-7', '6690-2', '789-8', '4544-3', '32623-1', '21000-5', '2951-2', '4548-4', '71695-1', '16325-3'])('accepts %s', (code) => {
    expect(loincCodeProblem(code)).toBeUndefined();
  });

  it('computes the digit of 789', () => {
    expect(loincCheckDigit('789')).toBe(8);
  });

  it.each([
    ['789-9', /789-8 would be valid/],
    ['2100-5', /2100-6 would be valid/],
    ['11090', /not a LOINC code/],
    ['LN-718', /not a LOINC code/],
  ])('rejects %s', (code, problem) => {
    expect(loincCodeProblem(code)).toMatch(problem);
  });
});

describe('test code keys', () => {
  it('takes the fourth component by default', () => {
    expect(testCodeKey(['', '', '', 'WBC', '804-5', '1'], [4])).toBe('WBC');
  });

  it('joins components and drops trailing empty ones', () => {
    expect(testCodeKey(['', 'MTB-RIF', '', 'Xpert', 'Xpert MTB-RIF Ultra', '4', 'MTB', ''], [4, 7, 8])).toBe('Xpert^MTB');
    expect(testCodeKey(['', 'MTB-RIF', '', 'Xpert', '', '', 'rpoB1', 'Ct'], [4, 7, 8])).toBe('Xpert^rpoB1^Ct');
  });

  it('keeps a leading empty component', () => {
    expect(testCodeKey(['', 'Glo', '', 'F'], [1, 2])).toBe('^Glo');
  });

  it('trims padding', () => {
    expect(testCodeKey(['', '', '', ' HbA1c '], [4])).toBe('HbA1c');
  });

  it('is empty for a missing component', () => {
    expect(testCodeKey(['WBC'], [4])).toBe('');
  });
});

describe('test code matching', () => {
  it('finds a mapped code', () => {
    expect(matchTestCode(profile(), 'WBC')).toMatchObject({ kind: 'mapped', mapping: { loinc: '6690-2' } });
  });

  it('finds an ignored code with its reason', () => {
    expect(matchTestCode(profile(), 'SCAT_WDF')).toEqual({ kind: 'ignored', key: 'SCAT_WDF', reason: 'images' });
  });

  it('anchors ignore patterns to the whole key', () => {
    expect(matchTestCode(profile(), 'XSCAT_WDF').kind).toBe('unmapped');
  });

  it('reports an unknown code as unmapped', () => {
    expect(matchTestCode(profile(), 'HGB')).toEqual({ kind: 'unmapped', key: 'HGB' });
  });

  it('ignores inherited object keys', () => {
    expect(matchTestCode(profile(), 'constructor').kind).toBe('unmapped');
  });
});

describe('result status', () => {
  it('maps ASTM defaults', () => {
    expect(resolveResultStatus(profile(), 'F')).toEqual({ status: 'final', review: false });
    expect(resolveResultStatus(profile(), 'W')).toEqual({ status: 'preliminary', review: true });
    expect(resolveResultStatus(profile(), 'X')).toEqual({ status: 'cancelled', review: false });
  });

  it('maps HL7 defaults', () => {
    const hl7 = profile({ protocol: { name: 'hl7-mllp', version: '2.3.1' } });

    expect(resolveResultStatus(hl7, 'F')).toEqual({ status: 'final', review: false });
    expect(resolveResultStatus(hl7, 'W')).toEqual({ status: 'entered-in-error', review: true });
  });

  it('lets the profile override a default', () => {
    const strict = profile({ resultStatus: { F: { status: 'preliminary', review: true } } });

    expect(resolveResultStatus(strict, 'F')).toEqual({ status: 'preliminary', review: true });
  });

  it('holds an unknown status for review', () => {
    expect(resolveResultStatus(profile(), 'Positif')).toEqual({ status: 'unknown', review: true });
    expect(resolveResultStatus(profile(), '')).toEqual({ status: 'unknown', review: true });
  });
});

describe('transport settings of a profile', () => {
  it('requires the serial port', () => {
    expect(() => transportSettingsOf(profile())).toThrow(ProfileSettingMissingError);
    expect(() => transportSettingsOf(profile())).toThrow(/pentra-bench has no transport.path: set the serial port/);
  });

  it('fills defaults once the port is set', () => {
    const settings = transportSettingsOf(profile({ transport: { kind: 'serial', path: 'COM3', baudRate: 9600, parity: 'even' } }));

    expect(settings).toMatchObject({ kind: 'serial', path: 'COM3', baudRate: 9600, parity: 'even', dataBits: 8, reconnect: { initialDelayMs: 1_000 } });
  });

  it('requires the server port', () => {
    expect(() => transportSettingsOf(profile({ transport: { kind: 'tcp-server' } }))).toThrow(/no transport.port/);
  });

  it('keeps a server local by default', () => {
    expect(transportSettingsOf(profile({ transport: { kind: 'tcp-server', port: 5100 } }))).toMatchObject({ host: '127.0.0.1', port: 5100 });
  });

  it('requires the client address', () => {
    expect(() => transportSettingsOf(profile({ transport: { kind: 'tcp-client', port: 5100 } }))).toThrow(/no transport.host/);
  });
});
