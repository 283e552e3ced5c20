import { defineConfig } from "@playwright/test";
import { webServer } from "tooken-mock/playwright";

const mockPort = Number(process.env.MOCK_PORT);
const appPort = Number(process.env.APP_PORT);

export default defineConfig({
  testDir: "tests",
  retries: 0,
  reporter: [["list"], ["tooken-mock/playwright/reporter", { outputFile: "out/tooken-mock-coverage.json" }]],
  use: {
    baseURL: `http://localhost:${appPort}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
  webServer: [
    webServer({ port: mockPort, args: ["--now", "2026-05-01T00:00:00Z"] }),
    { command: "node origins.mjs", url: `http://127.0.0.1:${appPort}/`, reuseExistingServer: false },
  ],
});
