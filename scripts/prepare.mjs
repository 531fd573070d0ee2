// `npm prepare` (run by npm ci, npm install and npm pack): builds the CLI bundle
// dist/manifold.js that the `manifold` command (bin/manifold.js) runs. Plain
// JavaScript because npm may run it with a Node that cannot run TypeScript (CI
// installs with the machine's Node 20): esbuild compiles scripts/build.ts, the
// one place the bundles are defined, next to it and runs it from there.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const scripts = path.dirname(fileURLToPath(import.meta.url));
const compiled = path.join(scripts, `.build-${process.pid}.mjs`);
const result = await esbuild.build({
  entryPoints: [path.join(scripts, 'build.ts')],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
  // import.meta.dirname/filename arrived in Node 20.11; the compiled copy must see build.ts's own.
  define: { 'import.meta.dirname': JSON.stringify(scripts), 'import.meta.filename': JSON.stringify(path.join(scripts, 'build.ts')) },
});
writeFileSync(compiled, result.outputFiles[0].contents);
try {
  const { build } = await import(compiled);
  await build(['manifold']);
} finally {
  rmSync(compiled, { force: true });
}
