// Builds the static apps (and the index linking them) into dist/. `base: './'` keeps
// every address relative, so dist/ can be served from any path.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // smoldot (the light client, shared/light.js) is one 3.5 MB chunk: its wasm inlined.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        patient: resolve(import.meta.dirname, 'patient/index.html'),
        audit: resolve(import.meta.dirname, 'audit/index.html'),
        doctor: resolve(import.meta.dirname, 'doctor/index.html'),
      },
    },
  },
});
