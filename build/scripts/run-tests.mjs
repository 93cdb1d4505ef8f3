// `npm test`: every check and every test, in the order that fails fastest.
import { checkChromium, checkNode, checkPostgres, ensureDependencies, run } from './prerequisites.mjs';

checkNode();
ensureDependencies();
checkChromium();
await checkPostgres();

const steps = [
  ['Type-check', 'npm', ['run', 'typecheck']],
  ['Lint', 'npm', ['run', 'lint']],
  ['Build', 'npm', ['run', 'build']],
  ['Electronegativity', 'npm', ['run', 'security:electron']],
  ['Tests (unit, integration, end-to-end)', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
];
for (const [title, command, args] of steps) {
  console.log(`\n=== ${title} ===`);
  const started = Date.now();
  run(command, args);
  console.log(`=== ${title}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
}
