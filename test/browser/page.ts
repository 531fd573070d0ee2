/** Pages for the browser tests and the README screenshot, built as the report writer builds them (report-page.ts), with chromium to look at them. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { fleetView } from '../../src/reconcile/fleet-view.ts';
import { statusPage } from '../../src/reconcile/status-page.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { PREVIOUS, TIP } from './reports.ts';

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The page of a report whose tip is TIP, PREVIOUS one commit before it (what git/ancestry.ts finds on a real branch). */
export function pageFor(statuses: readonly ClusterStatus[]): string {
  return statusPage(fleetView({ statuses, renderedTip: TIP, behind: new Map([[PREVIOUS, 1]]) }));
}

/** Writes the page as a file, to be opened from file:// (the hardest case for a self-contained page). */
export function writePage(dir: string, name: string, html: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, html);
  return file;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
  // --no-sandbox: CI containers run as root, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
