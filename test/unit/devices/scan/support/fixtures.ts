import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/gs1/', import.meta.url));

/** One line of `gs1_cases.jsonl`: a scan and what the source project's test asserts about it. */
export interface Gs1Case {
  readonly id: number;
  readonly input: string;
  readonly input_kind: string;
  readonly expected: string;
  readonly source_repo: string;
}

export function gs1Cases(): Gs1Case[] {
  return readFileSync(`${FIXTURES}gs1_cases.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Gs1Case);
}

/** `gs1_cases.tsv` rows as id and the input with its `<GS>`, `<TAB>` and `<LF>` escapes left in place. */
export function escapedInputs(): Map<number, string> {
  const rows = readFileSync(`${FIXTURES}gs1_cases.tsv`, 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((row) => row.split('\t')).map(([id, input]) => [Number(id), input as string]));
}

/** `gs1_inputs_with_gs.decoded`: id and the raw input bytes with real 0x1D group separators. */
export function decodedInputs(): Map<number, string> {
  const lines = readFileSync(`${FIXTURES}gs1_inputs_with_gs.decoded`, 'latin1').split('\n').filter((line) => line !== '');
  return new Map(lines.map((line) => line.split('\t')).map(([id, input]) => [Number(id), input as string]));
}
