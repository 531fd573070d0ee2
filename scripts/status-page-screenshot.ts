/**
 * Regenerates docs/status-page.png, the README's picture of the status page:
 * the 3-cluster report of the browser tests (test/browser/reports.ts), built
 * as the report writer builds index.html, opened from file:// in Debian's
 * chromium (playwright-core), the top of the page captured at 1x.
 *
 *   scripts/node24.sh node scripts/status-page-screenshot.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, pageFor, writePage } from '../test/browser/page.ts';
import { smallFleet } from '../test/browser/reports.ts';

const OUT = path.resolve(import.meta.dirname, '..', 'docs', 'status-page.png');

const dir = mkdtempSync(path.join(tmpdir(), 'manifold-screenshot-'));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 820 }, deviceScaleFactor: 1 });
  await page.goto(`file://${writePage(dir, 'index.html', pageFor(smallFleet()))}`);
  await page.waitForSelector('body[data-ready="true"]');
  // Open the degraded cluster's details, as a person would.
  await page.click('#grid [data-cluster="eu-2"]');
  await page.screenshot({ path: OUT, clip: { x: 0, y: 0, width: 1000, height: 820 } });
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`wrote ${path.relative(process.cwd(), OUT)} (${Math.round(statSync(OUT).size / 1024)} KiB)`);
