// The dashboard in headless Debian chromium against a real cloud, with the robot's real link publishing a
// changing map, state telemetry and events, and answering a command.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { RobotLink } from '../../edge/link/robot-link.ts';
import { startDemo } from '../../edge/sim/demo.ts';
import { SystemClock } from '../../shared/clock.ts';
import { createGrid, type OccupancyGrid } from '../../shared/occupancy-grid.ts';
import { TEST_ADMIN_TOKEN, api, registerRobot, startTestCloud, waitFor } from '../test-support.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Headless Debian chromium with a fresh profile directory under `dir` (playwright passes it as --user-data-dir). */
function launchChromium(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Set SWATH_DOCS_SCREENSHOT=1 to refresh the screenshots in docs/images/ from this run.
const UPDATE_DOCS = process.env.SWATH_DOCS_SCREENSHOT === '1';
const DOCS_IMAGES = new URL('../../docs/images/', import.meta.url);

/** A room whose explored part grows with `explored` (cells from the lower-left corner), walls around it. */
function room(explored: number): OccupancyGrid {
  const grid = createGrid({ width: 120, height: 80, resolution: 0.05, origin: { x: -1, y: -1, theta: 0 } });
  for (let y = 0; y < Math.min(explored, 80); y++)
    for (let x = 0; x < Math.min(explored * 1.5, 120); x++) {
      const wall = x === 0 || y === 0 || x === 119 || y === 79 || (x === 60 && y > 20 && y < 60);
      grid.data[y * 120 + x] = wall ? 100 : 0;
    }
  return grid;
}

// This project's TypeScript has no DOM library: page-side code names the few DOM members it uses.
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface PageGlobals {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}

/** Back-and-forth lanes over the room's left part (left of the inner wall at x = 2 m). */
const LANES = [-0.7, -0.4, -0.1, 0.2, 0.5, 0.8, 1.1, 1.4, 1.7].flatMap((y, k) =>
  k % 2 === 0
    ? [
        { x: -0.7, y },
        { x: 1.7, y },
      ]
    : [
        { x: 1.7, y },
        { x: -0.7, y },
      ],
);

/** The pose `d` metres along the lanes, heading along them. */
function alongLanes(d: number): { x: number; y: number; theta: number } {
  for (let k = 0; k + 1 < LANES.length; k++) {
    const a = LANES[k]!;
    const b = LANES[k + 1]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (d <= length) {
      const f = d / length;
      return { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), theta: Math.atan2(b.y - a.y, b.x - a.x) };
    }
    d -= length;
  }
  const last = LANES[LANES.length - 1]!;
  return { ...last, theta: Math.PI };
}

const INITIAL_STATES = 30;
const batteryOf = (i: number) => 95 - 0.4 * i;

async function canvasHash(page: Page): Promise<string> {
  return page.locator('#map-canvas').evaluate((element) => {
    const canvas = element as unknown as PageCanvas;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i]!, 0x01000193) >>> 0;
    return `${canvas.width}x${canvas.height}:${h.toString(16)}`;
  });
}

async function waitForChartPoints(page: Page, atLeast: number): Promise<void> {
  await waitFor(
    async () => Number(await page.locator('#charts').getAttribute('data-points')) >= atLeast,
    5000,
  );
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#fleet-table');
}

