// Browser end-to-end test of the web app: Debian's Chromium (SwiftShader
// WebGL2) driven by playwright-core through the app's JavaScript API.
//   - the threaded build on a cross-origin isolated page (COOP/COEP)
//   - the single-thread build on a page without those headers
// Each run loads a Fashion-MNIST upload, distils, prunes, evaluates, exports,
// and checks the exported student in the native CLI on the same held-out
// images; a screenshot is kept in test-artifacts/ and must not be blank; no
// request may leave the page's origin.
//
//   node --test tests/web/          (after scripts/build-web.sh and a native build with the CLI)
//   DISTILLERY_CLI=path/to/distillery  to choose the CLI (default build/distillery)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { decodePng, imageStats } from './png.mjs';
import { startServer } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = process.env.DISTILLERY_SITE || path.join(ROOT, 'build-web', 'site');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const CLI = process.env.DISTILLERY_CLI || [path.join(ROOT, 'build', 'distillery'), path.join(ROOT, 'build-app', 'distillery')]
  .find((p) => fs.existsSync(p));
const CHROMIUM_ARGS = ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// --- helpers ---------------------------------------------------------------------------------

function readIdx(name) {
  return zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, name)));
}

/** IDX images + labels for samples [start, start + count) of Fashion-MNIST's training set. */
function fashionSubset(start, count) {
  const images = readIdx('train-images-idx3-ubyte.gz'), labels = readIdx('train-labels-idx1-ubyte.gz');
  return pickIdx(images, labels, Array.from({ length: count }, (_, i) => start + i));
}

/** IDX buffers holding the chosen samples of an images/labels pair, in that order. */
function pickIdx(images, labels, indices) {
  const rows = images.readUInt32BE(8), cols = images.readUInt32BE(12), size = rows * cols;
  const outImages = Buffer.alloc(16 + indices.length * size), outLabels = Buffer.alloc(8 + indices.length);
  outImages.writeUInt32BE(0x803, 0); outImages.writeUInt32BE(indices.length, 4);
  outImages.writeUInt32BE(rows, 8); outImages.writeUInt32BE(cols, 12);
  outLabels.writeUInt32BE(0x801, 0); outLabels.writeUInt32BE(indices.length, 4);
  indices.forEach((index, i) => {
    images.copy(outImages, 16 + i * size, 16 + index * size, 16 + (index + 1) * size);
    outLabels[8 + i] = labels[8 + index];
  });
  return { images: outImages, labels: outLabels };
}

let browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(SITE, 'index.html')), 'build the site first: scripts/build-web.sh');
  assert.ok(CLI, 'the native CLI is needed to check the exported student (build/distillery)');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
});
after(async () => { if (browser) await browser.close(); });

// --- the flow ---------------------------------------------------------------------------------

