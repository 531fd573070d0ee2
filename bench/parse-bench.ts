/**
 * Parsing a large mapping on the position-tracking path (issue 10 item 8).
 *
 * `scripts/node24.sh node bench/parse-bench.ts [--keys 20000,80000] [--runs 3]`
 *
 * Each case is one ConfigMap whose `data` holds N keys, in three shapes: clean
 * (the fast js-yaml path), with an anchor (the `yaml` package reads it, no
 * error), and with one syntax error at the end (the `yaml` package reads it and
 * reports the error). The time is `parseSourceFiles` on the file's text: what
 * a render or validate spends before classifying documents.
 */
import { parseSourceFiles } from '../src/load/documents.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
}

const sizes = arg('keys', '20000,80000').split(',').map(Number);
const runs = Number(arg('runs', '3'));

function configMap(keys: number, shape: 'clean' | 'anchor' | 'syntax-error'): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', shape === 'anchor' ? 'data: &d' : 'data:'];
  for (let i = 0; i < keys; i++) lines.push(`  key${i}: "value ${i}"`);
  if (shape === 'syntax-error') lines.push('  broken: [unclosed');
  return `${lines.join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

console.log('| keys | shape | median of runs (s) | runs | problems |');
console.log('|---:|---|---:|---|---:|');
for (const keys of sizes) {
  for (const shape of ['clean', 'anchor', 'syntax-error'] as const) {
    const text = configMap(keys, shape);
    const times: number[] = [];
    let problems = 0;
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      const parsed = parseSourceFiles([{ path: 'big.yaml', text }]);
      times.push((performance.now() - start) / 1000);
      problems = parsed.problems.length;
    }
    console.log(`| ${keys.toLocaleString('en')} | ${shape} | ${median(times).toFixed(2)} | ${times.map((t) => t.toFixed(2)).join(' / ')} | ${problems} |`);
  }
}
