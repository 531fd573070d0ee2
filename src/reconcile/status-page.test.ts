/** The page builder (pure): escaping, determinism, self-containment. Behaviour in a real browser: test/browser/. */
import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../../test/report/statuses.ts';
import { fleetView } from './fleet-view.ts';
import { escapeHtml, scriptJson, statusPage } from './status-page.ts';

const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';

function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="fleet-data">([^]*?)<\/script>/.exec(html);
  if (m === null) throw new Error('no data block');
  return JSON.parse(m[1] as string);
}

describe('statusPage', () => {
  it('is deterministic: the same view gives the same bytes', () => {
    const view = fleetView({ statuses: [sampleStatus('a'), sampleStatus('b', { result: 'Degraded' })] });
    expect(statusPage(view)).toBe(statusPage(fleetView({ statuses: [sampleStatus('b', { result: 'Degraded' }), sampleStatus('a')] })));
  });

  it('loads nothing from elsewhere: no src, href or url() outside the page', () => {
    const html = statusPage(fleetView({ statuses: [sampleStatus('a')] }));
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/@import/);
  });

  it('a </script> or HTML in a message or name stays data: one data block, round-trips exactly', () => {
    const status = sampleStatus('a', {
      result: 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ApplyFailed', message: HOSTILE }],
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x', action: 'failed', health: 'Unknown', message: `\u2028${HOSTILE}&amp;` }],
    });
    const view = fleetView({ statuses: [status], proposals: [{ cluster: '<b>a</b>', message: HOSTILE }], unreadable: [`clusters/${HOSTILE}.json`] });
    const html = statusPage(view);
    // The only script elements are the page's own two.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>a</b>');
    expect(html).toContain('&lt;b&gt;a&lt;/b&gt;');
    const data = embedded(html) as { clusters: Array<{ problems: Array<{ message: string }> }> };
    expect(data.clusters[0]?.problems.map((p) => p.message)).toEqual([`False ApplyFailed: ${HOSTILE}`, `\u2028${HOSTILE}&amp;`]);
  });

  it('shows the counts and the verdict without the script', () => {
    const html = statusPage(fleetView({ statuses: [sampleStatus('a'), sampleStatus('b', { result: 'Degraded' }), sampleStatus('c', { result: 'Unreachable' })] }));
    expect(html).toContain('<b id="count-Degraded">1</b>');
    expect(html).toContain('<b id="count-Synced">1</b>');
    expect(html).toContain('<b id="count-problems">2</b>');
    expect(html).toContain('2 of 3 clusters need attention');
  });

  it('adds the wave and gate columns only with a rollout', () => {
    const plain = statusPage(fleetView({ statuses: [sampleStatus('a')] }));
    expect(plain).not.toContain('<th>wave</th>');
    const rollout = statusPage(fleetView({ statuses: [sampleStatus('a')], rollout: new Map([['a', { wave: 'canary', gate: 'open' }]]) }));
    expect(rollout).toContain('<th>wave</th><th>gate</th>');
  });
});

describe('escaping helpers', () => {
  it('escapeHtml escapes the five characters', () => expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;'));
  it('scriptJson escapes what could end a script block or a JS line', () => {
    const text = scriptJson({ m: '</script>\u2028&' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ m: '</script>\u2028&' });
  });
});
