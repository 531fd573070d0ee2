/**
 * The status page in a real browser (Debian's chromium driven by
 * playwright-core; no browser download): opened from file:// as a static
 * host would serve it, for a 3-cluster report and a generated 1,000-cluster
 * report. Asserts what a person sees (names, counts, a degraded cluster
 * shown degraded, the filter), that the console stays clean, how long the
 * page takes to render, and that no Secret value, token or credential is on
 * it. Screenshots go to test-results/ (gitignored) as artifacts.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaks, type Planted } from '../secrets/leaks.ts';
import { sampleStatus } from '../report/statuses.ts';
import { launchChromium, pageFor, writePage } from './page.ts';
import { largeFleet, largeFleetCounts, smallFleet, TIP } from './reports.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-results', 'status-page');
/**
 * "Well under a second": the script's first render (data parsed, grid,
 * table, charts drawn) must take under RENDER_BUDGET_MS; the whole load
 * (reading and parsing ~600 KB of HTML too) under LOAD_BUDGET_MS, generous
 * for a shared 2-core machine. Both numbers are printed.
 */
const RENDER_BUDGET_MS = 500;
const LOAD_BUDGET_MS = 1500;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  /** performance.now() when the script finished its first render: navigation start to ready. */
  loadMs: number;
  /** The script's own first render. */
  renderMs: number;
}

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) errors.push(`request to ${r.url()}`);
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  const loadMs = await page.evaluate(() => performance.now());
  const renderMs = Number(await page.locator('body').getAttribute('data-render-ms'));
  return { page, errors, loadMs, renderMs };
}

const shown = (page: Page) => page.locator('#shown').textContent();

/**
 * Waits until the "showing N of M clusters" line says `text` (the search
 * input is debounced). A locator, not waitForFunction: the page's CSP
 * forbids eval, which a string predicate would need.
 */
async function waitShown(page: Page, text: string): Promise<void> {
  await page.locator('#shown').filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout: 5000 });
}

describe('status page, 3 clusters', () => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await open(writePage(ARTIFACTS, 'three.html', pageFor(smallFleet())));
  });

  it('shows every cluster with its result, the counts and the verdict', async () => {
    const { page } = opened;
    expect(await page.locator('h1').textContent()).toBe('Fleet status');
    expect(await page.locator('.verdict').textContent()).toBe('2 of 3 clusters need attention');
    expect(await page.locator('#count-Degraded').textContent()).toBe('1');
    expect(await page.locator('#count-Failed').textContent()).toBe('1');
    expect(await page.locator('#count-Synced').textContent()).toBe('1');
    expect(await page.locator('#clusters tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent)))).toEqual([
      ['eu-1', 'Synced', 'Ready', TIP.slice(0, 12), 'at tip'],
      ['eu-2', 'Degraded', 'Ready', TIP.slice(0, 12), 'at tip'],
      ['us-1', 'Failed', 'Ready', '5a6b7c8d9e0f', '1 behind'],
    ]);
  });

  it('shows a degraded cluster as degraded: its tile, its badge, its problems with messages', async () => {
    const { page } = opened;
    const tile = page.locator('#grid [data-cluster="eu-2"]');
    expect(await tile.getAttribute('class')).toContain('s-Degraded');
    expect(await page.evaluate(`getComputedStyle(document.querySelector('#grid [data-cluster="eu-2"]')).backgroundColor`)).toBe('rgb(191, 135, 0)');
    const problems = page.locator('#problems [data-cluster="eu-2"]');
    expect(await problems.textContent()).toContain('Deployment shop/web: Degraded: 1/3 replicas available');
    expect(await problems.textContent()).toContain('/data/password');
    expect(await page.locator('#problems [data-cluster="us-1"]').textContent()).toContain('admission webhook "policy.example" denied the request');
  });

  it('draws replicas per cluster as SVG bars, ready against desired', async () => {
    const { page } = opened;
    const titles = await page.locator('#workloads .workload').first().locator('rect.r title').allTextContents();
    expect(titles).toEqual(['eu-1: 3/3 ready', 'eu-2: 1/3 ready', 'us-1: 3/3 ready']);
    expect(await page.locator('#workloads h3').first().textContent()).toBe('Deployment shop/web: 7/9 ready in 3 clusters');
  });

  it('filters by search and by state; clicking a cluster opens its details', async () => {
    const { page } = opened;
    await page.fill('#search', 'webhook');
    await waitShown(page, 'showing 1 of 3 clusters');
    expect(await page.locator('#grid .tile').evaluateAll((t) => t.map((e) => e.getAttribute('data-cluster')))).toEqual(['us-1']);
    await page.fill('#search', '');
    await waitShown(page, 'showing 3 of 3 clusters');
    await page.click('button.chip[data-state="Degraded"]');
    expect(await shown(page)).toBe('showing 1 of 3 clusters');
    expect(await page.locator('#clusters tbody tr').getAttribute('data-cluster')).toBe('eu-2');
    await page.click('#clusters tbody button[data-cluster="eu-2"]');
    expect(await page.locator('#detail h2').textContent()).toBe('eu-2');
    expect(await page.locator('#detail rect.r title').allTextContents()).toEqual(['Deployment shop/web: 1/3 ready', 'Deployment shop/worker: 1/2 ready']);
    await page.click('button.chip[data-state="all"]');
    expect(await shown(page)).toBe('showing 3 of 3 clusters');
    await page.screenshot({ path: path.join(ARTIFACTS, 'three.png'), fullPage: true });
  });

  it('logs no console error or warning and loads nothing from elsewhere', () => {
    expect(opened.errors).toEqual([]);
  });
});

