import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { escapedInputs } from './support/fixtures.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/hms-scan.mjs ARGS` as a user would, from the repository root. */
function hmsScan(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hms-scan.mjs', ...args], { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      let status = 0;
      if (error) status = typeof error.code === 'number' ? error.code : -1;
      resolve({ status, stdout, stderr });
    });
  });
}

describe('hms-scan parse', () => {
  it('prints a valid GS1 scan as JSON with exit status 0', async () => {
    const run = await hmsScan('parse', '--now', '2025-06-01', ']d2010952012345678810ABC1<GS>17260131');
    const output = JSON.parse(run.stdout);

    expect(run.status).toBe(0);
    expect(output).toMatchObject({ kind: 'gs1', symbology: { identifier: ']d2', name: 'GS1 DataMatrix' }, error: null });
    expect(output.elements).toEqual([
      expect.objectContaining({ ai: '01', title: 'GTIN', value: '09520123456788' }),
      expect.objectContaining({ ai: '10', title: 'BATCH/LOT', value: 'ABC1' }),
      expect.objectContaining({ ai: '17', title: 'USE BY or EXPIRY', type: 'date', value: '2026-01-31' }),
    ]);
  });

  it('reads \\x1d as the group separator and prints measures with their unit', async () => {
    const run = await hmsScan('parse', '--now', '2025-06-01', ']C110A\\x1d3102001250');
    const output = JSON.parse(run.stdout);

    expect(run.status).toBe(0);
    expect(output.elementString).toBe('10A\x1d3102001250');
    expect(output.elements[1]).toMatchObject({ ai: '3102', type: 'measure', value: 12.5, unit: 'kg' });
  });

  it('reads the corpus inputs with <GS> as the library reads them', async () => {
    const run = await hmsScan('parse', '--now', '2025-06-15', escapedInputs().get(52) as string);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).elementString).toBe('011231231231233310ABC123\x1d1199122598TESTING\x1d97XYZ');
  });

  it('exits 1 on an invalid scan and prints the error', async () => {
    const run = await hmsScan('parse', '0107032069804987');
    const output = JSON.parse(run.stdout);

    expect(run.status).toBe(1);
    expect(output.error).toMatchObject({ code: 'bad-check-digit', ai: '01', expected: '8', found: '7', position: 15 });
  });

  it('checks expiry against --now', async () => {
    const before = await hmsScan('parse', '--now', '2025-06-15', ']C117250615');
    const after = await hmsScan('parse', '--now=2025-06-16T00:30', ']C117250615');

    expect(before.status).toBe(0);
    expect(after.status).toBe(1);
    expect(JSON.parse(after.stdout).error).toMatchObject({ code: 'expired', value: '2025-06-15' });
  });

  it('reads wristbands and specimens with the site patterns', async () => {
    const patterns = ['--wristband', 'MRN(?<mrn>\\d{8})', '--specimen', 'S(?<accession>\\d{2}-\\d{6})'];
    const wristband = await hmsScan('parse', ...patterns, 'MRN00123456');
    const specimen = await hmsScan('parse', ...patterns, '--', 'S25-000042');

    expect(JSON.parse(wristband.stdout)).toMatchObject({ kind: 'wristband', mrn: '00123456' });
    expect(JSON.parse(specimen.stdout)).toMatchObject({ kind: 'specimen', accession: '25-000042' });
  });

  it.each([
    ['a missing STRING', ['parse'], 'STRING is missing'],
    ['two STRINGs', ['parse', 'A', 'B'], 'Only one STRING'],
    ['an unknown option', ['parse', '--clock', 'x', 'A'], 'Unknown option --clock'],
    ['an invalid --now', ['parse', '--now', '2025-02-30', 'A'], '--now "2025-02-30" is an invalid ISO date'],
    ['an invalid --wristband', ['parse', '--wristband', '(MRN', 'A'], '--wristband: The wristband pattern "(MRN" is an invalid regular expression'],
    ['an unknown command', ['check', 'A'], 'Unknown command "check"'],
  ])('exits 2 on %s and names the fix', async (_name, args, message) => {
    const run = await hmsScan(...args);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: hms-scan parse');
  });

  it('prints the help with exit status 0', async () => {
    const run = await hmsScan('parse', '--help');

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Exit status: 0 for a valid scan, 1 for an invalid scan, 2 when the arguments are wrong.');
  });
});
