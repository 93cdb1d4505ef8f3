// `npm start`: runs the Electron app where the Electron binary is installed, and otherwise says
// so and how to run the workstation in a browser instead.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { fail, root, run } from './prerequisites.mjs';

/**
 * Finds the binary the electron package's install script put in node_modules/electron/dist. This
 * reads the package's files directly: requiring the package would try to download a missing
 * binary from the internet.
 */
function electronBinary() {
  const packageFolder = join(root, 'node_modules', 'electron');
  const pathFile = join(packageFolder, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageFolder, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
if (!binary) {
  fail(`The Electron binary is not installed (node_modules/electron has no dist/; its download was not possible on this machine).
Run the workstation in a browser instead:

  npm run demo                 the reference server and the workstation, with demo data

or, against a server of your own:

  npm run build
  node dist/node/main/browser-host/main.js --server-url http://127.0.0.1:8480 --ward ward-4a`);
}

if (!existsSync(join(root, 'dist', 'electron', 'main', 'main.js'))) run('npm', ['run', 'build']);
const child = spawn(binary, ['.'], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
