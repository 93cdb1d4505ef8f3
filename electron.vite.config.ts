import { resolve } from 'node:path';

import { defineConfig } from 'electron-vite';

/**
 * Builds the Electron host: the main process and the core's utility process as ES modules, and
 * the preload as CommonJS, which a sandboxed preload requires. Native modules and other
 * dependencies stay external and load from node_modules (unpacked from the ASAR when packaged).
 * The renderer is the same Vite build the browser host serves (renderer/vite.config.ts).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'dist/electron/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          main: resolve(import.meta.dirname, 'main/electron/main.ts'),
          'core-process': resolve(import.meta.dirname, 'main/electron/core-process/entry.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'dist/electron/preload',
      // Bundle the contract and zod into the preload: a sandboxed preload can require only electron.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(import.meta.dirname, 'preload/electron-preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
});