describe('status page, 1,000 clusters', () => {
  let opened: Opened;
  const counts = largeFleetCounts();
  beforeAll(async () => {
    opened = await open(writePage(ARTIFACTS, 'thousand.html', pageFor(largeFleet())));
  });

  it(`renders in under ${RENDER_BUDGET_MS} ms (loads in under ${LOAD_BUDGET_MS} ms) with every cluster on the grid and one page of the table`, async () => {
    const { page, renderMs, loadMs } = opened;
    console.log(`status page, 1,000 clusters: first render ${renderMs} ms; ready ${loadMs.toFixed(0)} ms after navigation start`);
    expect(renderMs).toBeLessThan(RENDER_BUDGET_MS);
    expect(loadMs).toBeLessThan(LOAD_BUDGET_MS);
    expect(await page.locator('#grid .tile').count()).toBe(1000);
    expect(await page.locator('#clusters tbody tr').count()).toBe(50);
    expect(await page.locator('#page').textContent()).toBe('page 1 of 20');
    expect(await page.locator('#count-Degraded').textContent()).toBe(String(counts.Degraded));
    expect(await page.locator('#count-Failed').textContent()).toBe(String(counts.Failed));
    expect(await page.locator('#count-Unreachable').textContent()).toBe(String(counts.Unreachable));
    // The DOM stays linear: charts are capped, problems paged.
    expect(await page.locator('svg.chart rect').count()).toBeLessThanOrEqual(2 * 60 * 2);
    expect(await page.evaluate(`document.getElementsByTagName('*').length`)).toBeLessThan(6000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'thousand.png') });
  });

  it('the filter narrows 1,000 clusters quickly, by name and by state', async () => {
    const { page } = opened;
    const started = Date.now();
    await page.fill('#search', 'cluster-0370');
    await waitShown(page, 'showing 1 of 1000 clusters');
    const filterMs = Date.now() - started;
    console.log(`status page, 1,000 clusters: search answered in ${filterMs} ms (60 ms of it the input debounce)`);
    expect(filterMs).toBeLessThan(LOAD_BUDGET_MS);
    expect(await page.locator('#clusters tbody tr td:nth-child(2)').textContent()).toBe('Failed');
    await page.fill('#search', '');
    await waitShown(page, 'showing 1000 of 1000 clusters');
    await page.click('button.chip[data-state="Degraded"]');
    await waitShown(page, `showing ${counts.Degraded} of 1000 clusters`);
    expect(await page.locator('#grid .tile.s-Degraded').count()).toBe(counts.Degraded);
    expect(await page.locator('#grid .tile:not(.s-Degraded)').count()).toBe(0);
    await page.click('#next');
    expect(await page.locator('#page').textContent()).toBe(`page 2 of ${Math.ceil((counts.Degraded ?? 0) / 50)}`);
  });

  it('logs no console error or warning', () => {
    expect(opened.errors).toEqual([]);
  });
});

describe('status page and hostile text', () => {
  it('a message with </script>, HTML and an event handler is shown as text and runs nothing', async () => {
    const hostile = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>';
    const status = sampleStatus('eu-7', {
      result: 'Failed',
      conditions: [{ type: 'Ready', status: 'False', reason: 'ApplyFailed', message: hostile }],
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'x', action: 'failed', health: 'Unknown', message: hostile }],
    });
    const { page, errors } = await open(writePage(ARTIFACTS, 'hostile.html', pageFor([status])));
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('#problems img, #problems b, #detail img').count()).toBe(0);
    expect(await page.locator('#problems [data-cluster="eu-7"]').textContent()).toContain(`ConfigMap shop/x: ${hostile}`);
    expect(errors).toEqual([]);
  });
});

describe('status page and secrets', () => {
  it('shows no Secret value, token or credential that a message carried', async () => {
    const planted: Planted = {
      kubeconfigToken: 'kubeconfig-token-Z8q4LmN0pQ',
      gitToken: 'ghp_plantedGitToken9876xyzAB',
      urlPassword: 'url-userinfo-pass-T4rWq1',
      secretData: 'karmada-data-Vq7xPw2',
    };
    const status = sampleStatus('eu-9', {
      result: 'Failed',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ApplyFailed', message: `request failed: Authorization: Bearer ${planted.kubeconfigToken}` },
        { type: 'Source', status: 'False', reason: 'FetchFailed', message: `cannot fetch https://x-access-token:${planted.gitToken}@git.example/fleet.git and https://me:${planted.urlPassword}@git.example/` },
      ],
      objects: [{ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db', action: 'configured', health: 'Healthy', drift: [{ path: '/data/password', before: '***', after: '***' }] }],
    });
    // The report writer's path: statusFileContent masks Secret data, the page is redacted at the boundary (report-page.ts).
    const { redact } = await import('../../src/errors/redact.ts');
    const html = redact(pageFor([status]));
    const { page, errors } = await open(writePage(ARTIFACTS, 'secrets.html', html));
    const text = String(await page.evaluate('document.body.innerText'));
    expect(text).toContain('eu-9');
    expect(text).toContain('ApplyFailed');
    expect(leaks({ html, text }, planted)).toEqual({});
    expect(errors).toEqual([]);
  });
});
