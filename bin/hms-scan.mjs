#!/usr/bin/env node
// Launches the hms-scan command: the compiled build when `npm run build:node` has made one,
// otherwise the TypeScript sources through tsx (a development dependency of a source checkout).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist/node/devices/cli/hms-scan.js');

if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'devices/cli/hms-scan.ts')).href);
}
