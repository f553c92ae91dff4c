import { defineConfig } from 'vite';

// The workspace packages are used from their TypeScript sources (the `source` export condition),
// so the page needs no build of the packages first.
export default defineConfig({
  resolve: { conditions: ['source'] },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
