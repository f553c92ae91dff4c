import { defineConfig } from 'vite';

// The workspace packages are used from their TypeScript sources (the `source` export condition),
// so the page needs no build of the packages first. onnxruntime-web is left out of the dev
// server's dependency pre-bundling, which would move it away from its .wasm file.
export default defineConfig({
  resolve: { conditions: ['source'] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