test(
  'dashboard: live fleet list, map, charts, events and commands in chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)` },
  async () => {
    const started = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'swath-dashboard-'));
    const cloud = await startTestCloud();
    let browser: BrowserContext | undefined;
    const link = new RobotLink(
      {
        url: cloud.mqttUrls[0]!,
        robotId: 'kitchen-1',
        password: await registerRobot(cloud, 'kitchen-1'),
        mapMinInterval: 0,
        firmware: 'create2-3.8',
        version: '0.1.0',
      },
      { path: join(dir, 'outbox.db') },
      new SystemClock(),
    );
    let seq = 0;
    const publishState = () => {
      const i = seq++;
      link.publishState({
        pose: alongLanes(0.15 * i),
        missionState: 'covering',
        coverage: Math.min(1, 0.008 * i),
        batteryPercent: batteryOf(i),
        batteryVoltage: 14.6,
        linearSpeed: 0.2 + 0.01 * (i % 5),
        angularSpeed: 0.1 * Math.sin(i),
      });
    };
    try {
      link.onCommand('pause', () => ({ ok: true, state: 'paused' }));
      link.connect();
      await waitFor(() => link.connected);
      for (let i = 0; i < INITIAL_STATES; i++) publishState();
      link.publishEvent('info', 'mission.started', 'covering the kitchen');
      link.publishMap(room(20), {
        pose: alongLanes(0.15 * (INITIAL_STATES - 1)),
        path: LANES,
      });
      await waitFor(async () => (await api(cloud, 'GET', '/api/robots/kitchen-1/map')).status === 200);
      const viewer = await api(cloud, 'POST', '/api/tokens', {
        body: { role: 'viewer', label: 'wall screen' },
      });
      assert.equal(viewer.status, 201);

      browser = await launchChromium(dir);
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      browser.setDefaultTimeout(5000);

      // Fleet list: the robot is online, with its mission state and battery.
      await signIn(page, cloud.httpUrl, TEST_ADMIN_TOKEN);
      const row = page.locator('tr[data-robot="kitchen-1"]');
      await row.locator('.pill.online').waitFor();
      const lastBattery = `${batteryOf(INITIAL_STATES - 1).toFixed(0)} %`;
      // The row follows the live states until it shows the last one's battery.
      await waitFor(async () => (await row.textContent())!.includes(lastBattery), 5000);
      assert.match((await row.textContent())!, /covering/);

      // Robot page: map drawn, then redrawn when a snapshot with more explored area arrives.
      await row.locator('a').click();
      await page.waitForSelector('#map-canvas[data-seq="0"]');
      await waitForChartPoints(page, INITIAL_STATES);
      assert.notEqual(await page.textContent('#robot-seen'), 'never');
      const before = await canvasHash(page);
      link.publishMap(room(60), { pose: alongLanes(0.15 * (INITIAL_STATES - 1)), path: LANES });
      await page.waitForSelector('#map-canvas[data-seq="1"]');
      await page.waitForTimeout(50); // the redraw runs on the next animation frame
      assert.notEqual(await canvasHash(page), before, 'the map canvas changed with the new snapshot');

      // Live telemetry reaches the charts and the status card.
      for (let i = 0; i < 10; i++) publishState();
      await waitForChartPoints(page, INITIAL_STATES + 10);
      const battery = `${batteryOf(INITIAL_STATES + 9).toFixed(0)} %`;
      await waitFor(async () => (await page.textContent('#robot-battery'))!.startsWith(battery), 3000);
      assert.equal(await page.textContent('#robot-mission'), 'covering');

      // A live event appears at the top of the list with its level's colour.
      link.publishEvent('warn', 'bumper.stuck', 'left bumper pressed for 5 s');
      const newest = page.locator('#events li').first();
      await newest.locator('text=left bumper pressed for 5 s').waitFor();
      assert.match((await newest.getAttribute('class'))!, /level-warn/);
      assert.equal(await page.locator('#events li').count(), 2);

      // A command round-trips through the robot link; the reply is shown.
      await page.click('button[data-command="pause"]');
      await page.waitForSelector('#command-result.ok');
      assert.equal(await page.textContent('#command-result'), 'pause: ok — mission paused');
      // A command the robot does not handle is refused, and the page says why.
      await page.click('button[data-command="start"]');
      await page.waitForSelector('#command-result.error');
      assert.match((await page.textContent('#command-result'))!, /start: refused — .*not supported/);

      const shot = join(dir, 'dashboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      assert.ok(png.length > 10_000, `screenshot has ${png.length} bytes`);
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      if (UPDATE_DOCS) {
        mkdirSync(DOCS_IMAGES, { recursive: true });
        writeFileSync(new URL('dashboard.png', DOCS_IMAGES), png);
      }

      // A viewer token, on a phone-sized screen: the page fits, the command buttons are disabled.
      // sessionStorage is per tab, so a new tab starts signed out.
      const viewerPage = await browser.newPage();
      await viewerPage.setViewportSize({ width: 390, height: 800 });
      viewerPage.on('pageerror', (err) => pageErrors.push(err.message));
      await signIn(viewerPage, cloud.httpUrl, viewer.body.token as string);
      await viewerPage.locator('tr[data-robot="kitchen-1"] a').click();
      await viewerPage.waitForSelector('#map-canvas[data-seq="1"]');
      const buttons = viewerPage.locator('button.command');
      assert.equal(await buttons.count(), 4);
      const disabled = await Promise.all([0, 1, 2, 3].map((i) => buttons.nth(i).isDisabled()));
      assert.deepEqual(disabled, [true, true, true, true]);
      const overflow = await viewerPage.evaluate(() => {
        const root = (globalThis as unknown as PageGlobals).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 0, `the narrow page scrolls sideways by ${overflow} px`);
      if (UPDATE_DOCS) {
        await viewerPage.screenshot({ path: fileURLToPath(new URL('dashboard-narrow.png', DOCS_IMAGES)) });
        await viewerPage.goto(`${cloud.httpUrl}/#/`);
        await viewerPage.setViewportSize({ width: 1280, height: 360 });
        await viewerPage.locator('tr[data-robot="kitchen-1"] .pill.online').waitFor();
        await viewerPage.screenshot({ path: fileURLToPath(new URL('dashboard-fleet.png', DOCS_IMAGES)) });
      }

      assert.deepEqual(pageErrors, []);
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    } finally {
      await browser?.close();
      await link.close();
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'dashboard during a simulated mission: the robot is online and its map changes as it explores',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)` },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swath-dashboard-mission-'));
    const demo = await startDemo({
      world: 'studio',
      seed: 1,
      speed: 8,
      httpPort: 0,
      mqttPort: 0,
      dataDir: join(dir, 'robot'),
      log: () => {},
    });
    let browser: BrowserContext | undefined;
    try {
      browser = await launchChromium(dir);
      browser.setDefaultTimeout(15000);
      const page = await browser.newPage();
      await signIn(page, demo.cloud.httpUrl, demo.adminToken);
      const row = page.locator('tr[data-robot="sim-1"]');
      await row.locator('.pill.online').waitFor();
      await row.locator('a').click();
      await page.waitForSelector('#map-canvas[data-seq]');
      const firstSeq = await page.locator('#map-canvas').getAttribute('data-seq');
      const before = await canvasHash(page);
      // The daemon publishes a snapshot every few simulated seconds while it explores.
      await page.waitForFunction(
        (seq) =>
          (
            globalThis as unknown as {
              document: { querySelector(s: string): { getAttribute(a: string): string | null } | null };
            }
          ).document
            .querySelector('#map-canvas')
            ?.getAttribute('data-seq') !== seq,
        firstSeq,
      );
      await page.waitForTimeout(100);
      assert.notEqual(await canvasHash(page), before, 'the map canvas changed during the mission');
      assert.match((await page.textContent('#robot-mission'))!, /exploring|covering|starting/);
      const shot = await page.screenshot();
      assert.ok(shot.subarray(0, 8).equals(PNG_SIGNATURE) && shot.length > 10_000);
    } finally {
      await browser?.close();
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
