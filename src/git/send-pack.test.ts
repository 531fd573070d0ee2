import { describe, expect, it } from 'vitest';
import { parseReceivePackResponse } from './send-pack.ts';

const pkt = (payload: Buffer | string) => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
};
const band = (n: number, payload: Buffer | string) => pkt(Buffer.concat([Buffer.from([n]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]));
const FLUSH = Buffer.from('0000');

describe('receive-pack report-status (gitprotocol-pack.txt)', () => {
  it('reads the report out of side-band 1, skipping progress on band 2, split across packets', () => {
    const status = Buffer.concat([pkt('unpack ok\n'), pkt('ok refs/heads/a\n'), pkt('ng refs/heads/b failed to update ref\n'), FLUSH]);
    const body = Buffer.concat([band(2, 'Resolving deltas: 100% (3/3)\r'), band(1, status.subarray(0, 9)), band(1, status.subarray(9)), FLUSH]);
    const report = parseReceivePackResponse(body, true);
    expect(report.unpack).toBe('ok');
    expect([...report.refs]).toEqual([
      ['refs/heads/a', undefined],
      ['refs/heads/b', 'failed to update ref'],
    ]);
  });

  it('without side-band the report is the body; a failed unpack is kept as said', () => {
    const report = parseReceivePackResponse(Buffer.concat([pkt('unpack index-pack abnormal exit\n'), pkt('ng refs/heads/a unpacker error\n'), FLUSH]), false);
    expect(report.unpack).toBe('index-pack abnormal exit');
    expect(report.refs.get('refs/heads/a')).toBe('unpacker error');
  });

  it('a fatal error on band 3 is thrown with its text', () => {
    expect(() => parseReceivePackResponse(Buffer.concat([band(3, 'fatal: the repository is read-only\n'), FLUSH]), true)).toThrow('the remote failed: fatal: the repository is read-only');
  });
});
