#!/usr/bin/env node
// Launches the hms-scan command: the compiled build when `npm run build:node` has made one,
// otherwise the TypeScript sources through tsx (a development dependency of a source checkout).
// In a source checkout, a build older than the scan sources is skipped, so that a stale build
// never shows another reading of a scan than the code in front of the user.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist/node/devices/cli/hms-scan.js');
const source = join(root, 'devices/cli/hms-scan.ts');

/** Latest modification time of the command's TypeScript sources; 0 when they are not there. */
function newestSourceTime() {
  if (!existsSync(source)) return 0;
  const folder = join(root, 'devices/scan');
  const files = readdirSync(folder, { recursive: true }).filter((name) => String(name).endsWith('.ts'));
  return Math.max(statSync(source).mtimeMs, ...files.map((name) => statSync(join(folder, String(name))).mtimeMs));
}

if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSourceTime()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
