/**
 * Text from the user's files (file names, keys, values) goes into messages
 * printed on a terminal, where a raw ESC, CR or BEL can recolour, overwrite
 * or hide lines and fake Manifold's own output. Every message is passed
 * through here on its way out: control characters (C0 other than newline,
 * DEL, C1) and the bidirectional overrides that reorder what is displayed
 * are shown escaped, as `\x1b`, `\r`, `\u202e`.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text safe to print: every control character escaped, newlines too (for names and paths). */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** A message safe to print: control characters escaped, its own line breaks kept. */
export function printableLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escapeOne);
}
