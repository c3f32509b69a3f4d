// TensorFlow.js models in and out of the web app, checked against the real
// TensorFlow.js (npm @tensorflow/tfjs, cpu backend) in Node:
//   - a small CNN trained and saved by TF.js (model.json + 2 shards) is picked
//     with the Teacher panel's file input and loaded through the API; the page
//     predicts what TF.js predicts (max abs difference <= 1e-4)
//   - a missing shard is refused with a message and the teacher stays
//   - a student distilled from it is exported as TF.js (two files and a ZIP);
//     tf.loadLayersModel reads the files and predicts what the page predicts
//   - the ZIP dropped on the page becomes the teacher; the Export panel's
//     TF.js download names the file after the student
//   - the student exported as ONNX, picked in the Teacher panel's file input, becomes the teacher and
//     predicts alike
// Screenshots of the Teacher and Export panels go to test-artifacts/.
//
//   node --test tests/web/          (after scripts/build-web.sh and npm install)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { decodePng, imageStats } from './png.mjs';
import { startServer } from './harness.mjs';

const require = createRequire(import.meta.url);
const { tf, initTf, writePng, saveTfjsModel, loadTfjsModel, tfjsPredict, maxAbsDiff } = require('../tfjs/support.cjs');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = process.env.DISTILLERY_SITE || path.join(ROOT, 'build-web', 'site');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const CHROMIUM_ARGS = ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOLERANCE = 1e-4;

// --- helpers ---------------------------------------------------------------------------------

/** Fashion-MNIST test images [start, start + count) as {pixels, label}. */
function fashionImages(start, count) {
  const images = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, 't10k-images-idx3-ubyte.gz')));
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, 't10k-labels-idx1-ubyte.gz')));
  return Array.from({ length: count }, (_, i) => ({
    pixels: [...images.subarray(16 + (start + i) * 784, 16 + (start + i + 1) * 784)],
    label: labels[8 + start + i],
  }));
}

