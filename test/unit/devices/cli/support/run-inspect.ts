import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { FieldReport, InspectReport, RecordReport } from '../../../../../devices/cli/inspect/report.js';

const REPOSITORY = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface InspectRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/hms-lab.mjs inspect ARGS` in the repository, as a user would. */
export function runInspect(args: readonly string[]): Promise<InspectRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/hms-lab.mjs', 'inspect', ...args], { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

/** Runs inspect on a file under test/fixtures and parses its JSON report. */
export async function inspectFixture(path: string, options: readonly string[] = ['--time-zone', 'UTC']): Promise<{ code: number | null; report: InspectReport; stderr: string }> {
  const run = await runInspect([...options, `test/fixtures/${path}`]);
  if (run.stdout === '') throw new Error(`inspect printed no report for ${path} (exit ${run.code}): ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as InspectReport, stderr: run.stderr };
}

/** Runs `task` on each item, `limit` at a time, because the development machines have two cores. */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += limit) {
    results.push(...(await Promise.all(items.slice(start, start + limit).map(task))));
  }
  return results;
}

/** The records of every message in a report, in order. */
export function recordsOf(report: InspectReport): RecordReport[] {
  return report.messages.flatMap((message) => message.records);
}

/** The `occurrence`-th record or segment of a type (from 1). */
export function recordOf(report: InspectReport, type: string, occurrence = 1): RecordReport | undefined {
  return recordsOf(report).filter((record) => record.type === type)[occurrence - 1];
}

/** A field of a record by its name as inspect writes it (`R.4`, `OBX-5`). */
export function fieldOf(record: RecordReport | undefined, field: string): FieldReport | undefined {
  return record?.fields.find((entry) => entry.field === field);
}

/** The repetitions of a field as lists of components; a plain value is one repetition of one component. */
export function repetitionsOf(field: FieldReport | undefined): readonly (readonly string[])[] {
  if (!field) return [];
  return field.repetitions ?? [[field.value ?? '']];
}
