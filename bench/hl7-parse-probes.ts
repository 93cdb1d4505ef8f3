// The same questions about the HL7 lab cases, asked of every parser that bench/hl7-parse.ts
// compares. Each probe returns "ok", or what came out wrong, or that the parser threw. The expected
// values are those of test/fixtures/lab-cases/expected.json.
import type { ParserAdapter } from './hl7-parse-adapters.js';

export interface LabCaseProbe {
  file: string;
  what: string;
  run(adapter: ParserAdapter, bytes: Buffer): string;
}

type Check = [label: string, actual: (parsed: unknown) => unknown, expected: unknown];

/** Parses `bytes` (as UTF-8 text for the others) and compares each check; lists what differs. */
function compare(adapter: ParserAdapter, bytes: Buffer, checks: readonly Check[]): string {
  let parsed: unknown;
  try {
    parsed = adapter.parse(bytes, bytes.toString('utf8'));
  } catch (error) {
    return `threw: ${describe(error)}`;
  }
  const wrong: string[] = [];
  for (const [label, actual, expected] of checks) {
    let value: unknown;
    try {
      value = actual(parsed);
    } catch (error) {
      value = `threw ${describe(error)}`;
    }
    if (JSON.stringify(value) !== JSON.stringify(expected)) wrong.push(`${label} = ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return wrong.length === 0 ? 'ok' : `wrong: ${wrong.join('; ')}`;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 60) ?? '';
}

export const LAB_CASE_PROBES: readonly LabCaseProbe[] = [
  {
    file: 'LAB-01.hl7',
    what: 'CR LF endings and an empty line',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['segments', (parsed) => adapter.segmentIds(parsed), ['MSH', 'PID', 'OBR', 'OBX']],
        ['OBX-11', (parsed) => adapter.value(parsed, 'OBX', 1, 11), 'F'],
      ]),
  },
  {
    file: 'LAB-03.hl7',
    what: 'LF only',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['segments', (parsed) => adapter.segmentIds(parsed), ['MSH', 'PID', 'OBR', 'OBX']],
        ['MSH-12', (parsed) => adapter.value(parsed, 'MSH', 1, 12), '2.7'],
        ['OBX-5', (parsed) => adapter.value(parsed, 'OBX', 1, 5), '4.1'],
      ]),
  },
  {
    file: 'LAB-04.hl7',
    what: 'UTF-8 with MSH-18 last in MSH',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['MSH-18', (parsed) => adapter.value(parsed, 'MSH', 1, 18), 'UNICODE UTF-8'],
        ['PID-5.1', (parsed) => adapter.value(parsed, 'PID', 1, 5, 1), 'MÜLLER'],
        ['OBX-6', (parsed) => adapter.value(parsed, 'OBX', 1, 6), 'µg/L'],
      ]),
  },
  {
    file: 'LAB-08.hl7',
    what: "MSH-2 '^~&'",
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['MSH-9.1', (parsed) => adapter.value(parsed, 'MSH', 1, 9, 1), 'ORM'],
        ['MSH-10', (parsed) => adapter.value(parsed, 'MSH', 1, 10), 'MSG00008'],
        ['PID-5.1', (parsed) => adapter.value(parsed, 'PID', 1, 5, 1), 'DOE'],
      ]),
  },
  {
    file: 'LAB-09.hl7',
    what: 'delimiter and unterminated escapes',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['OBX[1]-5', (parsed) => adapter.value(parsed, 'OBX', 1, 5), 'Ratio 1|2 A^B C&D E~F back\\slash'],
        ['OBX[2]-5', (parsed) => adapter.value(parsed, 'OBX', 2, 5), '\\R\\'],
        ['OBX[3]-5', (parsed) => adapter.value(parsed, 'OBX', 3, 5), 'BSV 4\\5 re.'],
        ['OBX[4]-5', (parsed) => adapter.value(parsed, 'OBX', 4, 5), 'trailing\\'],
      ]),
  },
  {
    file: 'LAB-11.hl7',
    what: 'hex escapes in UTF-8',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['OBX[1]-5', (parsed) => adapter.value(parsed, 'OBX', 1, 5), 'Täglich 1 Tablette\r\nzweite Zeile'],
        ['OBX[2]-5', (parsed) => adapter.value(parsed, 'OBX', 2, 5), '每天'],
      ]),
  },
  {
    file: 'LAB-12.hl7',
    what: 'repetitions and an exact round trip',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['PID-3 repetitions', (parsed) => adapter.repetitionCount(parsed, 'PID', 3), 5],
        ['PID-3[2]', (parsed) => adapter.repetition(parsed, 'PID', 3, 2), '000111000^^^GIRO^BA'],
        ['PID-3.4', (parsed) => adapter.value(parsed, 'PID', 1, 3, 4), 'HOSP'],
        // A missing or extra final CR does not count against a parser.
        ['round trip', (parsed) => adapter.serialize(parsed).replace(/[\r\n]+$/, '') === bytes.toString('utf8').replace(/[\r\n]+$/, ''), true],
      ]),
  },
  {
    file: 'LAB-14.hl7',
    what: 'comparators kept in OBX-5',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['OBX[2]-5', (parsed) => adapter.value(parsed, 'OBX', 2, 5), '>^100'],
        ['OBX[6]-5', (parsed) => adapter.value(parsed, 'OBX', 6, 5), '<0.001'],
      ]),
  },
  {
    file: 'LAB-16.hl7',
    what: 'three groups with Z segments',
    run: (adapter, bytes) =>
      compare(adapter, bytes, [
        ['OBX count', (parsed) => adapter.segmentIds(parsed).filter((id) => id === 'OBX').length, 3],
        ['ZRS-2', (parsed) => adapter.value(parsed, 'ZRS', 1, 2), 'ANALYZER-01'],
        ['ZQC-1', (parsed) => adapter.value(parsed, 'ZQC', 1, 1), 'PASS'],
      ]),
  },
  {
    file: 'LAB-18.hl7',
    what: 'line break inside a field: must be rejected',
    run(adapter, bytes) {
      try {
        adapter.parse(bytes, bytes.toString('utf8'));
      } catch {
        return 'ok (rejected)';
      }
      return 'wrong: accepted';
    },
  },
];
