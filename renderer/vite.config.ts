import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

import { cornerstoneCodecs } from '../build/vite/cornerstone-codecs.js';

/**
 * Builds the renderer into dist/renderer. `base: './'` keeps asset URLs relative, so the same
 * build loads from the Electron host's app:// protocol and from the browser host's HTTP server.
 * The imaging viewer's decoding worker and codecs are copied into `assets/` beside the scripts.
 * NOTE: they are not served by `vite` in dev mode, where images therefore never finish loading.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), cornerstoneCodecs()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
  },
});
