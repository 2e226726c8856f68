// A person signs up through the page served by `ions dev`, in a real browser (Debian's chromium).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevServer } from '../../runtime/dev/dev.js';
import { copyExample, type ExampleCopy } from '../dev/example-copy.js';

let example: ExampleCopy;
let dev: DevServer;
let browser: BrowserContext;
let profile: string;
// Kept after the run, to look at.
const screenshotDir = join(tmpdir(), 'ions-browser-shots');

beforeAll(async () => {
  example = await copyExample();
  dev = await startDev({ serviceDir: example.dir, port: 0, watch: false, log: () => {} });
  profile = await mkdtemp(join(tmpdir(), 'ions-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 900, height: 900 },
  });
});
afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await example?.remove();
  if (profile) await rm(profile, { recursive: true, force: true });
});

describe('the sign-up page in a browser', () => {
  it('signs up through the form and shows the name in the list', async () => {
    const page = await browser.newPage();
    await page.goto(`${dev.url}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Serverless Ions Meetup');
    await expect(page.locator('body').textContent()).resolves.toContain('No one yet');

    await page.fill('input[name=name]', 'Katherine Johnson');
    await page.fill('input[name=email]', 'katherine@example.com');
    await Promise.all([page.waitForURL(`${dev.url}/?welcome=1`), page.click('button[type=submit]')]);

    await expect(page.locator('#attendees li').allTextContents()).resolves.toEqual([expect.stringMatching(/^Katherine Johnson\d{4}-\d\d-\d\d$/)]);
    await expect(page.locator('[role=status]').textContent()).resolves.toBe('You are signed up. See you there!');
    await expect(page.locator('.seats').textContent()).resolves.toBe('1 signed up, 49 of 50 seats left');
    await page.screenshot({ path: join(screenshotDir, 'signed-up.png'), fullPage: true });
  });

  it('keeps the form and shows the error when the email is not valid', async () => {
    const page = await browser.newPage();
    await page.goto(`${dev.url}/`);
    await page.fill('input[name=name]', 'Typo');
    // The browser's own check would stop `typo@`; this one passes it and fails the server's.
    await page.fill('input[name=email]', 'typo@nowhere');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('email is not a valid address');
    await expect(page.inputValue('input[name=name]')).resolves.toBe('Typo');
    await expect(page.locator('#attendees li').count()).resolves.toBe(1);
  });
});
