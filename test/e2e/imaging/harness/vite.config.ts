import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

import { cornerstoneCodecs } from '../../../../build/vite/cornerstone-codecs.js';

/** Builds the viewer's test page into dist/viewer-harness, with the same codec files as the renderer. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), cornerstoneCodecs()],
  logLevel: 'warn',
  build: {
    outDir: '../../../../dist/viewer-harness',
    emptyOutDir: true,
  },
});
