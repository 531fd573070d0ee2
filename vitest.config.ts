import { defineConfig } from 'vitest/config';

// Three projects; `vitest run` (npm test) runs all.
//   unit: fast tests, no external processes.
//   browser: the status page in a real chromium (test/browser/).
//   e2e:  test/e2e/**/*.e2e.test.ts against a real test fleet (real kube-apiserver,
//         etcd, kube-controller-manager, kube-scheduler, kwok) started once by
//         test/fleet/global-setup.ts; files run one at a time. The first run on a
//         machine builds the binaries with Go (see docs/test-fleet.md).
//         Only this project: `vitest run --project e2e`; skip it: `--project unit`.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/browser/**', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        // The status page in Debian's chromium (playwright-core; .ci/run installs chromium).
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/fleet/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
