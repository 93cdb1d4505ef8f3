// Child process of the crash-safety test: writes batches of documents through the replica's
// storage and prints the number of each batch once its bulk write has resolved, until it is killed.
// Arguments: <directory> <first batch number> <batch size> <key>.
import { openReplica } from '../../sync/replica/replica.js';

const [directory, firstBatchText, batchSizeText, key] = process.argv.slice(2);
if (!directory || !firstBatchText || !batchSizeText || !key) {
  console.error('usage: crash-writer <directory> <first batch> <batch size> <key>');
  process.exit(2);
}
const batchSize = Number(batchSizeText);
const replica = await openReplica({ directory, name: 'crash', key });

for (let batch = Number(firstBatchText); ; batch += 1) {
  const documents = Array.from({ length: batchSize }, (_, index) => {
    const id = `b${batch}-${index}`;
    return {
      id: `Observation/${id}`,
      resourceType: 'Observation',
      patientId: `patient-${batch % 50}`,
      code: 'http://loinc.org|85353-1',
      effective: new Date(Date.UTC(2026, 11, 4) + batch * 1000 + index).toISOString(),
      resource: { resourceType: 'Observation', id, status: 'final', note: [{ text: 'x'.repeat(200) }] },
    };
  });
  const result = await replica.entries.bulkInsert(documents);
  if (result.error.length > 0) {
    console.error(`batch ${batch}: ${result.error.length} writes failed`);
    process.exit(3);
  }
  // The acknowledgement: printed only after the storage reported the batch written.
  process.stdout.write(`${batch}\n`);
}
