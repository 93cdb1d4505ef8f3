import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { readAstmFrames } from '../../../../devices/astm/index.js';
import type { InspectReport } from '../../../../devices/cli/inspect/report.js';
import { inspectFixture, runInspect } from './support/run-inspect.js';

/** `hms-lab inspect` run as a user runs it: `node bin/hms-lab.mjs inspect ...`. */
const folder = mkdtempSync(join(tmpdir(), 'hms-inspect-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

function fixtureBytes(path: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url));
}

const GLUCOSE_PROFILE = {
  id: 'bench-glucose',
  name: 'Glucose bench',
  manufacturer: 'Test',
  model: 'G-1',
  transport: { kind: 'tcp-server', port: 5100 },
  protocol: { name: 'astm-e1381' },
  tests: { GLU: { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mmol/L' } },
};

describe('hms-lab inspect arguments', () => {
  it('prints help', async () => {
    const run = await runInspect(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: hms-lab inspect [--profile ID|FILE] [--time-zone ZONE] FILE');
  });

  it.each([
    [[], 'FILE is missing'],
    [['a.astm', 'b.astm'], 'Only one FILE can be inspected at a time, but 2 were given'],
    [['--frobnicate', 'a.astm'], 'Unknown option --frobnicate'],
    [['a.astm', '--profile'], '--profile needs a value, such as --profile sysmex-xn550'],
    [['--time-zone', '--profile', 'x', 'a.astm'], '--time-zone needs a value'],
    [['--profile', 'a', '--profile=b', 'a.astm'], '--profile is given twice'],
    [['--time-zone', 'Mars/Olympus', 'a.astm'], '--time-zone: Time zone "Mars/Olympus" is not an IANA zone name or an offset'],
    [['--profile', 'no-such-analyzer', 'a.astm'], '--profile no-such-analyzer: no shipped profile has this id and no file has this name. Shipped profiles: abbott-afinion-2,'],
    [['--profile', 'missing/profile.json', 'a.astm'], '--profile missing/profile.json: no such file'],
    [['--time-zone', 'UTC', 'test/fixtures/lab-cases/missing.astm'], 'FILE test/fixtures/lab-cases/missing.astm cannot be read (ENOENT)'],
  ])('%j exits with 2', async (args, message) => {
    const run = await runInspect(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`hms-lab inspect: ${message}`);
    expect(run.stderr).toContain('Usage: hms-lab inspect');
  });

  it('rejects a profile of the other protocol', async () => {
    const run = await runInspect(['--profile', 'erba-elite-580', 'test/fixtures/lab-cases/LAB-24.astm']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--profile erba-elite-580 is for hl7-mllp but the capture is ASTM');
  });

  it('rejects an invalid profile file, naming the field', async () => {
    const path = writeTemp('broken.json', JSON.stringify({ ...GLUCOSE_PROFILE, tests: { GLU: { loinc: '2345-8', display: 'Glucose' } } }));
    const run = await runInspect(['--profile', path, 'test/fixtures/lab-cases/LAB-24.astm']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--profile ${path} is not a valid analyzer profile`);
    expect(run.stderr).toContain('$.tests.GLU.loinc');
  });
});

describe('hms-lab inspect on captures', () => {
  it('uses a profile file', async () => {
    const path = writeTemp('glucose.json', JSON.stringify(GLUCOSE_PROFILE));
    const { code, report } = await inspectFixture('lab-cases/LAB-24.astm', ['--profile', path, '--time-zone', 'UTC']);
    const result = report.messages[0]?.results.groups[0]?.results[0];

    expect(code).toBe(0);
    expect(report.profile).toEqual({ id: 'bench-glucose', chosenBy: 'argument' });
    expect(result?.match.kind).toBe('mapped');
    expect(result?.value).toEqual({ kind: 'quantity', value: 5.4 });
    expect(result?.unit).toEqual({ sent: 'mmol/L', stored: 'mmol/L' });
    expect(result?.referenceRange).toEqual({ text: '3.9 to 6.1', low: 3.9, high: 6.1 });
  });

  it('reads times in the zone given', async () => {
    const utc = await inspectFixture('lab-cases/LAB-24.astm', ['--time-zone', 'UTC']);
    const berlin = await inspectFixture('lab-cases/LAB-24.astm', ['--time-zone', 'Europe/Berlin']);
    const timeOf = (report: InspectReport): string | undefined => report.messages[0]?.results.groups[0]?.results[0]?.effectiveDateTime;

    expect(utc.report.timeZone).toBe('UTC');
    expect(timeOf(utc.report)).toBe('2024-01-01T11:30:00+00:00');
    expect(timeOf(berlin.report)).toBe('2024-01-01T11:30:00+01:00');
  });

  it('reads ASTM records given as text lines', async () => {
    const lines = ['H|\\^&|||ANALYZER', 'P|1', 'O|1|SID9||^^^GLU', 'R|1|^^^GLU|5.4|mmol/L|3.9 to 6.1|N||F||||20240101113000', 'L|1|N'];
    const text = `${lines.join('\r\n')}\r\n`;
    const run = await runInspect(['--time-zone', 'UTC', writeTemp('records.txt', text)]);
    const report = JSON.parse(run.stdout) as InspectReport;

    expect(run.code).toBe(0);
    expect(report.framing).toBe('astm-records');
    expect(report.frames).toBeUndefined();
    expect(report.messages[0]?.records.map((record) => [record.type, record.offset])).toEqual(lines.map((line) => [line[0], text.indexOf(line)]));
    expect(report.messages[0]?.results.groups[0]?.accession).toBe('SID9');
  });

  it('names a capture it cannot read', async () => {
    const { code, report } = await inspectFixture('hl7/astmio_erba_elite580_log.txt');

    expect(code).toBe(1);
    expect(report.protocol).toBe('unknown');
    expect(report.errors.map((error) => [error.code, error.offset])).toEqual([['unknown-capture', 0]]);
  });

  it('Mindray log: corrupted frames are never ACKed and their messages are lost', async () => {
    const bytes = fixtureBytes('astm/astmio_mindray_bs240_log.decoded');
    const corrupted = readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' && !token.frame.checksumValid ? [token.frame.offset] : []));
    const { code, report } = await inspectFixture('astm/astmio_mindray_bs240_log.decoded');
    const frames = report.frames ?? [];
    const naked = frames.filter((frame) => frame.reply === 'NAK');

    expect(code).toBe(1);
    expect(report.profile).toEqual({ id: 'mindray-bs-240', chosenBy: 'test-codes' });
    expect(frames).toHaveLength(157);
    expect(corrupted).toHaveLength(27);
    // A corrupted frame is NAKed, or ignored when the logger lost the ENQ before it.
    for (const offset of corrupted) expect(frames.find((frame) => frame.offset === offset)?.reply, `frame at ${offset}`).not.toBe('ACK');
    expect(report.errors.filter((error) => error.code === 'checksum-mismatch').map((error) => error.offset)).toEqual(
      naked.filter((frame) => frame.code === 'checksum-mismatch').map((frame) => frame.offset),
    );
    // The log contains no retransmissions, so every transfer with a NAKed frame broke off at its EOT.
    expect(report.errors.filter((error) => error.code === 'interrupted-by-eot')).toHaveLength(naked.length);
    expect(new Set(report.errors.map((error) => error.code))).toEqual(new Set(['checksum-mismatch', 'frame-number-mismatch', 'interrupted-by-eot']));
    // The link warns at the first frame of each run of frames that came without an ENQ.
    const outside = report.warnings.filter((warning) => warning.code === 'frame-outside-transfer');
    expect(outside.length).toBeGreaterThan(0);
    for (const warning of outside) expect(frames.find((frame) => frame.offset === warning.offset)?.reply, `frame at ${warning.offset}`).toBe('none');
    expect(report.transfers?.filter((transfer) => transfer.outcome === 'delivered').length).toBe(report.messages.length);
  });

  it('Yumizen H500: frames with wrong numbers are NAKed and reported', async () => {
    const bytes = fixtureBytes('astm/senaite_yumizen_h500.txt');
    const frames = readAstmFrames(bytes).flatMap((token) => (token.kind === 'frame' ? [token.frame] : []));
    const { code, report } = await inspectFixture('astm/senaite_yumizen_h500.txt');
    // Frames 6 to 8 carry number 1, frame 9 number 4 and frame 10 number 5 where 6 was due.
    const misnumbered = frames.slice(5, 10).map((frame) => frame.offset);

    expect(code).toBe(1);
    expect(report.errors.map((error) => [error.code, error.offset])).toEqual(misnumbered.map((offset) => ['frame-number-mismatch', offset]));
    expect(report.frames?.filter((frame) => frame.reply === 'NAK').map((frame) => frame.offset)).toEqual(misnumbered);
    expect(report.messages[0]?.results.groups[0]?.results.map((result) => result.testCode.key)).not.toContain('MCV');
    expect(report.warnings.find((warning) => warning.code === 'no-enq')).toBeDefined();
  });

  it('Erba log: spliced blocks are errors, the rest map', async () => {
    const { code, report } = await inspectFixture('hl7/astmio_erba_elite580_log.decoded');

    expect(code).toBe(1);
    expect(report.framing).toBe('mllp');
    expect(report.profile).toEqual({ id: 'erba-elite-580', chosenBy: 'test-codes' });
    expect(report.blocks).toHaveLength(95);
    expect(report.errors.map((error) => error.code)).toEqual(Array(9).fill('multiple-messages'));
    expect(report.messages).toHaveLength(86);
    expect(report.blocks?.filter((block) => block.message === null)).toHaveLength(9);
  });
});
