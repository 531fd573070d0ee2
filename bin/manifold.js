#!/usr/bin/env node
// The `manifold` command (package.json `bin`). Runs the bundle dist/manifold.js,
// which `npm ci`, `npm install` and `npm pack` build (the `prepare` script);
// in a clone installed with --ignore-scripts it runs the TypeScript sources
// when this Node can (type stripping, Node >= 22.18), and otherwise says what
// to do. Plain JavaScript, so that any Node can start it.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Keep V8's compiled code of the bundle between runs (Node's advice for CLIs; bench/RESULTS.md
// "Reconcile as users run it"). Absent before Node 22.1; fails silently on a read-only disk.
module.enableCompileCache?.();

const bundle = new URL('../dist/manifold.js', import.meta.url);
const sources = new URL('../src/cli/main.ts', import.meta.url);

async function entry() {
  if (existsSync(bundle)) return import(bundle.href);
  if (existsSync(sources) && process.features.typescript) return import(sources.href);
  process.stderr.write(
    `error: ${bundle.pathname} is missing; build it with \`npm run build\` (or install without --ignore-scripts, which builds it)\n`,
  );
  return undefined;
}

const cli = await entry();
process.exitCode = cli === undefined ? 3 : await cli.main(process.argv.slice(2));
