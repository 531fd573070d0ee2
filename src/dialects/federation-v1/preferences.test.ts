import { describe, expect, it } from 'vitest';
import { matchField, parseGoJson, parseInt64, GoNumber } from './gojson.ts';
import { DEFAULT_PREFERENCES, parsePreferences } from './preferences.ts';

describe('parsePreferences: json.Unmarshal into ReplicaAllocationPreferences', () => {
  it('reads the seed article annotation', () => {
    const result = parsePreferences(`{
      "rebalance": true,
      "clusters": {
        "us-east1-b": {"minReplicas": 2, "maxReplicas": 4, "weight": 1},
        "us-central1-b": {"minReplicas": 2, "maxReplicas": 4, "weight": 1}
      }
    }`);
    expect(result).toEqual({
      ok: true,
      preferences: {
        rebalance: true,
        clusters: {
          'us-east1-b': { minReplicas: 2, maxReplicas: 4, weight: 1 },
          'us-central1-b': { minReplicas: 2, maxReplicas: 4, weight: 1 },
        },
      },
    });
  });

  it('matches field names case-insensitively (the Go type has no json tags)', () => {
    const result = parsePreferences('{"Rebalance": true, "CLUSTERS": {"*": {"MinReplicas": 1, "maxreplicas": 3, "WEIGHT": 2}}}');
    expect(result).toEqual({ ok: true, preferences: { rebalance: true, clusters: { '*': { minReplicas: 1, maxReplicas: 3, weight: 2 } } } });
  });

  it('folds the long s and the Kelvin sign like Go', () => {
    const result = parsePreferences('{"clu\u017fters": {"a": {"weight": 1}}}');
    expect(result).toEqual({ ok: true, preferences: { clusters: { a: { weight: 1 } } } });
    expect(matchField('\u212a', ['K'] as const)).toBe('K');
  });

  it('ignores unknown fields and leaves null fields at their zero value', () => {
    const result = parsePreferences('{"rebalance": null, "extra": [1], "clusters": {"a": {"weight": null, "maxReplicas": null, "foo": "x"}, "b": null}}');
    expect(result).toEqual({ ok: true, preferences: { clusters: { a: {}, b: {} } } });
  });

  it('null is the zero value: no preferences at all (not the default)', () => {
    expect(parsePreferences('null')).toEqual({ ok: true, preferences: { clusters: {} } });
    expect(parsePreferences('{"clusters": null}')).toEqual({ ok: true, preferences: { clusters: {} } });
  });

  it('a later duplicate key wins', () => {
    expect(parsePreferences('{"rebalance": true, "Rebalance": false, "clusters": {}}')).toEqual({ ok: true, preferences: { rebalance: false, clusters: {} } });
  });

  for (const [name, text] of [
    ['invalid JSON', '{"clusters": {'],
    ['a trailing comma', '{"clusters": {},}'],
    ['a string where a bool belongs', '{"rebalance": "true"}'],
    ['a list where the map belongs', '{"clusters": []}'],
    ['a non-integer weight', '{"clusters": {"a": {"weight": 1.5}}}'],
    ['an integer written as a float', '{"clusters": {"a": {"weight": 1.0}}}'],
    ['an exponent', '{"clusters": {"a": {"minReplicas": 1e2}}}'],
    ['a string weight', '{"clusters": {"a": {"weight": "1"}}}'],
    ['a number beyond int64', '{"clusters": {"a": {"weight": 9223372036854775808}}}'],
    ['a top-level list', '[]'],
  ] as const) {
    it(`fails on ${name}, so the controller falls back to the default`, () => {
      const result = parsePreferences(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.unsupported).toBeUndefined();
    });
  }

  it('marks values Go accepts but the planner cannot take', () => {
    const result = parsePreferences('{"clusters": {"a": {"weight": -1}}}');
    expect(result).toMatchObject({ ok: false, unsupported: true });
  });

  it('the default is equal weights over every cluster', () => {
    expect(DEFAULT_PREFERENCES).toEqual({ clusters: { '*': { weight: 1 } } });
  });
});

describe('gojson helpers', () => {
  it('keeps the literal text of numbers', () => {
    const value = parseGoJson('{"a": 1.0, "b": [2]}') as { a: GoNumber; b: GoNumber[] };
    expect(value.a.source).toBe('1.0');
    expect(value.b[0]?.source).toBe('2');
  });

  it('parseInt64 follows strconv.ParseInt(s, 10, 64)', () => {
    expect(parseInt64('+15')).toBe(15n);
    expect(parseInt64('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(parseInt64('9223372036854775808')).toBeUndefined();
    expect(parseInt64('1.0')).toBeUndefined();
    expect(parseInt64('')).toBeUndefined();
  });
});
