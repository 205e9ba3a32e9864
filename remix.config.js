// BUILD_DIR lets several checkouts' test runs build side by side (default: build/).
const buildDir = process.env.BUILD_DIR || 'build';

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ['**/.*', '**/*.test.{ts,tsx}'],
  serverModuleFormat: 'esm',
  serverPlatform: 'node',
  serverBuildPath: `${buildDir}/index.js`,
  assetsBuildDirectory: `${buildDir}/assets`,
  publicPath: '/build/',
  // Bundle the isomorphic crypto/ code for the browser (Web Worker sealing) as well.
  browserNodeBuiltinsPolyfill: { modules: { buffer: true } },
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
