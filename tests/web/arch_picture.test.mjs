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
const MOBILENET = 'conv:16:3:s2,mbconv:16:1,mbconv:24:4:2,mbconv:24:4,gap';

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

/** Types `spec` into the panel's spec field as a user does; checks the picture is drawn; returns the screenshot's path. */
async function typeAndShoot(page, panel, editor, spec, name) {
  await page.evaluate((p) => distillery.selectPanel(p), panel);
  const field = await widgetRect(page, `${editor} spec`);
  const before = await widgetRect(page, `${editor} picture`);  // the preset's
  // ImGui reads the mouse and keys once a frame: each is held over a few frames so none is missed.
  await page.mouse.move(field.x + field.width / 2, field.y + field.height / 2);
  await sleep(100);
  await page.mouse.down();
  await sleep(100);
  await page.mouse.up();
  await page.keyboard.down('Control');
  await page.keyboard.down('a');
  await sleep(100);
  await page.keyboard.up('a');
  await page.keyboard.up('Control');
  await page.keyboard.type(spec, { delay: 10 });
  await page.keyboard.down('Enter');
  await sleep(100);
  await page.keyboard.up('Enter');
  await page.mouse.move(5, 5);  // no tooltip over the picture
  await sleep(300);
  // Three blocks of three lines each at least, and not the preset's picture.
  const picture = await widgetRect(page, `${editor} picture`);
  assert.ok(picture.height > 300 && picture.height !== before.height,
            `${editor}: picture ${JSON.stringify(picture)}, before typing ${JSON.stringify(before)}`);
  const shot = path.join(ARTIFACTS, name);
  const top = Math.max(0, field.y - 60);
  await page.screenshot({ path: shot, clip: { x: 0, y: top, width: 1400, height: Math.min(1500, picture.y + picture.height + 80) - top } });
  const stats = imageStats(decodePng(fs.readFileSync(shot)));
  assert.ok(stats.distinctColors > 50, `only ${stats.distinctColors} colours in ${name}`);
  return shot;
}

test('a ResNet typed into the teacher editor is drawn as blocks with skips', async () => {
  const browser = await launchBrowser();
  const server = await startServer(true);
  try {
    const { page, log } = await openPage(browser);
    await page.setViewportSize({ width: 1400, height: 1500 });  // the whole teacher editor on screen
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    const teacher = await typeAndShoot(page, 'Teacher', 'teacher_arch', RESNET, 'web-arch-picture.png');
    if (process.env.ARCH_PICTURE_SHOT) fs.copyFileSync(teacher, process.env.ARCH_PICTURE_SHOT);
    // A MobileNet-style student: blocks wider than the ResNet's, with and without their skip.
    await typeAndShoot(page, 'Student', 'student_arch', MOBILENET, 'web-arch-picture-student.png');
    assert.deepEqual(log.errors, []);
  } finally {
    server.stop();
    await browser.close();
  }
});
