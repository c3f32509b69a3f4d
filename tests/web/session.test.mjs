// Nothing lost on a reload, in both builds (threaded on a COOP/COEP page,
// single-thread without), with the server's Content-Security-Policy on:
// a Fashion-MNIST upload is distilled; after at least one end-of-epoch
// checkpoint is saved to IndexedDB the page is reloaded mid-training; the
// app offers the saved session; its Restore button (clicked with the mouse in
// one build, restoreSession() in the other) brings back the dataset, teacher
// and settings, and the distillation continues from the checkpoint's epoch to
// the end.
// Downloads are JSON that loads back bit-identically. No request leaves the
// origin and no CSP violation (a console error) happens. A pruning job
// reloaded mid-run continues from its last fine-tuning epoch as well.
//
//   DISTILLERY_SITE=build-web/site node --test tests/web/session.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, fashionFiles, launchBrowser, openPage, sleep, startServer } from './harness.mjs';
import { decodePng, imageStats } from './png.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const EPOCHS = 40;
const DISTILL = { arch: 'conv:8:3,pool:2,dense:32', temperature: 4, alpha: 0.1, epochs: EPOCHS, batch: 32, lr: 0.003, seed: 4 };

async function runReloadFlow({ isolation, build, restoreBy }) {
  const server = await startServer(isolation);
  const origin = new URL(server.url).origin;
  const { context, page, log } = await openPage(browser);
  try {
    const response = await page.goto(server.url);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    await page.evaluate(() => window.distilleryReady);
    assert.equal((await page.evaluate(() => distillery.status())).build, build);
    assert.equal(await page.evaluate(() => distillery.hasSavedSession().then((s) => s && s.training)), null);

    // Another dataset than the demo's, so its return is visible.
    const loaded = await page.evaluate((f) => distillery.loadDataset(f), fashionFiles(20000, 900));
    assert.equal(loaded.count, 900);
    const teacherBefore = await page.evaluate(() => distillery.exportTeacher({ base64: true }));
    const { job } = await page.evaluate((o) => distillery.call('distill', o), DISTILL);
    assert.ok(job > 0);

    // Wait for a checkpoint in IndexedDB while the run goes on.
    let saved = null;
    for (let i = 0; i < 1200 && !(saved && saved.training && saved.training.epoch >= 1); i++) {
      await sleep(250);
      saved = await page.evaluate(() => distillery.hasSavedSession());
    }
    assert.ok(saved && saved.training, 'a training checkpoint was saved');
    const status = await page.evaluate(() => distillery.status());
    assert.equal(status.state, 'running', 'the run is still going when the page reloads');
    assert.equal(saved.training.kind, 'distill');
    assert.equal(saved.training.epochs, EPOCHS);
    assert.ok(saved.dataset, 'the dataset (900 images, 0.7 MB) is kept');
    const savedEpoch = saved.training.epoch;

    // The crash: reload mid-training.
    await page.reload();
    await page.evaluate(() => window.distilleryReady);
    const offered = await page.evaluate(() => distillery.hasSavedSession());
    assert.ok(offered && offered.training, 'the saved session survived the reload');
    assert.ok(offered.training.epoch >= savedEpoch);
    assert.match(offered.time, /^\d\d:\d\d$/);
    assert.match(offered.summary, /900 images/);
    assert.equal((await page.evaluate(() => distillery.status())).dataset.count, 2500, 'the demo loads as usual first');
    await sleep(300);  // a frame or two with the question
    const bannerShot = path.join(ARTIFACTS, `session-${build}-restore-offer.png`);
    await page.screenshot({ path: bannerShot });
    assert.ok(imageStats(decodePng(fs.readFileSync(bannerShot))).distinctColors > 20, 'the page is drawn');

    // Restore: as a user does in the threaded build (a mouse click on the banner's
    // Restore button, where the app drew it), through the JS API in the other.
    // Dataset, teacher and settings come back and the run continues.
    let restored;
    if (restoreBy === 'click') {
      const button = await page.evaluate(() => distillery.call('widgetRect', { name: 'Restore' }));
      await page.mouse.click(button.x + button.width / 2, button.y + button.height / 2);
      let status = null;
      for (let i = 0; i < 600 && !(status && status.dataset?.count === 900 && status.job); i++) {
        await sleep(50);
        status = await page.evaluate(() => distillery.status());
      }
      restored = { job: status.job, training: offered.training };
    } else {
      restored = await page.evaluate(() => distillery.restoreSession());
      assert.equal(restored.training.epoch, offered.training.epoch);
    }
    assert.equal(restored.training.kind, 'distill');
    assert.ok(restored.job > 0, 'the training run continues as a job');
    const afterRestore = await page.evaluate(() => distillery.status());
    assert.equal(afterRestore.dataset.count, 900);
    assert.equal(afterRestore.dataset.source, 'fashion-images-idx3-ubyte.gz');
    assert.equal(await page.evaluate(() => distillery.exportTeacher({ base64: true })), teacherBefore,
      'the teacher is back, bit for bit');
    const firstProgress = await page.evaluate(async (jobId) => {
      for (;;) {
        const s = distillery.call('jobStatus', { job: jobId });
        if (s.done || (s.progress && s.progress.phase === 'training')) return s.done ? { done: true } : s.progress;
        await new Promise((r) => setTimeout(r, 20));
      }
    }, restored.job);
    assert.ok(firstProgress.epoch >= restored.training.epoch, `training continued at epoch ${firstProgress.epoch}`);
    const finished = await page.evaluate((jobId) => distillery.waitForJob(jobId), restored.job);
    assert.equal(finished.resumed_from_epoch, restored.training.epoch);
    assert.equal(finished.epochs, EPOCHS, 'every epoch is in the history: earlier ones from the checkpoint');
    assert.equal(finished.stopped, false);
    assert.ok(finished.accuracy > 0.5, `the resumed student learned (${finished.accuracy})`);
    const done = await page.evaluate(() => distillery.status());
    assert.equal(done.student.arch, DISTILL.arch);
    await page.screenshot({ path: path.join(ARTIFACTS, `session-${build}-resumed.png`) });

    // The finished session is saved too (no checkpoint left), and Discard forgets it.
    let latest = null;
    for (let i = 0; i < 40 && !(latest && latest.summary.includes('student') && !latest.training); i++) {
      await sleep(250);
      latest = await page.evaluate(() => distillery.hasSavedSession());
    }
    assert.ok(latest && !latest.training && latest.summary.includes('student'), JSON.stringify(latest));

    // Downloads are JSON that loads back bit-identically: the plain-number file read as a teacher
    // exports the same base64 weights as the student.
    const studentText = await page.evaluate(() => distillery.exportStudent());
    const studentJson = JSON.parse(studentText);
    assert.equal(studentJson.format, 'distillery-model');
    const exact = await page.evaluate(() => distillery.exportStudent({ base64: true }));
    await page.evaluate((t) => distillery.loadTeacher(t, 'student.json'), studentText);
    const reloaded = JSON.parse(await page.evaluate(() => distillery.exportTeacher({ base64: true })));
    assert.deepEqual(reloaded.layers, JSON.parse(exact).layers);

    await page.evaluate(() => distillery.discardSession());
    // The discarded session stays gone until something changes again (autosave is back on).
    const afterDiscard = await page.evaluate(() => distillery.hasSavedSession());
    assert.ok(afterDiscard === null || !afterDiscard.training);

    assert.deepEqual(log.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')), [],
      'nothing is fetched from anywhere else');
    assert.deepEqual(log.errors, [], 'no console errors (CSP violations would be)');
  } finally {
    await context.close();
    server.stop();
  }
}

