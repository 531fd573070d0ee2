// Dev aid: prints what Manifold renders for one corpus case (cluster → files → replicas/image).
import path from 'node:path';
import { dialects, registry } from '../../src/dialects/index.ts';
import { loadRepository } from '../../src/load/repository.ts';
import { readSourceFolder } from '../../src/load/source.ts';
import { render } from '../../src/render/render.ts';
import { formatProblem } from '../../src/errors/index.ts';

const dir = path.resolve(process.argv[2]!);
try {
  const files = await readSourceFolder(dir);
  const repo = loadRepository(files, registry);
  const result = render(repo, dialects, { manifoldVersion: 'test' });
  for (const [cluster, tree] of [...result.clusters].sort()) {
    console.log(cluster);
    for (const [file, content] of [...tree].sort()) {
      const r = /\n  replicas: (\d+)/.exec(content)?.[1];
      const img = [...content.matchAll(/image: (\S+)/g)].map((m) => m[1]).join(',');
      console.log(`  ${file}${r ? ` replicas=${r}` : ''}${img ? ` image=${img}` : ''}`);
    }
  }
  for (const w of result.warnings) console.log('WARN', typeof w === 'string' ? w : formatProblem(w as never));
} catch (e) {
  console.log('ERROR', (e as Error).message);
}
