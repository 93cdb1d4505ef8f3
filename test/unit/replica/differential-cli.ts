/**
 * Long run of the differential test of the SQLite storage against RxDB's memory storage, outside
 * vitest: `npm run test:differential -- --runs 5000 [--seed 1234] [--schema samples]`.
 * Prints fast-check's report (seed, replay path, shrunk counterexample) and exits 1 on a difference.
 */
import { parseArgs } from 'node:util';

import { makeTempDirectory } from '../../support/replica.js';
import { checkStoragesAgree, emptyStatistics } from './differential-harness.js';
import { DIFFERENTIAL_SUBJECTS } from './differential-schemas.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    schema: { type: 'string', multiple: true },
    operations: { type: 'string', default: '40' },
  },
});

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`Invalid --${name} "${text}": expected a positive integer`);
    process.exit(2);
  }
  return value;
}

const runs = positiveInteger('runs', values.runs);
const maxOperations = positiveInteger('operations', values.operations);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const names = values.schema ?? DIFFERENTIAL_SUBJECTS.map((subject) => subject.name);
const subjects = names.map((name) => {
  const subject = DIFFERENTIAL_SUBJECTS.find((candidate) => candidate.name === name);
  if (!subject) {
    console.error(`Unknown --schema "${name}": expected one of ${DIFFERENTIAL_SUBJECTS.map((candidate) => candidate.name).join(', ')}`);
    process.exit(2);
  }
  return subject;
});

const directory = makeTempDirectory('differential');
let failed = false;
try {
  for (const subject of subjects) {
    const started = Date.now();
    console.log(`${subject.name}: ${runs} runs of up to ${maxOperations} operations, seed ${seed}`);
    const statistics = emptyStatistics();
    try {
      await checkStoragesAgree(subject, { runs, seed, maxOperations, statistics, sqliteDirectory: directory.path, ...(values.path ? { path: values.path } : {}) });
      console.log(`${subject.name}: no difference in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`${subject.name}: ${JSON.stringify(statistics)}`);
    } catch (error) {
      failed = true;
      console.error(`${subject.name}: difference found after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.error(error instanceof Error ? error.message : error);
      if (error instanceof Error && error.cause instanceof Error) console.error(`Cause: ${error.cause.message}`);
    }
  }
} finally {
  directory.remove();
}
process.exit(failed ? 1 : 0);