test('threaded build: a reload mid-distillation, a click on Restore, resumes from the last epoch checkpoint', { timeout: 900000 }, () =>
  runReloadFlow({ isolation: true, build: 'mt', restoreBy: 'click' }));

test('single-thread build: a reload mid-distillation resumes from the last epoch checkpoint', { timeout: 900000 }, () =>
  runReloadFlow({ isolation: false, build: 'st', restoreBy: 'api' }));

// A pruning job is saved and resumed the same way: the demo teacher is pruned
// in two rounds with distillation while fine-tuning; the page reloads after a
// fine-tuning epoch was saved, and the restored job continues from it.
const PRUNE = { method: 'global', sparsity: 0.8, schedule: 'iterative', rounds: 2, finetuneEpochs: 30, useTeacher: true,
  batch: 16, lr: 0.001, seed: 2 };

test('threaded build: a reload mid-pruning resumes the pruning job from its last fine-tuning epoch', { timeout: 600000 }, async () => {
  const server = await startServer(true);
  const { context, page, log } = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    const { job } = await page.evaluate((o) => distillery.call('prune', o), PRUNE);
    let saved = null;
    for (let i = 0; i < 1200 && !(saved && saved.training && saved.training.epoch >= 2); i++) {
      await sleep(250);
      saved = await page.evaluate(() => distillery.hasSavedSession());
    }
    assert.ok(saved && saved.training, 'a pruning resume point was saved');
    assert.equal((await page.evaluate(() => distillery.status())).state, 'running', 'the job is still going');
    assert.equal(saved.training.kind, 'prune');
    assert.equal(saved.training.epochs, PRUNE.rounds * PRUNE.finetuneEpochs);
    assert.match(saved.summary, /pruning at epoch \d+ of 60/);
    assert.ok(job > 0);

    await page.reload();
    await page.evaluate(() => window.distilleryReady);
    const restored = await page.evaluate(() => distillery.restoreSession());
    assert.equal(restored.training.kind, 'prune');
    assert.ok(restored.training.epoch >= saved.training.epoch);
    assert.ok(restored.job > 0, 'the pruning job continues');
    const finished = await page.evaluate((id) => distillery.waitForJob(id), restored.job);
    assert.equal(finished.resumed_from_epoch, restored.training.epoch);
    assert.equal(finished.stopped, false);
    assert.ok(Math.abs(finished.sparsity - PRUNE.sparsity) < 0.01, `sparsity ${finished.sparsity}`);
    assert.ok(finished.accuracy > 0.6, `the pruned model still classifies (${finished.accuracy})`);
    assert.ok(finished.nonzero_params < 0.25 * finished.params);
    await page.screenshot({ path: path.join(ARTIFACTS, 'session-mt-prune-resumed.png') });
    assert.deepEqual(log.errors, [], 'no console errors');
  } finally {
    await context.close();
    server.stop();
  }
});
