import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AnalyzerProfileInput, ProfileIssue } from '../../../../devices/profiles/index.js';
import { formatProfileErrors, loadProfiles, parseProfileText } from '../../../../devices/profiles/index.js';
import { makeTempDirectory } from '../../../support/replica.js';

function validProfile(): AnalyzerProfileInput {
  return {
    id: 'sysmex-xn550-bench-1',
    name: 'Haematology bench 1',
    manufacturer: 'Sysmex',
    model: 'XN-550',
    transport: { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 },
    protocol: { name: 'astm-e1381', testCodeComponents: [5] },
    tests: { WBC: { loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', unit: '10*3/uL' } },
  };
}

/** Applies `change` to a valid profile and returns the issues of the result. */
function issuesAfter(change: (profile: Record<string, unknown>) => void): ProfileIssue[] {
  const profile = structuredClone(validProfile()) as unknown as Record<string, unknown>;
  change(profile);
  const result = parseProfileText(JSON.stringify(profile));
  if (result.ok) throw new Error('expected the profile to be rejected');
  return result.issues;
}

function field(profile: Record<string, unknown>, key: string): Record<string, unknown> {
  return profile[key] as Record<string, unknown>;
}

function wbc(profile: Record<string, unknown>): Record<string, unknown> {
  return field(field(profile, 'tests'), 'WBC') as Record<string, unknown>;
}

describe('profile validation', () => {
  it('accepts the valid profile and fills defaults', () => {
    const result = parseProfileText(JSON.stringify(validProfile()));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.profile.hostQuery).toBe(false);
    expect(result.profile.protocol).toEqual({ name: 'astm-e1381', testCodeComponents: [5], acceptOversizedFrames: true, encoding: 'latin1', accession: { field: 'O.3', component: 1 } });
    expect(result.profile.transport).toMatchObject({ dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' });
  });

  const badProfiles: { case: string; change: (profile: Record<string, unknown>) => void; path: string; message: RegExp; hint?: RegExp }[] = [
    { case: 'missing id', change: (p) => delete p.id, path: '$.id', message: /is missing; it must be the profile id/ },
    { case: 'id with capitals', change: (p) => (p.id = 'Sysmex XN'), path: '$.id', message: /lower-case letters, digits and hyphens/ },
    { case: 'empty name', change: (p) => (p.name = '  '), path: '$.name', message: /must not be empty/ },
    { case: 'baud rate as text', change: (p) => (field(p, 'transport').baudRate = '9600'), path: '$.transport.baudRate', message: /whole number of bits per second/ },
    { case: 'nine data bits', change: (p) => (field(p, 'transport').dataBits = 9), path: '$.transport.dataBits', message: /must be 5, 6, 7 or 8/ },
    { case: 'parity in capitals', change: (p) => (field(p, 'transport').parity = 'EVEN'), path: '$.transport.parity', message: /"none", "even", "odd"/ },
    { case: 'unknown flow control', change: (p) => (field(p, 'transport').flowControl = 'hardware'), path: '$.transport.flowControl', message: /"rts-cts" or "xon-xoff"/ },
    { case: 'unknown transport kind', change: (p) => (field(p, 'transport').kind = 'usb'), path: '$.transport.kind', message: /must be "serial", "tcp-client" or "tcp-server"/ },
    { case: 'misspelt setting', change: (p) => (field(p, 'transport').baudrate = 9600), path: '$.transport.baudrate', message: /unknown setting "baudrate"/, hint: /did you mean "baudRate"/ },
    { case: 'server port out of range', change: (p) => (p.transport = { kind: 'tcp-server', port: 70_000 }), path: '$.transport.port', message: /TCP port number from 0 to 65535/ },
    { case: 'unknown protocol', change: (p) => (field(p, 'protocol').name = 'astm'), path: '$.protocol.name', message: /must be "astm-e1381" or "hl7-mllp"/ },
    { case: 'HL7 without version', change: (p) => (p.protocol = { name: 'hl7-mllp' }), path: '$.protocol.version', message: /is missing; it must be the HL7 version/ },
    { case: 'HL7 version 3', change: (p) => (p.protocol = { name: 'hl7-mllp', version: '3.0' }), path: '$.protocol.version', message: /HL7 v2 version/ },
    { case: 'accession in O.5', change: (p) => (field(p, 'protocol').accession = { field: 'O.5' }), path: '$.protocol.accession.field', message: /must be "O.3" \(specimen ID\) or "O.4"/ },
    { case: 'component zero', change: (p) => (field(p, 'protocol').testCodeComponents = [0]), path: '$.protocol.testCodeComponents[0]', message: /component position from 1 to 20/ },
    { case: 'no tests', change: (p) => (p.tests = {}), path: '$.tests', message: /at least one test code/ },
    { case: 'LOINC check digit', change: (p) => (wbc(p).loinc = '6690-3'), path: '$.tests.WBC.loinc', message: /wrong check digit: 6690-2 would be valid/ },
    { case: 'LOINC without hyphen', change: (p) => (wbc(p).loinc = '66902'), path: '$.tests.WBC.loinc', message: /not a LOINC code/ },
    { case: 'micro sign in unit', change: (p) => (wbc(p).unit = 'µmol/L'), path: '$.tests.WBC.unit', message: /micro is "u"/ },
    { case: 'no LOINC and no note', change: (p) => delete wbc(p).loinc, path: '$.tests.WBC.note', message: /required when loinc is left out/ },
    { case: 'conversion without units', change: (p) => (wbc(p).conversion = { factor: 1000 }), path: '$.tests.WBC.conversion', message: /needs both analyzerUnit/ },
    { case: 'negative conversion factor', change: (p) => Object.assign(wbc(p), { analyzerUnit: '10*9/L', conversion: { factor: -1 } }), path: '$.tests.WBC.conversion.factor', message: /greater than 0/ },
    { case: 'invalid ignore pattern', change: (p) => (p.ignoredTestCodes = [{ pattern: 'SCAT_(', reason: 'images' }]), path: '$.ignoredTestCodes[0].pattern', message: /not a valid regular expression/ },
    { case: 'unknown FHIR status', change: (p) => (p.resultStatus = { W: { status: 'warning' } }), path: '$.resultStatus.W.status', message: /FHIR Observation.status/ },
    { case: 'host query as text', change: (p) => (p.hostQuery = 'yes'), path: '$.hostQuery', message: /true or false/ },
  ];

  for (const bad of badProfiles) {
    it(`rejects ${bad.case}`, () => {
      const issues = issuesAfter(bad.change);

      const issue = issues.find((candidate) => candidate.path === bad.path);
      expect(issue, `issues: ${JSON.stringify(issues)}`).toBeDefined();
      expect(issue?.message).toMatch(bad.message);
      if (bad.hint) expect(issue?.hint).toMatch(bad.hint);
    });
  }

  it('quotes test codes that are not identifiers', () => {
    const issues = issuesAfter((p) => (p.tests = { 'NEU#': { loinc: '751-9', display: 'Neutrophils' } }));

    expect(issues.map((issue) => issue.path)).toEqual(['$.tests["NEU#"].loinc']);
  });

  it('reports every bad field at once', () => {
    const issues = issuesAfter((p) => {
      field(p, 'transport').dataBits = 9;
      wbc(p).loinc = '6690-3';
      p.hostQuery = 'yes';
    });

    expect(issues.map((issue) => issue.path).sort()).toEqual(['$.hostQuery', '$.tests.WBC.loinc', '$.transport.dataBits']);
  });

  it('locates a JSON syntax error', () => {
    const result = parseProfileText('{\n  "id": "a",\n  "name": "b",,\n}');

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toMatch(/is not valid JSON at line 3, column 15/);
    expect(result.issues[0]?.hint).toMatch(/trailing comma/);
  });

  it('accepts a byte order mark', () => {
    expect(parseProfileText(`\uFEFF${JSON.stringify(validProfile())}`).ok).toBe(true);
  });
});

describe('profile folder loader', () => {
  let directory: ReturnType<typeof makeTempDirectory>;

  beforeEach(() => {
    directory = makeTempDirectory('profiles');
  });

  afterEach(() => directory.remove());

  function write(file: string, content: unknown): void {
    writeFileSync(join(directory.path, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }

  it('loads good files despite bad ones', async () => {
    write('a-good.json', validProfile());
    write('b-bad.json', { ...validProfile(), id: 'second', transport: { kind: 'serial', baudRate: 'fast' } });
    write('c-broken.json', '{ "id": ');
    write('d-good.json', { ...validProfile(), id: 'erba-elite-580-bench-2' });
    write('notes.txt', 'not a profile');

    const result = await loadProfiles(directory.path);

    expect(result.profiles.map((loaded) => loaded.file)).toEqual(['a-good.json', 'd-good.json']);
    expect(result.errors.map((error) => error.file)).toEqual(['b-bad.json', 'c-broken.json']);
    expect(result.errors[0]?.issues.map((issue) => issue.path)).toEqual(['$.transport.baudRate']);
  });

  it('rejects a duplicate id in the later file', async () => {
    write('a.json', validProfile());
    write('b.json', validProfile());

    const result = await loadProfiles(directory.path);

    expect(result.profiles.map((loaded) => loaded.file)).toEqual(['a.json']);
    expect(result.errors).toEqual([{ file: 'b.json', issues: [{ path: '$.id', message: '"sysmex-xn550-bench-1" is already the id of a.json', hint: 'give each profile its own id' }] }]);
  });

  // Root reads any file, so the case cannot be produced when the tests run as root.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    write('locked.json', validProfile());
    chmodSync(join(directory.path, 'locked.json'), 0o000);

    const result = await loadProfiles(directory.path);

    expect(result.errors[0]?.issues[0]?.message).toMatch(/cannot be read/);
  });

  it('formats one line per issue', async () => {
    write('bad.json', { ...validProfile(), hostQuery: 'yes', tests: { WBC: { loinc: '6690-3', display: 'WBC' } } });

    const { errors } = await loadProfiles(directory.path);

    expect(formatProfileErrors(errors).split('\n')).toEqual([
      'bad.json: $.hostQuery: must be true or false',
      'bad.json: $.tests.WBC.loinc: "6690-3" has a wrong check digit: 6690-2 would be valid, but look the code up again rather than trust the digit',
    ]);
  });

  it('rejects a missing folder', async () => {
    await expect(loadProfiles(join(directory.path, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