async function runFlow({ isolation, build }) {
  const server = await startServer(isolation);
  const origin = new URL(server.url).origin;
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const requests = [], errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); }));
  const metrics = { build };
  try {
    const navigationStart = Date.now();
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    metrics.readyMs = Date.now() - navigationStart;
    metrics.firstFrameMs = await page.evaluate(() => {
      const mark = performance.getEntriesByName('distillery-first-frame')[0];
      return mark ? Math.round(mark.startTime) : null;
    });

    // The right build for the page's isolation, and the demo loaded.
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), isolation);
    let status = await page.evaluate(() => distillery.status());
    assert.equal(status.threaded, isolation);
    assert.equal(status.build, build);
    assert.equal(status.simd, true);
    assert.ok(status.reason.length > 10, 'the page says why this build runs');
    assert.equal(status.dataset.count, 2500, 'the demo dataset is loaded');
    assert.ok(status.teacher && status.teacher.params > 100000, 'the demo teacher is loaded');

    // A corrupt upload is refused with a message; the demo data stays.
    const corrupt = await page.evaluate(() => distillery.loadDataset({ path: 'broken.zip', bytes: [80, 75, 3, 4, 1, 2] })
      .then(() => 'accepted', (e) => e.message));
    assert.match(corrupt, /broken\.zip/);
    status = await page.evaluate(() => distillery.status());
    assert.equal(status.dataset.count, 2500);
    assert.match(status.error, /broken\.zip/, 'the UI shows the error');

    // Upload 3,000 other Fashion-MNIST images (IDX, gzip) through the API.
    const upload = fashionSubset(30000, 3000);
    const files = [
      { path: 'fashion-e2e-images-idx3-ubyte.gz', bytes: [...zlib.gzipSync(upload.images)] },
      { path: 'fashion-e2e-labels-idx1-ubyte.gz', bytes: [...zlib.gzipSync(upload.labels)] },
    ];
    const loaded = await page.evaluate((f) => distillery.loadDataset(f), files);
    assert.equal(loaded.count, 3000);
    assert.equal(loaded.classes.length, 10);
    assert.equal(loaded.classes[0], 'T-shirt/top');

    // Distil for two epochs, watching the UI keep drawing meanwhile.
    await page.evaluate(() => distillery.selectPanel('Distil'));
    const framesBefore = (await page.evaluate(() => distillery.status())).frames;
    const t0 = Date.now();
    const distilled = await page.evaluate(() => distillery.distill({ arch: 'dense:32', temperature: 4, alpha: 0.1, epochs: 2, batch: 64, lr: 0.003, seed: 1 }));
    const seconds = (Date.now() - t0) / 1000;
    status = await page.evaluate(() => distillery.status());
    metrics.distillSeconds = seconds;
    metrics.framesPerSecondWhileTraining = (status.frames - framesBefore) / seconds;
    assert.equal(distilled.epochs, 2);
    assert.ok(distilled.accuracy > 0.65, `distilled accuracy ${distilled.accuracy}`);  // 10 % is chance
    assert.ok(distilled.agreement > 0.65, `agreement ${distilled.agreement}`);
    assert.equal(status.state, 'idle');
    assert.equal(status.epoch, 2);
    await page.waitForTimeout(800);  // let the curves settle on screen
    const screenshotPath = path.join(ARTIFACTS, `web-${build}-distil.png`);
    await page.screenshot({ path: screenshotPath });

    // Prune the student (global magnitude, half the weights) with a fine-tuning epoch.
    const pruned = await page.evaluate(() => distillery.prune({ method: 'global', sparsity: 0.5, finetuneEpochs: 1, useTeacher: true }));
    assert.ok(Math.abs(pruned.sparsity - 0.5) < 0.01, `sparsity ${pruned.sparsity}`);
    assert.ok(pruned.nonzero_params < 0.6 * pruned.params);

    const evaluation = await page.evaluate(() => distillery.evaluate());
    assert.equal(typeof evaluation.accuracy, 'number');
    assert.ok(evaluation.accuracy > 0.6, `accuracy ${evaluation.accuracy}`);
    assert.ok(evaluation.agreement > 0.6, `agreement ${evaluation.agreement}`);
    assert.equal(evaluation.nonzero_params, pruned.nonzero_params);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ARTIFACTS, `web-${build}-evaluate.png`) });

    // Predict with an image (the screenshot itself, resized by the app to 28x28).
    const prediction = await page.evaluate((bytes) => distillery.predict(bytes), [...fs.readFileSync(screenshotPath)]);
    assert.equal(prediction.length, 10);
    assert.ok(Math.abs(prediction.reduce((s, p) => s + p.probability, 0) - 1) < 1e-3);

    // The exported student gives the same accuracy in the native CLI on the same held-out images.
    const studentText = await page.evaluate(() => distillery.exportStudent());
    const fileName = await page.evaluate(() => distillery.studentFileName());
    assert.match(fileName, /^student-dense32-distilled-T4-a0\.1-pruned50-acc0\.\d{3}\.json$/);
    const split = await page.evaluate(() => distillery.split());
    assert.equal(split.test.length, evaluation.samples);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-e2e-'));
    const studentPath = path.join(work, fileName);
    fs.writeFileSync(studentPath, studentText);
    fs.copyFileSync(studentPath, path.join(ARTIFACTS, `web-${build}-${fileName}`));
    const heldOut = pickIdx(upload.images, upload.labels, split.test);
    fs.writeFileSync(path.join(work, 'fashion-heldout-images-idx3-ubyte'), heldOut.images);
    fs.writeFileSync(path.join(work, 'fashion-heldout-labels-idx1-ubyte'), heldOut.labels);
    const cli = JSON.parse(execFileSync(CLI, ['eval', '--model', studentPath, '--json',
      '--data', path.join(work, 'fashion-heldout-images-idx3-ubyte'),
      '--labels', path.join(work, 'fashion-heldout-labels-idx1-ubyte')], { encoding: 'utf8' }));
    metrics.appAccuracy = evaluation.accuracy;
    metrics.cliAccuracy = cli.accuracy;
    assert.equal(cli.nonzero_params, evaluation.nonzero_params);
    assert.equal(cli.accuracy, evaluation.accuracy, 'the CLI measures the exported student as the app did');
    fs.rmSync(work, { recursive: true, force: true });

    // The page's own upload and download paths: the file picker, a drop on the page, a Blob download.
    const downloadEvent = page.waitForEvent('download');
    assert.equal(await page.evaluate(() => distillery.downloadStudent()), fileName);
    const download = await downloadEvent;
    assert.equal(download.suggestedFilename(), fileName);
    const downloadedText = fs.readFileSync(await download.path(), 'utf8');
    assert.equal(downloadedText, studentText);
    await page.setInputFiles('#pick-teacher', { name: 'picked-teacher.json', mimeType: 'application/json', buffer: Buffer.from(studentText) });
    await page.waitForFunction(() => distillery.status().teacher.source === 'picked-teacher.json');
    await page.evaluate(async (bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, [...fs.readFileSync(screenshotPath)]);
    await page.waitForFunction(() => distillery.status().predictedImages === 1);
    assert.equal((await page.evaluate(() => distillery.status())).panel, 'Predict', 'a dropped image is predicted');
    await page.screenshot({ path: path.join(ARTIFACTS, `web-${build}-predict.png`) });

    // A longer run to watch: the UI keeps drawing while it trains, pause holds it, stop ends it
    // early and keeps what was learned (here a CNN teacher, so the old teacher is replaced).
    await page.evaluate(() => distillery.selectPanel('Teacher'));
    const idleFrames = (await page.evaluate(() => distillery.status())).frames;
    await page.waitForTimeout(2000);
    metrics.framesPerSecondIdle = ((await page.evaluate(() => distillery.status())).frames - idleFrames) / 2;
    await page.evaluate(() => { window.longRun = distillery.trainTeacher({ arch: 'conv:8:3,pool:2,conv:16:3,pool:2,dense:32', epochs: 50, seed: 2 }); });
    await page.waitForTimeout(500);
    const before = await page.evaluate(() => distillery.status());
    await page.waitForTimeout(4000);
    const during = await page.evaluate(() => distillery.status());
    assert.equal(during.state, 'running');
    assert.equal(during.task, 'Training teacher');
    metrics.framesPerSecondWhileTrainingCnn = (during.frames - before.frames) / 4;
    await page.screenshot({ path: path.join(ARTIFACTS, `web-${build}-training.png`) });
    await page.evaluate(() => distillery.pause());
    await page.waitForTimeout(300);
    const paused = await page.evaluate(() => distillery.status());
    assert.equal(paused.state, 'paused');
    await page.waitForTimeout(700);
    assert.equal((await page.evaluate(() => distillery.status())).progress, paused.progress, 'no progress while paused');
    await page.evaluate(() => { distillery.resume(); distillery.stop(); });
    const stopped = await page.evaluate(() => window.longRun);
    assert.equal(stopped.stopped, true);
    assert.ok(stopped.epochs < 50);
    status = await page.evaluate(() => distillery.status());
    assert.equal(status.state, 'idle');
    assert.match(status.teacher.arch, /^conv:8:3/);

    // The screenshot shows the app, not a blank canvas.
    const stats = imageStats(decodePng(fs.readFileSync(screenshotPath)));
    assert.ok(stats.distinctColors > 200, `only ${stats.distinctColors} colours in the screenshot`);
    assert.ok(stats.nonBackgroundShare > 0.2, `mostly background (${stats.nonBackgroundShare})`);

    // Nothing left the origin, and nothing failed on the page.
    const foreign = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'requests outside the origin');
    assert.deepEqual(errors, [], 'errors on the page');
    metrics.requests = requests.length;
    // What the page downloaded, by kind (sizes of the served files).
    metrics.downloadedBytes = { js: 0, wasm: 0, html: 0, assets: 0 };
    for (const url of new Set(requests)) {
      let pathname = decodeURIComponent(new URL(url).pathname);
      if (pathname.endsWith('/')) pathname += 'index.html';
      const file = path.join(SITE, pathname);
      if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) continue;
      const kind = file.includes(`${path.sep}assets${path.sep}`) ? 'assets' : file.endsWith('.wasm') ? 'wasm'
        : file.endsWith('.js') ? 'js' : 'html';
      metrics.downloadedBytes[kind] += fs.statSync(file).size;
    }
    fs.writeFileSync(path.join(ARTIFACTS, `web-${build}-metrics.json`), JSON.stringify(metrics, null, 2));
  } finally {
    await context.close();
    server.stop();
  }
}

