// Three origins: the page (built by Vite and served by `vite preview`), the mock (started through the tooken-mock
// launcher by its webServer helper) and a CDN stand-in that records what it receives.
import { defineConfig } from "@playwright/test";
import { webServer } from "tooken-mock/playwright";

// One base port per run, chosen by the main process and inherited by the workers, so that runs
// side by side on one machine do not meet. TOKEN_SCREEN_PORT fixes it.
process.env.TOKEN_SCREEN_PORT ??= String(20_000 + Math.floor(Math.random() * 20_000));
const base = Number(process.env.TOKEN_SCREEN_PORT);
const MOCK_PORT = base;
const PAGE_PORT = base + 1;
const CDN_PORT = base + 2;
process.env.TOOKEN_MOCK_URL = `http://127.0.0.1:${MOCK_PORT}`;
process.env.CDN_URL = `http://127.0.0.1:${CDN_PORT}`;

export default defineConfig({
  testDir: "tests",
  testMatch: "*.spec.ts",
  workers: 4,
  fullyParallel: true,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  reporter: [
    ["list"],
    ["tooken-mock/playwright/reporter", { outputFile: "tooken-mock-coverage.json" }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${PAGE_PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
  webServer: [
    webServer({ port: MOCK_PORT, env: { TOOKEN__LOG__LEVEL: "warn" } }),
    {
      // A built page loads one script per test instead of the dev server's module graph and
      // hot-reload socket: lighter on a machine running 4 browsers at once.
      command: `npx vite build --logLevel warn && npx vite preview --port ${PAGE_PORT}`,
      url: `http://127.0.0.1:${PAGE_PORT}/`,
      env: {
        VITE_TOOKEN_MOCK_URL: process.env.TOOKEN_MOCK_URL,
        VITE_CDN_URL: process.env.CDN_URL,
      },
      reuseExistingServer: false,
    },
    {
      command: `node cdn/server.mjs ${CDN_PORT}`,
      url: `${process.env.CDN_URL}/__log`,
      reuseExistingServer: false,
    },
  ],
});
