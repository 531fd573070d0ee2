import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSchemas } from './generate.ts';

const dir = path.join(import.meta.dirname, '..', '..', 'schemas');

describe('JSON Schemas in schemas/', () => {
  const generated = generateSchemas();

  it('match the zod schemas (run `npm run schemas` after changing a schema)', () => {
    const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) expect(readFileSync(path.join(dir, file), 'utf8'), file).toBe(text);
  });

  it('reject unknown fields and bad enums in a PropagationPolicy', () => {
    const schema = JSON.parse(generated.get('karmada-propagationpolicy.json') as string);
    const placement = schema.properties.spec.properties.placement;
    expect(placement.additionalProperties).toBe(false);
    expect(placement.properties.replicaScheduling.properties.replicaSchedulingType.enum).toEqual(['Duplicated', 'Divided']);
  });
});
