import { describe, expect, it } from 'vitest';
import { formatProblem } from './index.ts';
import { printable, printableLines } from './terminal.ts';

describe('printable', () => {
  it('escapes C0, DEL, C1 and bidi overrides, and keeps everything else', () => {
    expect(printable('a\x1b[31mred\x07\r\t\n\x7f\x9b\u202egpj.exe é ✓')).toBe('a\\x1b[31mred\\x07\\r\\t\\n\\x7f\\x9b\\u202egpj.exe é ✓');
    expect(printableLines('line one\x1b]0;title\x07\nline two')).toBe('line one\\x1b]0;title\\x07\nline two');
  });

  it('is applied by the problem formatter to every part, names on one line', () => {
    const line = formatProblem({
      code: 'X',
      severity: 'error',
      file: 'evil\n\x1b[2Kerror: fake.yaml',
      line: 3,
      object: { kind: 'ConfigMap', namespace: 'ns\r', name: 'n\x1b' },
      field: 'data.\x07',
      message: 'bad value "\x1b[8m\n::error::forged"',
    });
    expect(line).toBe('evil\\n\\x1b[2Kerror: fake.yaml:3: ConfigMap ns\\r/n\\x1b: data.\\x07: bad value "\\x1b[8m\\n::error::forged"');
  });
});
