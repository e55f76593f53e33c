import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli-process.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { axeViolations, launchChromium } from '../peers/chromium.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/** Screenshots land here for a person to look at; the test checks their size and what is on them. */
const SHOTS = path.join(REPO_ROOT, '.test-results/status-page');

let gw: TestGateway;
let browser: Browser;
let sink: TcpSink | null = null;
let port: number;
let statusKey: string;
let printKey: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // A port that nothing listens on yet: the printer starts offline and comes up when the sink does.
  const probe = await startTcpSink();
  port = probe.port;
  await probe.close();
  gw = await startTestGateway({ printers: [{ name: 'Kitchen', group: 'store1', uri: `socket://127.0.0.1:${port}`, language: 'escpos' }] });
  statusKey = gw.createKey(['ViewStatus'], { name: 'technician' }).key;
  printKey = gw.createKey(['PrintToDevice'], { name: 'till 1' }).key;
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await gw?.stop();
  await sink?.close();
});

async function openPage(viewport: { width: number; height: number }, options: { bypassCSP?: boolean } = {}): Promise<{ page: Page; urls: string[]; problems: string[] }> {
  const context = await browser.newContext({ viewport, ...options });
  contexts.push(context);
  const page = await context.newPage();
  const urls: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(`${gw.url}/`);
  return { page, urls, problems };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible', timeout: 10_000 });
  await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
}

async function screenshot(page: Page, name: string): Promise<PNG> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return PNG.sync.read(readFileSync(file));
}

async function print(text: string): Promise<string> {
  const answer = await fetch(`${gw.url}/api/v1/printers/kitchen/jobs?name=${encodeURIComponent(text.split('\n')[0]!)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${printKey}`, 'Content-Type': 'text/vnd.star.markup' },
    body: text,
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { id: string }).id;
}

describe('the status page in headless Chromium', () => {
  it('signs in from a form, shows a printer go offline and come back live, and a job with its preview; the key is in no URL', async () => {
    const { page, urls, problems } = await openPage({ width: 1280, height: 900 });
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await signIn(page, statusKey);
    const printer = page.locator('[data-printer-id="kitchen"]');
    await expect(printer.locator('h3').textContent()).resolves.toContain('Kitchen');
    await expect(printer.textContent()).resolves.toContain('config'); // its source

    // A job for a printer that does not answer: the printer goes stopped/offline on the page, live.
    const jobId = await print('Table 4\n[align: centre]2 x Soup  9.80\n[barcode: type qr; data order-4]\n[cut: partial]');
    await page.locator('[data-printer-id="kitchen"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    await expect(printer.textContent()).resolves.toMatch(/offline[\s\S]*1 waiting, 0 held/);
    const job = page.locator(`[data-job-id="${jobId}"]`);
    await job.waitFor({ timeout: 10_000 });
    await expect(job.getAttribute('data-state')).resolves.toBe('pending');
    await page.locator('#errors [data-error-id]').first().waitFor({ timeout: 10_000 });
    await expect(page.locator('#errors').textContent()).resolves.toContain('offline');
    await screenshot(page, 'desktop-printer-offline');

    // The printer comes up: back to idle, the job prints and completes, all without a reload.
    sink = await startTcpSink({ port });
    await sink.waitForText('Table 4', 20_000);
    await page.locator('[data-printer-id="kitchen"][data-state="idle"]').waitFor({ timeout: 15_000 });
    await page.locator(`[data-job-id="${jobId}"][data-state="completed"]`).waitFor({ timeout: 15_000 });
    const preview = job.locator('.preview img');
    await preview.waitFor({ timeout: 10_000 });
    // The preview is the receipt at the printer's width in dots (80 mm paper: 576), fetched with the key in a header.
    await expect(preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(576);
    await expect(preview.getAttribute('src')).resolves.toMatch(/^blob:/);

    const shot = await screenshot(page, 'desktop');
    expect(shot.width).toBe(1280);
    expect(shot.height).toBeGreaterThanOrEqual(900);
    for (const heading of ['Gateway', 'Printers', 'Recent jobs', 'Recent errors', 'Cloud sync', 'TLS', 'Keys']) {
      await expect(page.getByRole('heading', { name: heading, exact: true }).isVisible(), heading).resolves.toBe(true);
    }
    await expect(page.locator('#keys tbody').textContent()).resolves.toContain('technician');

    // The key went in headers only: never in a URL Chromium requested, nor in the page's address.
    expect(urls.some((url) => url.endsWith('/api/v1/status/events'))).toBe(true);
    expect(urls.some((url) => url.includes('/api/v1/status/jobs/') && url.endsWith('/preview.png'))).toBe(true);
    expect(urls.filter((url) => url.includes(statusKey) || url.includes(encodeURIComponent(statusKey)))).toEqual([]);
    expect(page.url()).not.toContain(statusKey);
    expect(await page.locator('#key').inputValue()).toBe('');
    await expect(page.evaluate(() => sessionStorage.getItem('printgate.statusKey'))).resolves.toBe(statusKey);
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  it('fits a phone: one column, no sideways scrolling, every part on the page', async () => {
    const { page, problems } = await openPage({ width: 390, height: 844 });
    await signIn(page, statusKey);
    await page.locator('[data-printer-id="kitchen"]').waitFor();
    await page.locator('#jobs .preview img').first().waitFor({ timeout: 10_000 });
    const widths = await page.evaluate(() => ({ document: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.document).toBeLessThanOrEqual(widths.viewport);
    const card = await page.locator('[data-printer-id="kitchen"]').boundingBox();
    expect(card!.width).toBeGreaterThan(330); // a full-width card, not a squeezed grid cell
    await expect(page.locator('#keys thead').isVisible()).resolves.toBe(true); // (visually hidden, still read out)
    await expect(page.locator('#keys td[data-label="Permissions"]').first().textContent()).resolves.toContain('View');
    const shot = await screenshot(page, 'phone');
    expect(shot.width).toBe(390);
    expect(shot.height).toBeGreaterThan(844); // the whole page, scrolled
    expect(problems).toEqual([]);
  });

  it('has no serious or critical accessibility violations (axe-core), signed out and signed in', async () => {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      // Only this context bypasses the page's CSP, which forbids the injected axe script.
      const { page } = await openPage(viewport, { bypassCSP: true });
      expect(await axeViolations(page), `signed out at ${viewport.width} px`).toEqual([]);
      await signIn(page, statusKey);
      await page.locator('#jobs .preview img').first().waitFor({ timeout: 10_000 });
      expect(await axeViolations(page), `signed in at ${viewport.width} px`).toEqual([]);
    }
  });

  it('refuses a key without ViewStatus in words, and signs out as soon as its key is revoked', async () => {
    const { page } = await openPage({ width: 1280, height: 900 });
    await page.getByLabel('API key').fill(printKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'INSUFFICIENT_SCOPE' }).textContent({ timeout: 10_000 })).resolves.toContain('ViewStatus');
    await expect(page.locator('#dashboard').isHidden()).resolves.toBe(true);

    const { id, key } = gw.createKey(['ViewStatus'], { name: 'short-lived' });
    await signIn(page, key);
    // Revoked from "another process" (its own database connection, as `printgate keys revoke` does).
    gw.withKeyStore((store) => store.revoke(id));
    await page.getByRole('alert').filter({ hasText: 'TOKEN_REVOKED' }).waitFor({ timeout: 10_000 });
    await expect(page.locator('#dashboard').isHidden()).resolves.toBe(true);
    await expect(page.evaluate(() => sessionStorage.getItem('printgate.statusKey'))).resolves.toBeNull();
  });
});
