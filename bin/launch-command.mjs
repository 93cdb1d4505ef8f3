// Shared by the command launchers in this folder: runs a command's compiled build when
// `npm run build:node` has made one that is newer than every source it is built from, otherwise
// its TypeScript sources through tsx (a development dependency of a source checkout). A stale
// build therefore never answers with older code than the sources in front of the user.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Latest modification time of the TypeScript files under these folders (relative to the root). */
function newestSourceTime(folders) {
  let newest = 0;
  for (const folder of folders) {
    const path = join(root, folder);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path, { recursive: true })) {
      if (String(name).endsWith('.ts')) newest = Math.max(newest, statSync(join(path, String(name))).mtimeMs);
    }
  }
  return newest;
}

/**
 * Runs `devices/cli/<command>.ts` or its build in dist/node; `sourceFolders` are the folders its
 * code comes from, compared with the build's age.
 */
export async function launchCommand(command, sourceFolders) {
  const compiled = join(root, `dist/node/devices/cli/${command}.js`);
  const source = join(root, `devices/cli/${command}.ts`);
  if (existsSync(compiled) && (!existsSync(source) || statSync(compiled).mtimeMs >= newestSourceTime(sourceFolders))) {
    await import(pathToFileURL(compiled).href);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
