// Renderer build: root renderer/, output renderer/dist, relative asset URLs (loaded from app:// in
// Electron and from the browser-mode server). `npm run dev:renderer` proxies /rpc to a running
// `npm run serve -- --port 5174 --allow-origin http://localhost:5173` (CB_RPC_TARGET overrides).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/rpc': { target: process.env.CB_RPC_TARGET ?? 'ws://127.0.0.1:5174', ws: true, changeOrigin: true },
    },
  },
});
