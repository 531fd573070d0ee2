/** Writes schemas/*.json from the zod schemas: `npm run schemas`. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSchemas } from '../src/schemas/generate.ts';

const dir = path.join(import.meta.dirname, '..', 'schemas');
await mkdir(dir, { recursive: true });
const schemas = generateSchemas();
for (const file of await readdir(dir)) if (file.endsWith('.json') && !schemas.has(file)) await rm(path.join(dir, file));
for (const [file, text] of schemas) await writeFile(path.join(dir, file), text);
console.log(`wrote ${schemas.size} schemas to schemas/`);
