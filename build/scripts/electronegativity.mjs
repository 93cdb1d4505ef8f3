// `npm run security:electron`: Electronegativity's static checks over the Electron host's source.
// It fails on any finding of HIGH severity that build/security/electronegativity-accepted.json does
// not accept with a reason, and prints every other finding.
//
// Version 1.9.1 is used through its programmatic entry: later versions fetch translations from
// the internet at every start. The one check that downloads Electron's release list is excluded,
// and where the machine allows, the scan runs in a network namespace of its own with no network.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { root } from './prerequisites.mjs';

const accepted = JSON.parse(readFileSync(join(root, 'build', 'security', 'electronegativity-accepted.json'), 'utf8'));

const UNSHARE = ['--net', '--map-root-user'];
if (process.argv[2] !== '--without-network') {
  // Re-run this script in a network namespace of its own where the machine allows one.
  if (spawnSync('unshare', [...UNSHARE, 'true']).status === 0) {
    const isolated = spawnSync('unshare', [...UNSHARE, process.execPath, process.argv[1], '--without-network'], { stdio: 'inherit' });
    process.exit(isolated.status ?? 1);
  }
  console.log('No network namespace available (unshare failed); scanning without one.');
}

// Stage what the Electron host ships from source: main process, preload, renderer page, manifest.
const stage = mkdtempSync(join(tmpdir(), 'hms-electronegativity-'));
mkdirSync(join(stage, 'main'));
mkdirSync(join(stage, 'renderer'));
cpSync(join(root, 'main', 'electron'), join(stage, 'main', 'electron'), { recursive: true });
cpSync(join(root, 'preload'), join(stage, 'preload'), { recursive: true });
cpSync(join(root, 'renderer', 'index.html'), join(stage, 'renderer', 'index.html'));
cpSync(join(root, 'package.json'), join(stage, 'package.json'));

const { default: run } = await import('@doyensec/electronegativity');
const result = await run({
  input: stage,
  electronVersionOverride: accepted.electronVersion,
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  parserPlugins: [],
  isRelative: true,
});
rmSync(stage, { recursive: true, force: true });

const acceptedIds = new Map(accepted.accepted.map((entry) => [entry.id, entry]));
let failures = 0;
console.log(`Electronegativity: ${result.globalChecks} global and ${result.atomicChecks} atomic checks, Electron ${accepted.electronVersion}`);
for (const issue of result.issues) {
  const severity = issue.severity.name ?? String(issue.severity.value);
  const where = `${String(issue.file).replace(stage, '.')}:${issue.location.line}`;
  const acceptance = acceptedIds.get(issue.id);
  if (acceptance) {
    console.log(`  accepted  ${severity.padEnd(13)} ${issue.id} (${where}): ${acceptance.reason}`);
  } else if (severity === 'HIGH') {
    failures += 1;
    console.log(`  FAILED    ${severity.padEnd(13)} ${issue.id} (${where}): ${issue.description}`);
  } else {
    console.log(`  finding   ${severity.padEnd(13)} ${issue.id} (${where}): ${issue.description}`);
  }
}
for (const error of result.errors) console.log(`  parse error in ${error.file}: ${error.message ?? error.error ?? 'unknown'}`);

if (failures > 0) {
  console.error(`\n${failures} HIGH finding(s) are neither fixed nor accepted in build/security/electronegativity-accepted.json.`);
  process.exit(1);
}
