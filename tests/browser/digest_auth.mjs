// Opens one or more URLs, one after the other, in one Debian Chromium context (driven by playwright-core,
// no browser download) with httpCredentials, and prints one JSON line: for each URL the final status, the
// body, every WWW-Authenticate field and the Authentication-Info of the final response, and every status
// seen on the way. One context for all URLs, so Chromium's own Digest state (nonce, nonce count) carries
// from one visit to the next.
//
//   node digest_auth.mjs --url http://127.0.0.1:8080/a [--url http://127.0.0.1:8080/b …] \
//        --user alice --password secret
//
// Exit status 0 when every page loaded (whatever its status), 1 when the browser itself failed.
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
    url: { type: 'string', multiple: true },
    user: { type: 'string' },
    password: { type: 'string' },
    timeout: { type: 'string', default: '30000' },
  },
});

async function open(page, url, timeout) {
  const statuses = [];
  const record = (response) => statuses.push(response.status());
  page.on('response', record);
  try {
    const response = await page.goto(url, { timeout });
    const challenges = (await response.headersArray())
      .filter((header) => header.name.toLowerCase() === 'www-authenticate')
      .map((header) => header.value);
    const info = (await response.headerValue('authentication-info')) ?? null;
    return { url, status: response.status(), body: await response.text(), challenges, info, statuses };
  } finally {
    page.off('response', record);
  }
}

async function visit(userDataDir) {
  const timeout = Number(values.timeout);
  const httpCredentials =
    values.user === undefined ? undefined : { username: values.user, password: values.password ?? '' };
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, httpCredentials, timeout,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pages = [];
    for (const url of values.url ?? []) pages.push(await open(page, url, timeout));
    return { browser: context.browser()?.version() ?? null, pages };
  } finally {
    await context.close();
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'authgate-chromium-'));  // fresh profile every run
try {
  console.log(JSON.stringify(await visit(userDataDir)));
} catch (error) {
  console.error(`digest_auth.mjs: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(userDataDir, { recursive: true, force: true });
}
