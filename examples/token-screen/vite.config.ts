import { defineConfig } from "vite";

// The page is served on its own origin; the mock and the CDN stand-in are two others.
export default defineConfig({
  server: { host: "127.0.0.1", strictPort: true },
  preview: { host: "127.0.0.1", strictPort: true },
  clearScreen: false,
});
