// Distillation with the built-in baseline, unlabeled images and the new
// options, in the threaded build on the demo: distill({baseline: true}) gives
// baseline_accuracy and gain numbers and the Distil panel draws the verdict
// line; loadUnlabeled takes a tiny PNG set and an IDX images file, refuses a
// set of the wrong shape keeping the earlier one, and distillation trains on
// them; a bad augment string is one clear error. Screenshots of the Distil
// panel (batch preview, both runs' curves, the gain line) go to test-artifacts/.
//
//   node --test tests/web/distill_baseline.test.mjs      (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { png } from './crafted.mjs';
import { decodePng, imageStats } from './png.mjs';
import { ARTIFACTS, fashionFiles, launchBrowser, openPage, startServer } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

// The message a rejected API call gives ('accepted' when it resolves).
const rejection = (page, method, arg) => page.evaluate(([m, a]) => distillery[m](a).then(() => 'accepted', (e) => e.message),
  [method, arg]);

// What the page shows on its first Distil: the Distil panel starts on the quick preset compared with the
// student alone (first_distil_options), and the demo brings its teacher and 4,000 unlabeled images.
test('the first Distil on the demo beats the student alone within a minute', { timeout: 300000 }, async () => {
  const server = await startServer(true);
  const { context, page, log } = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    const status = await page.evaluate(() => distillery.status());
    assert.equal(status.unlabeled.count, 4000, 'the demo loads its unlabeled images');
    const started = Date.now();
    const result = await page.evaluate(() => distillery.distill({ preset: 'quick', baseline: true }));
    const seconds = (Date.now() - started) / 1000;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'demo-gain.json'), JSON.stringify({ seconds, ...result }, null, 2));
    assert.ok(seconds <= 60, `took ${seconds} s`);
    assert.ok(result.gain > 0, result.comparison);
    assert.equal(result.unlabeled, 4000);
    assert.deepEqual(log.errors, [], 'errors on the page');
  } finally {
    await context.close();
    server.stop();
  }
});

test('distill with a baseline, unlabeled images and bad options on the demo', { timeout: 600000 }, async () => {
  const server = await startServer(true);
  const { context, page, log } = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    assert.equal((await page.evaluate(() => distillery.status())).dataset.count, 2500, 'the demo is loaded');
    await page.evaluate(() => distillery.selectPanel('Distil'));

    // A bad augment string: one clear error naming the option, nothing starts.
    const bad = await rejection(page, 'distill', { augment: 'shift:2,blur:3' });
    assert.match(bad, /^distill: augment: unknown item 'blur:3' \(use shift:PIXELS/);
    assert.match(await rejection(page, 'distill', { teacherMode: 'sometimes' }),
      /^distill: unknown teacher mode 'sometimes' \(use consistent or cached\)/);
    assert.match(await rejection(page, 'trainTeacher', { augment: 'flip:2' }),
      /^trainTeacher: augment: 'flip' takes no value/);
    assert.equal((await page.evaluate(() => distillery.status())).state, 'idle');

    // One Distil with the baseline: the distilled student, then the same student alone.
    const result = await page.evaluate(() => distillery.distill({ arch: 'dense:32', epochs: 2, batch: 64, lr: 0.003,
      seed: 1, schedule: 'cosine', augment: 'shift:2,flip,mixup:0.2', baseline: true }));
    assert.equal(typeof result.accuracy, 'number');
    assert.equal(typeof result.baseline_accuracy, 'number');
    assert.equal(typeof result.gain, 'number');
    assert.ok(Math.abs(result.gain - (result.accuracy - result.baseline_accuracy)) < 1e-12, JSON.stringify(result));
    assert.equal(typeof result.kl_to_teacher, 'number');
    assert.match(result.comparison, /^distilled \d+\.\d % vs alone \d+\.\d % \([+-]\d+\.\d points, same seed and schedule\)$/);
    const status = await page.evaluate(() => distillery.status());
    assert.equal(status.comparison.line, result.comparison, 'the panel\'s verdict is the result\'s');
    assert.equal(status.student.method, 'distilled');
    // The line was drawn on the Distil panel in a recent frame.
    await page.waitForTimeout(500);
    const rect = await page.evaluate(() => distillery.call('widgetRect', { name: 'gain line' }));
    assert.ok(rect.width > 100 && rect.height > 5, JSON.stringify(rect));
    // A tall window shows the whole panel: settings, the batch preview, both runs' curves, the verdict.
    await page.setViewportSize({ width: 1400, height: 1500 });
    await page.mouse.move(1390, 10);  // no tooltip over the picture
    await page.waitForTimeout(800);
    const tall = await page.evaluate(() => distillery.call('widgetRect', { name: 'gain line' }));
    assert.ok(tall.y + tall.height < 1500, 'the verdict is on screen');
    const shot = path.join(ARTIFACTS, 'web-distil-baseline.png');
    await page.screenshot({ path: shot });
    const stats = imageStats(decodePng(fs.readFileSync(shot)));
    assert.ok(stats.distinctColors > 200, `only ${stats.distinctColors} colours in the screenshot`);
    const provenance = JSON.parse(await page.evaluate(() => distillery.exportStudent())).provenance;
    assert.equal(provenance.augment, 'shift:2,flip,mixup:0.2');
    assert.equal(provenance.teacher_mode, 'consistent');
    assert.ok(Math.abs(provenance.baseline.gain - result.gain) < 1e-9);

    // Unlabeled images: a tiny PNG set, then a set of the wrong shape (refused, the PNGs stay).
    const pngs = [0, 1, 2].map((i) => ({ path: `extra/${i}.png`, bytes: [...png(28, 28, 60 + 40 * i)] }));
    const loaded = await page.evaluate((f) => distillery.loadUnlabeled(f), pngs);
    assert.equal(loaded.count, 3);
    assert.deepEqual(loaded.shape, [28, 28, 1]);
    const wrong = await rejection(page, 'loadUnlabeled', [{ path: 'wide.png', bytes: [...png(60, 28, 90)] }]);
    assert.match(wrong, /60 x 28 images cannot be brought to the dataset's 28 x 28/);
    assert.equal((await page.evaluate(() => distillery.status())).unlabeled.count, 3, 'the earlier set stays');

    // An IDX images file without labels replaces them; distillation learns from them.
    const [idx] = fashionFiles(50000, 200);
    assert.equal((await page.evaluate((f) => distillery.loadUnlabeled(f), idx)).count, 200);
    await page.evaluate(() => distillery.selectPanel('Data'));
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-data-unlabeled.png') });
    const withUnlabeled = await page.evaluate(() => distillery.distill({ arch: 'dense:32', epochs: 1, seed: 2, lr: 0.003 }));
    assert.equal(withUnlabeled.unlabeled, 200);
    assert.ok(withUnlabeled.accuracy > 0.3, `accuracy ${withUnlabeled.accuracy}`);
    assert.equal(JSON.parse(await page.evaluate(() => distillery.exportStudent())).provenance.unlabeled_images, 200);
    assert.deepEqual(await page.evaluate(() => distillery.clearUnlabeled()), { removed: 200 });
    assert.equal((await page.evaluate(() => distillery.status())).unlabeled, null);

    assert.deepEqual(log.errors, [], 'errors on the page');
  } finally {
    await context.close();
    server.stop();
  }
});
