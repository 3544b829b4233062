import { defineConfig } from "@playwright/test";

// The server under test: the real binary, a fresh SQLite data directory, the
// demo plant, and (when the lab is up) lab host h1 for live-update journeys.
const port = Number(process.env.MILLWRIGHT_E2E_PORT ?? 3100);
// Pages need a signed-in user. On its fresh database the server creates the
// first administrator `admin` with this password (otherwise it makes up a
// random one and prints it once); the tests sign in with it
// (tests/support/fixtures.ts). Both inherit this environment.
process.env.MILLWRIGHT_ADMIN_PASSWORD ??= "e2e-admin-password";
export const baseURL = `http://127.0.0.1:${port}`;

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: { baseURL, trace: "retain-on-failure", launchOptions: chromium },
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false }, grep: /@nojs/ },
  ],
  webServer: {
    command: `bash ./serve.sh ${port}`,
    url: `${baseURL}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
