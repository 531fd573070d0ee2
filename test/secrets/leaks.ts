/**
 * Searching texts for planted secrets in every encoding they can leak in
 * (test/secrets/channels.test.ts, test/e2e/report.e2e.test.ts).
 */

/** name → planted value */
export type Planted = Record<string, string>;

/** Suffix of the changed version of each planted value (searched too). */
export const CHANGED = '-v2';

/**
 * Every way a planted value can leak: [encoding name, text]. For base64 the
 * text is the run of characters that encodes the value alone, at each of the
 * three byte alignments, so it is found inside the encoding of any longer
 * data (`user:value`, a PEM block) whatever comes before it.
 */
export function encodings(value: string): [string, string][] {
  const out: [string, string][] = [['raw', value]];
  if (encodeURIComponent(value) !== value) out.push(['percent-encoded', encodeURIComponent(value)]);
  for (const offset of [0, 1, 2]) {
    for (const alphabet of ['base64', 'base64url'] as const) {
      const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(value, 'utf8')]).toString(alphabet);
      const first = Math.ceil((offset * 8) / 6);
      const last = Math.floor(((offset + Buffer.byteLength(value)) * 8) / 6);
      out.push([`${alphabet} at byte ${offset}`, encoded.slice(first, last)]);
    }
  }
  return out;
}

/** Each planted value (and its changed version) found in `text`, with the encoding. */
export function leaksIn(text: string, planted: Planted): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(planted)) {
    for (const v of [value, `${value}${CHANGED}`]) {
      for (const [encoding, needle] of encodings(v)) if (text.includes(needle)) found.push(`${name} as ${encoding}`);
    }
  }
  return found;
}

/** channel → leaks, only for channels that leak. */
export function leaks(channels: Record<string, string>, planted: Planted): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [channel, text] of Object.entries(channels)) {
    const found = leaksIn(text, planted);
    if (found.length > 0) out[channel] = found;
  }
  return out;
}