test('threaded build on a cross-origin isolated page: distil, prune, evaluate, export', { timeout: 600000 },
  () => runFlow({ isolation: true, build: 'mt' }));

test('single-thread build on a page without COOP/COEP: the same flow', { timeout: 600000 },
  () => runFlow({ isolation: false, build: 'st' }));

test('the canvas fills the window and follows resizes and the device pixel ratio', { timeout: 120000 }, async () => {
  const server = await startServer(true);
  const context = await browser.newContext({ viewport: { width: 900, height: 600 }, deviceScaleFactor: 2 });
  try {
    const page = await context.newPage();
    await page.goto(server.url + '?demo=0');
    await page.evaluate(() => window.distilleryReady);
    const size = () => page.evaluate(() => {
      const c = document.getElementById('canvas');
      return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight, frames: distillery.status().frames };
    });
    const waitForSize = async (width, height) => {
      for (let i = 0; i < 100; i++) {
        const s = await size();
        if (s.width === width && s.height === height) return s;
        await page.waitForTimeout(50);
      }
      return size();
    };
    let s = await waitForSize(1800, 1200);
    assert.deepEqual([s.width, s.height, s.cssWidth, s.cssHeight], [1800, 1200, 900, 600], 'backing store = CSS size x devicePixelRatio');
    await page.setViewportSize({ width: 1100, height: 700 });
    s = await waitForSize(2200, 1400);
    assert.deepEqual([s.width, s.height], [2200, 1400], 'follows a resize');
    const frames = s.frames;
    await page.waitForTimeout(500);
    assert.ok((await size()).frames > frames, 'keeps drawing after the resize');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-hidpi.png') });
    const stats = imageStats(decodePng(fs.readFileSync(path.join(ARTIFACTS, 'web-hidpi.png'))));
    assert.ok(stats.distinctColors > 200, `only ${stats.distinctColors} colours at 2x`);
  } finally {
    await context.close();
    server.stop();
  }
});
