// The architecture editor in the browser: a ResNet typed into the teacher's
// spec field, as a user types it, is drawn as blocks with their skips. The
// screenshot is kept in test-artifacts/ (ARCH_PICTURE_SHOT names another copy).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { ARTIFACTS, launchBrowser, openPage, sleep, startServer } from './harness.mjs';
import { decodePng, imageStats } from './png.mjs';

const RESNET = 'conv:16:3,bn,res:16,res:32:2,res:64:2,gap';

/** A widget's rectangle once the app has drawn it (widgetRect), waiting a few frames for it. */
async function widgetRect(page, name) {
  let last = null;
  for (let i = 0; i < 100; i++) {
    try {
      return await page.evaluate((n) => distillery.call('widgetRect', { name: n }), name);
    } catch (e) {
      last = e;
      await sleep(50);
    }
  }
  throw last;
}

test('a ResNet typed into the teacher editor is drawn as blocks with skips', async () => {
  const browser = await launchBrowser();
  const server = await startServer(true);
  try {
    const { page, log } = await openPage(browser);
    await page.setViewportSize({ width: 1400, height: 1500 });  // the whole teacher editor on screen
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    await page.evaluate(() => distillery.selectPanel('Teacher'));

    const field = await widgetRect(page, 'teacher_arch spec');
    await page.mouse.click(field.x + field.width / 2, field.y + field.height / 2);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(RESNET);
    await page.keyboard.press('Enter');
    await sleep(300);

    // Three blocks of three lines each at least: the picture is of the ResNet, not of the preset it replaced.
    const picture = await widgetRect(page, 'teacher_arch picture');
    assert.ok(picture.height > 300, `picture ${JSON.stringify(picture)}`);
    await page.mouse.move(5, 5);  // no tooltip over the picture
    await sleep(200);
    const shot = path.join(ARTIFACTS, 'web-arch-picture.png');
    await page.screenshot({ path: shot, clip: { x: 0, y: Math.max(0, field.y - 60), width: 1400,
                                                height: Math.min(1500, picture.y + picture.height + 80) - Math.max(0, field.y - 60) } });
    if (process.env.ARCH_PICTURE_SHOT) fs.copyFileSync(shot, process.env.ARCH_PICTURE_SHOT);
    const stats = imageStats(decodePng(fs.readFileSync(shot)));
    assert.ok(stats.distinctColors > 50, `only ${stats.distinctColors} colours in the screenshot`);
    assert.deepEqual(log.errors, []);
  } finally {
    server.stop();
    await browser.close();
  }
});
