import { describe, expect, it } from 'vitest';

import type { AssemblyStep, ScannedDataFragment } from '../../../devices/hid-scanner/index.js';
import { readScannedDataReport, ScanAssembler } from '../../../devices/hid-scanner/index.js';
import { readReports } from '../../support/fake-hid.js';

function fragmentOf(report: Buffer): ScannedDataFragment {
  const reading = readScannedDataReport(report);
  if (reading.kind !== 'fragment') throw new Error(`expected a scanned data report, got ${reading.kind}`);
  return reading.fragment;
}

/** Feeds reports to an assembler 5 ms apart and returns the whole scans. */
function assemble(reports: readonly Buffer[]): { raw: string; reports: number }[] {
  const assembler = new ScanAssembler();
  const steps: AssemblyStep[] = reports.flatMap((report, index) => assembler.add(fragmentOf(report), index * 5));
  return steps.flatMap((step) => (step.kind === 'scan' ? [step.scan] : []));
}

describe('scanned data report', () => {
  const recorded = readReports('honeywell-1602g-revinf.hex');

  it('reads the recorded reports', () => {
    const first = fragmentOf(recorded[0] ?? Buffer.alloc(0));
    expect(first.symbologyIdentifier).toBe(']X0');
    expect(first.data).toHaveLength(56);
    expect(first.data.toString('latin1').startsWith('Product Name: Voyager 1602g\r\n')).toBe(true);
    expect(first.more).toBe(true);
  });

  it('reads the last report of a message', () => {
    const last = fragmentOf(recorded[5] ?? Buffer.alloc(0));
    expect(last.data.toString('latin1')).toBe('um: N/A\r\n');
    expect(last.more).toBe(false);
  });

  it('ignores other report ids', () => {
    const report = Buffer.alloc(64);
    report[0] = 0x04;
    expect(readScannedDataReport(report)).toEqual({ kind: 'other', reportId: 4 });
  });

  it('rejects a short report', () => {
    const reading = readScannedDataReport(Buffer.from([0x02, 0x03, 0x5d, 0x43, 0x30, 0x31, 0x32, 0x33]));
    if (reading.kind !== 'invalid') throw new Error(`expected an invalid report, got ${reading.kind}`);
    expect(reading.reason).toContain('8 bytes, expected 64');
  });

  it('rejects a length over 56', () => {
    const report = Buffer.from(recorded[0] ?? Buffer.alloc(64));
    report[1] = 57;
    const reading = readScannedDataReport(report);
    if (reading.kind !== 'invalid') throw new Error(`expected an invalid report, got ${reading.kind}`);
    expect(reading.reason).toContain('57 data bytes');
  });

  it('rejects an empty report', () => {
    expect(readScannedDataReport(Buffer.alloc(0)).kind).toBe('invalid');
  });

  it('adds a missing flag character', () => {
    const report = Buffer.alloc(64);
    report.set([0x02, 0x02, 0x43, 0x30, 0x00, 0x41, 0x42]);
    expect(fragmentOf(report).symbologyIdentifier).toBe(']C0');
  });
});

describe('scan assembly', () => {
  it('joins the recorded six-report message', () => {
    const scans = assemble(readReports('honeywell-1602g-revinf.hex'));
    expect(scans).toHaveLength(2);
    expect(scans[0]?.reports).toBe(6);
    expect(scans[0]?.raw.length).toBe(3 + 5 * 56 + 9);
    expect(scans[0]?.raw.startsWith(']X0Product Name: Voyager 1602g\r\n')).toBe(true);
    expect(scans[0]?.raw.endsWith('Checksum: N/A\r\n')).toBe(true);
    expect(scans[1]).toEqual({ raw: ']Z6REVINF\u0006.', reports: 1 });
  });

  it('joins a GS1 DataMatrix of two reports', () => {
    const [scan] = assemble(readReports('gs1-datamatrix-two-reports.hex'));
    expect(scan?.reports).toBe(2);
    expect(scan?.raw).toBe(']d20109501101020917172607311012A3B\u001d21SN0000000000000001\u001d240LINE7-WARD-PHARMACY');
  });

  it('reads a scan without identifier', () => {
    expect(assemble(readReports('ean13-no-identifier.hex'))).toEqual([{ raw: '4006381333931', reports: 1 }]);
  });

  it('reads a one-report specimen label', () => {
    expect(assemble(readReports('specimen-code128.hex'))).toEqual([{ raw: ']C0S24-000123', reports: 1 }]);
  });

  it('drops a part whose next report is late', () => {
    const [first] = readReports('gs1-datamatrix-two-reports.hex');
    const specimen = readReports('specimen-code128.hex');
    const assembler = new ScanAssembler(1000);
    expect(assembler.add(fragmentOf(first ?? Buffer.alloc(0)), 0)).toEqual([{ kind: 'partial' }]);
    const steps = assembler.add(fragmentOf(specimen[0] ?? Buffer.alloc(0)), 1500);
    expect(steps[0]).toEqual({ kind: 'dropped', reports: 1, bytes: 56 });
    expect(steps[1]).toEqual({ kind: 'scan', scan: { raw: ']C0S24-000123', reports: 1 } });
  });

  it('expires a waiting part by timer', () => {
    const [first] = readReports('gs1-datamatrix-two-reports.hex');
    const assembler = new ScanAssembler(1000);
    assembler.add(fragmentOf(first ?? Buffer.alloc(0)), 0);
    expect(assembler.expire(500)).toBeNull();
    expect(assembler.expire(1001)).toEqual({ kind: 'dropped', reports: 1, bytes: 56 });
    expect(assembler.reset()).toBeNull();
  });
});
