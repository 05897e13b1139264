// Opens one URL in Debian's Chromium (driven by playwright-core, no browser download) with optional
// httpCredentials, and prints one JSON line: the final status, body, challenge and every status seen.
//
//   node basic_auth.mjs --url http://127.0.0.1:8080/private [--user alice --password secret] [--screenshot F]
//
// With --screenshot, the page as shown is saved there (PNG), with its title, heading and body background
// in the JSON line.
//
// Exit status 0 when the page loaded (whatever its status), 1 when the browser itself failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

// The machine has no outside network: no QUIC, no background fetches, no component updates, no sync.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    timeout: { type: 'string', default: '30000' },
    screenshot: { type: 'string' },
  },
});

async function visit(userDataDir) {
  const timeout = Number(values.timeout);
  const httpCredentials =
    values.user === undefined ? undefined : { username: values.user, password: values.password ?? '' };
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, httpCredentials, timeout,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const statuses = [];
    page.on('response', (response) => statuses.push(response.status()));
    const response = await page.goto(values.url, { timeout });
    const shown = {};
    if (values.screenshot !== undefined) {
      await page.screenshot({ path: values.screenshot, fullPage: true });
      shown.title = await page.title();
      shown.heading = (await page.locator('h1').allInnerTexts()).join('|');
      shown.lang = await page.locator('html').getAttribute('lang');
      // What the page's own style did (an operator's page may bring one; its scripts must not run).
      shown.background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    }
    return {
      status: response.status(),
      body: await response.text(),
      challenge: response.headers()['www-authenticate'] ?? null,
      contentType: response.headers()['content-type'] ?? null,
      statuses,
      ...shown,
    };
  } finally {
    await context.close();
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'authgate-chromium-'));  // fresh profile every run
try {
  console.log(JSON.stringify(await visit(userDataDir)));
} catch (error) {
  console.error(`basic_auth.mjs: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(userDataDir, { recursive: true, force: true });
}
