import { describe, expect, it } from 'vitest';
import { progressLine, progressText } from './progress.ts';

const CLEAR = '\r\x1b[K';

/** A stream as the line sees process.stderr: whether it is a terminal, its width, and what was written. */
function terminal(isTTY: boolean, columns = 100) {
  const written: string[] = [];
  return { isTTY, columns, written, write: (text: string) => written.push(text) };
}

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the progress line', () => {
  it('on a terminal: nothing during the first 2 s, then one line rewritten in place; other text goes around it; stop clears it', () => {
    const stream = terminal(true);
    const time = clock();
    const line = progressLine({ stream, now: time.now, term: 'xterm-256color' });
    line.update({ step: 'render', templates: 300, clusters: 40 });
    time.advance(1500);
    line.update({ step: 'render', templates: 300, clusters: 40 });
    expect(stream.written).toEqual([]);
    time.advance(600);
    line.update({ step: 'commit', objects: 169_702, clusters: 300 });
    expect(stream.written).toEqual([`${CLEAR}committing · 169,702 objects · 300 clusters · 2 s`]);
    line.write('warning: something\n');
    expect(stream.written.slice(1)).toEqual([CLEAR, 'warning: something\n']);
    time.advance(1000);
    line.update({ step: 'push', objects: 169_702, clusters: 300 });
    expect(stream.written.at(-1)).toBe(`${CLEAR}pushing · 169,702 objects · 300 clusters · 3 s`);
    line.stop();
    expect(stream.written.at(-1)).toBe(CLEAR);
    const count = stream.written.length;
    line.update({ step: 'push' });
    line.stop();
    expect(stream.written).toHaveLength(count);
  });

  it('never on a pipe or a file, nor with --quiet, nor on a dumb terminal: only the text written through it', () => {
    for (const [stream, quiet, term] of [
      [terminal(false), false, 'xterm-256color'],
      [terminal(true), true, 'xterm-256color'],
      [terminal(true), false, 'dumb'],
    ] as const) {
      const time = clock();
      const line = progressLine({ stream, now: time.now, quiet, term });
      line.update({ step: 'render' });
      time.advance(10_000);
      line.update({ step: 'reconcile', clusters: 8, clustersDone: 3 });
      line.write('rendered 16 objects\n');
      line.stop();
      expect(stream.written).toEqual(['rendered 16 objects\n']);
    }
  });

  it('fits the terminal width (one character spare, so the cursor never wraps)', () => {
    const stream = terminal(true, 30);
    const line = progressLine({ stream, delayMs: 0, term: 'xterm-256color' });
    line.update({ step: 'reconcile', clusters: 1000, clustersDone: 999 });
    line.stop();
    expect(stream.written[0]).toBe(`${CLEAR}${'reconciling · 999 of 1,000 clusters done · 0 s'.slice(0, 29)}`);
  });

  it('says the step and what is known of its size', () => {
    expect(progressText({ step: 'render' }, 12_345)).toBe('rendering · 12 s');
    expect(progressText({ step: 'write', objects: 16, clusters: 4 }, 0)).toBe('writing the folder · 16 objects · 4 clusters · 0 s');
    expect(progressText({ step: 'reconcile', clusters: 8, clustersDone: 0 }, 61_000)).toBe('reconciling · 0 of 8 clusters done · 61 s');
  });
});