/** A small CNN (both poolings, dropout) trained for a moment by TF.js, with fixed initial weights. */
async function trainTfjsTeacher() {
  const seeded = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: 0.2 }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(2) }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = fashionImages(0, 1500);
  const xs = tf.tensor(train.flatMap((s) => s.pixels.map((p) => p / 255)), [train.length, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(train.map((s) => s.label), 'int32'), 10);
  await model.fit(xs, ys, { epochs: 3, batchSize: 50, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
  return model;
}

/** The page's probabilities by class index for PNG bytes ('student' or 'teacher'). */
function pagePredict(page, png, model) {
  return page.evaluate(async ({ bytes, model }) => {
    const scores = await distillery.predict(bytes, { model });
    const out = new Array(scores.length);
    for (const s of scores) out[s.index] = s.probability;
    return out;
  }, { bytes: [...png], model });
}

let browser, work, teacherModel, samples;
before(async () => {
  assert.ok(fs.existsSync(path.join(SITE, 'index.html')), 'build the site first: scripts/build-web.sh');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await initTf();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-tfjs-ui-'));
  teacherModel = await trainTfjsTeacher();
  fs.mkdirSync(path.join(work, 'teacher'));
  await saveTfjsModel(teacherModel, path.join(work, 'teacher'), 2);
  // Held-out images as PNGs: what a user would drop on the Predict panel.
  samples = fashionImages(5000, 8).map((s, i) => {
    const file = path.join(work, `sample${i}.png`);
    writePng(file, s.pixels, 28, 28, 1);
    return { ...s, png: fs.readFileSync(file) };
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
});
after(async () => {
  if (browser) await browser.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// --- the flow ---------------------------------------------------------------------------------

test('a TF.js teacher in, a distilled student out as TF.js, predictions equal to TensorFlow.js', { timeout: 600000 }, async () => {
  const server = await startServer(true);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    const demo = await page.evaluate(() => distillery.status());
    assert.equal(demo.dataset.count, 2500, 'the demo Fashion-MNIST subset is loaded');
    const teacherDir = path.join(work, 'teacher');
    const shardNames = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];

    // 1. The Teacher panel's file input, several files picked at once.
    await page.evaluate(() => distillery.selectPanel('Teacher'));
    await page.setInputFiles('#pick-teacher', ['model.json', ...shardNames].map((n) => path.join(teacherDir, n)));
    await page.waitForFunction(() => (distillery.status().teacher || {}).source === 'model.json + 2 weight files (TF.js)');
    let status = await page.evaluate(() => distillery.status());
    assert.equal(status.teacher.params, teacherModel.countParams());
    assert.equal(status.error, null);
    await page.waitForTimeout(500);
    const teacherShot = path.join(ARTIFACTS, 'web-tfjs-teacher.png');
    await page.screenshot({ path: teacherShot });

    // The page predicts what TF.js predicts, on images neither saw.
    const tfjsProbabilities = tfjsPredict(teacherModel, samples, [28, 28, 1]);
    for (let i = 0; i < samples.length; i++) {
      const diff = maxAbsDiff([await pagePredict(page, samples[i].png, 'teacher')], [tfjsProbabilities[i]]);
      assert.ok(diff <= TOLERANCE, `sample ${i}: the imported teacher differs from TF.js by ${diff}`);
    }

    // 2. A missing shard is refused with a message; the teacher stays.
    const missing = await page.evaluate((files) => distillery.loadTeacherFiles(files).then(() => 'accepted', (e) => e.message),
      [{ path: 'model.json', bytes: [...fs.readFileSync(path.join(teacherDir, 'model.json'))] },
        { path: shardNames[0], bytes: [...fs.readFileSync(path.join(teacherDir, shardNames[0]))] }]);
    assert.match(missing, /needs the weight file 'group1-shard2of2\.bin'/);
    status = await page.evaluate(() => distillery.status());
    assert.match(status.error, /group1-shard2of2\.bin/, 'the UI shows the error');
    assert.equal(status.teacher.source, 'model.json + 2 weight files (TF.js)');

    // 3. Through the API: the same files; class names come from the dataset (the counts match).
    const loaded = await page.evaluate((files) => distillery.loadTeacherFiles(files),
      ['model.json', ...shardNames].map((n) => ({ path: n, bytes: [...fs.readFileSync(path.join(teacherDir, n))] })));
    assert.equal(loaded.format, 'tfjs');
    assert.deepEqual(loaded.classes, demo.dataset.classes);
    assert.ok(Math.abs(loaded.inputScale - 1 / 255) < 1e-9);

    // 4. Distil a student from it and export the student as TF.js.
    const distilled = await page.evaluate(() => distillery.distill({ arch: 'dense:32', temperature: 4, alpha: 0.1, epochs: 2, batch: 64, lr: 0.003, seed: 1 }));
    assert.ok(distilled.agreement > 0.6, `agreement with the TF.js teacher ${distilled.agreement}`);
    const exported = await page.evaluate(async () => {
      const r = await distillery.exportStudentTfjs();
      return { modelJson: r.modelJson, weightsBin: [...r.weightsBin], fileNames: r.fileNames };
    });
    assert.match(exported.fileNames[0], /^student-dense32-distilled-T4-a0\.1-acc0\.\d{3}\.model\.json$/);
    assert.equal(exported.fileNames[1], exported.fileNames[0].replace(/\.model\.json$/, '.weights.bin'));
    const studentDir = path.join(work, 'student');
    fs.mkdirSync(studentDir);
    fs.writeFileSync(path.join(studentDir, exported.fileNames[0]), exported.modelJson);
    fs.writeFileSync(path.join(studentDir, exported.fileNames[1]), Buffer.from(exported.weightsBin));
    const { model: student, json } = await loadTfjsModel(path.join(studentDir, exported.fileNames[0]));
    assert.equal(student.countParams(), distilled.params);
    const scale = json.userDefinedMetadata.distillery.preprocessing.scale;
    const studentProbabilities = tfjsPredict(student, samples, [28, 28, 1], { scale });
    for (let i = 0; i < samples.length; i++) {
      const diff = maxAbsDiff([await pagePredict(page, samples[i].png, 'student')], [studentProbabilities[i]]);
      assert.ok(diff <= TOLERANCE, `sample ${i}: TF.js on the exported student differs from the page by ${diff}`);
    }

    // 5. The ZIP export, dropped back on the page, becomes the teacher and predicts as the student did.
    const zip = await page.evaluate(async () => {
      const r = await distillery.exportStudentTfjs({ zip: true });
      return { bytes: [...r.zip], fileName: r.fileName };
    });
    assert.equal(zip.fileName, exported.fileNames[0].replace(/\.model\.json$/, '-tfjs.zip'));
    await page.evaluate(({ bytes, name }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/zip' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, { bytes: zip.bytes, name: zip.fileName });
    await page.waitForFunction((name) => (distillery.status().teacher || {}).source === `${name} (TF.js)`, zip.fileName);
    status = await page.evaluate(() => distillery.status());
    assert.equal(status.panel, 'Teacher', 'a dropped model shows on the Teacher panel');
    assert.equal(status.teacher.params, distilled.params);
    const viaZip = await pagePredict(page, samples[0].png, 'teacher');
    assert.ok(maxAbsDiff([viaZip], [studentProbabilities[0]]) <= TOLERANCE);

    // 6. The Export panel's TF.js download: a ZIP named after the student.
    await page.evaluate(() => distillery.selectPanel('Export'));
    const downloadEvent = page.waitForEvent('download');
    const names = await page.evaluate(() => distillery.download({ format: 'tfjs-zip' }));
    const download = await downloadEvent;
    assert.deepEqual(names, [zip.fileName]);
    assert.equal(download.suggestedFilename(), zip.fileName);
    assert.deepEqual([...fs.readFileSync(await download.path())], zip.bytes);
    await page.waitForTimeout(500);
    const exportShot = path.join(ARTIFACTS, 'web-tfjs-export.png');
    await page.screenshot({ path: exportShot });

    // 7. The student as ONNX, picked in the Teacher panel's file input as a user would: it becomes the
    // teacher and predicts as the student did.
    const onnx = await page.evaluate(async () => {
      const r = await distillery.exportStudentOnnx();
      return { bytes: [...r.bytes], fileName: r.fileName };
    });
    assert.equal(onnx.fileName, exported.fileNames[0].replace(/\.model\.json$/, '.onnx'));
    await page.evaluate(() => distillery.selectPanel('Teacher'));
    await page.setInputFiles('#pick-teacher', { name: onnx.fileName, mimeType: 'application/octet-stream',
                                                 buffer: Buffer.from(onnx.bytes) });
    await page.waitForFunction((source) => (distillery.status().teacher || {}).source === source,
                               `${onnx.fileName} (ONNX)`);
    const onnxTeacher = (await page.evaluate(() => distillery.status())).teacher;
    assert.equal(onnxTeacher.params, distilled.params);
    const viaOnnx = await pagePredict(page, samples[0].png, 'teacher');
    assert.ok(maxAbsDiff([viaOnnx], [studentProbabilities[0]]) <= TOLERANCE, 'the ONNX round trip changed the model');

    for (const shot of [teacherShot, exportShot]) {
      const stats = imageStats(decodePng(fs.readFileSync(shot)));
      assert.ok(stats.distinctColors > 200, `${path.basename(shot)}: only ${stats.distinctColors} colours`);
    }
    assert.deepEqual(errors, [], 'errors on the page');
  } finally {
    await context.close();
    server.stop();
  }
});
