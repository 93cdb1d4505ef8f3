import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

import { cornerstoneCodecs } from './build/vite/cornerstone-codecs.js';

/**
 * Builds the Electron host: the main process and the core's utility process as ES modules, and
 * the preload as CommonJS, which a sandboxed preload requires. Native modules and other
 * dependencies stay external and load from node_modules (unpacked from the ASAR when packaged).
 * The renderer goes to dist/renderer, the one build that both hosts serve; renderer/vite.config.ts
 * builds the same output for the browser host alone.
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
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    base: './',
    // The same plugins as renderer/vite.config.ts: without the codecs the viewer decodes nothing.
    plugins: [react(), cornerstoneCodecs()],
    build: {
      outDir: resolve(import.meta.dirname, 'dist/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') },
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
