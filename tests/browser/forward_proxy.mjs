// Loads URLs in Debian's Chromium (driven by playwright-core, no browser download) through an HTTP proxy
// with playwright's `proxy: {server, username, password}`, and prints one JSON line: per URL the final
// status, body and every status seen.
//
//   node forward_proxy.mjs --proxy http://127.0.0.1:3128 --user alice --password secret \
//        --url http://127.0.0.1:8080/page [--url https://127.0.0.1:8443/page]
//
// Chromium answers the proxy's 407 itself with these credentials (playwright hands them over when asked).
// Chromium bypasses proxies for loopback by default: `<-loopback>` in the bypass list removes that implicit
// rule (playwright-core adds it too when given `proxy`; it is passed here so the test does not depend on it). Certificates are not checked (`ignoreHTTPSErrors`): the tunnel, not the PKI, is what
// the test is about. Exit status 0 when every page loaded (whatever its status), 1 when the browser failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

// The machine has no outside network: no QUIC, no background fetches, no component updates, no sync.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--proxy-bypass-list=<-loopback>',
];

const { values } = parseArgs({
  options: {
    proxy: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    url: { type: 'string', multiple: true },
    timeout: { type: 'string', default: '30000' },
  },
});

async function visit(userDataDir) {
  const timeout = Number(values.timeout);
  const proxy = { server: values.proxy };
  if (values.user !== undefined) {
    proxy.username = values.user;
    proxy.password = values.password ?? '';
  }
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, proxy,
    ignoreHTTPSErrors: true, timeout,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pages = [];
    for (const url of values.url) {
      const statuses = [];
      const onResponse = (response) => statuses.push(response.status());
      page.on('response', onResponse);
      const response = await page.goto(url, { timeout });
      pages.push({ url, status: response.status(), body: await response.text(), statuses });
      page.off('response', onResponse);
    }
    return { pages };
  } finally {
    await context.close();
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'authgate-chromium-'));  // fresh profile every run
try {
  console.log(JSON.stringify(await visit(userDataDir)));
} catch (error) {
  console.error(`forward_proxy.mjs: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(userDataDir, { recursive: true, force: true });
}
