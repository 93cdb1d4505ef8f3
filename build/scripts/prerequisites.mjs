// Checks shared by the demo and test commands: each names what is missing and how to get it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 11)) fail(`Node.js 20.11 or later is required; this is ${process.versions.node}.`);
}

/** Installs the npm dependencies when node_modules is missing or older than package-lock.json. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing npm dependencies (npm ci; better-sqlite3 builds from source, about 80 s)...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('npm ci failed; see the output above. It needs the npm registry and python3, make and g++ for better-sqlite3.');
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed with exit status ${result.status}.`);
}

export function chromiumPath() {
  return process.env.HMS_CHROMIUM ?? '/usr/bin/chromium';
}

export function checkChromium() {
  const path = chromiumPath();
  if (!existsSync(path)) {
    fail(`Chromium is missing at ${path}; the end-to-end tests drive it. Install Debian's package (as root: apt-get update && apt-get install -y chromium) or set HMS_CHROMIUM to its path.`);
  }
}

export function postgresUrl() {
  return process.env.HMS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export async function checkPostgres() {
  const url = new URL(postgresUrl());
  const port = Number(url.port || 5432);
  const reachable = await new Promise((resolve) => {
    const socket = createConnection({ host: url.hostname, port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (!reachable) {
    fail(`PostgreSQL is not reachable at ${url.hostname}:${port}; the integration tests need it (user postgres, trust authentication, database test). Start it (e.g. pg_ctlcluster 15 main start) or set HMS_TEST_DATABASE_URL.`);
  }
}

export function packageVersion() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}

export function gitAvailable() {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
