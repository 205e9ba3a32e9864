import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '~': path.resolve(__dirname, 'app') } },
  test: {
    include: ['app/**/*.test.ts', 'crypto/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules', 'build', 'test/e2e/**'],
    setupFiles: ['test/setup/console.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'Asia/Shanghai' },
  },
});
