import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The build of cornerstone-wado-image-loader 4.13.2 that loads its decoding worker, codec chunks
 * and wasm files as separate same-origin files. Its default build embeds the worker as a blob:
 * URL and the wasm in base64, which the renderer's CSP (no blob: workers, no eval in the page)
 * does not allow.
 */
export const WADO_LOADER_DYNAMIC_IMPORT = join(
  dirname(require.resolve('cornerstone-wado-image-loader/package.json')),
  'dist',
  'dynamic-import',
);

/**
 * Points `cornerstone-wado-image-loader` at its dynamic-import build and copies the worker files
 * next to the emitted scripts. That build computes its public path from the page's last
 * `<script src>`, which Vite emits in `assets/`, and requests `index.worker.min.worker.js`, the
 * chunks `610.min.worker.js` and `888.min.worker.js` and four `.wasm` files from there.
 */
export function cornerstoneCodecs(): Plugin {
  let outDir = '';
  let assetsDir = 'assets';
  return {
    name: 'hms-cornerstone-codecs',
    config: () => ({
      resolve: {
        alias: [{ find: /^cornerstone-wado-image-loader$/, replacement: join(WADO_LOADER_DYNAMIC_IMPORT, 'cornerstoneWADOImageLoader.min.js') }],
      },
    }),
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      assetsDir = config.build.assetsDir;
    },
    writeBundle() {
      const target = join(outDir, assetsDir);
      mkdirSync(target, { recursive: true });
      for (const name of readdirSync(WADO_LOADER_DYNAMIC_IMPORT)) {
        if (name.endsWith('.worker.js') || name.endsWith('.wasm')) copyFileSync(join(WADO_LOADER_DYNAMIC_IMPORT, name), join(target, name));
      }
    },
  };
}
