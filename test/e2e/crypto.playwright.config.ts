import { defineConfig } from '@playwright/test';

// Runs the crypto sealing e2e alone: npx playwright test -c test/e2e/crypto.playwright.config.ts
export default defineConfig({
  testDir: '.',
  testMatch: 'crypto-seal.spec.ts',
  timeout: 120_000,
  workers: 1,
  reporter: 'list',
  use: {
    launchOptions: { executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] },
  },
});
