// The Quantize step in the browser (threaded build, the demo): the demo's
// distilled student is quantized to int8 through the JS API, and the figures
// the Quantize and Evaluate panels show are there and sane: accuracy close to
// the float student's, agreement with it, a file several times smaller, and
// ms per image from the int8 kernels; Evaluate measures the same accuracy
// again; the quantized file exports; a calibration size of 0 is one clear
// error and the quantized model stays. Screenshots of the Quantize and
// Evaluate panels go to test-artifacts/.
//
//   node --test tests/web/quantize.test.mjs      (after scripts/build-web.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodePng, imageStats } from './png.mjs';
import { ARTIFACTS, launchBrowser, openPage, startServer } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

async function screenshot(page, name) {
  const shot = path.join(ARTIFACTS, name);
  await page.screenshot({ path: shot });
  const stats = imageStats(decodePng(fs.readFileSync(shot)));
  assert.ok(stats.distinctColors > 200, `only ${stats.distinctColors} colours in ${name}`);
}

test('the demo student quantized to int8 in the page: figures, evaluation, export, a bad input', { timeout: 300000 }, async () => {
  const server = await startServer(true);
  const { context, page, log } = await openPage(browser);
  try {
    await page.goto(server.url);
    await page.evaluate(() => window.distilleryReady);
    const distilled = await page.evaluate(() => distillery.distill({ arch: 'dense:32', epochs: 2, teacherMode: 'cached' }));
    assert.ok(distilled.accuracy > 0.6, `distilled to ${distilled.accuracy}`);

    const q = await page.evaluate(() => distillery.quantize({ mode: 'int8', calibration: 300 }));
    const testCount = (await page.evaluate(() => distillery.split())).test.length;
    assert.equal(q.mode, 'int8');
    assert.equal(q.model, 'student');
    assert.equal(q.calibration_samples, 300);
    assert.equal(q.calibration_method, 'minmax');
    assert.equal(q.samples, testCount);
    assert.equal(q.float_accuracy, distilled.accuracy, 'the float student on the same test split');
    assert.ok(Math.abs(q.accuracy - q.float_accuracy) <= 0.02, `int8 ${q.accuracy} vs float ${q.float_accuracy}`);
    assert.ok(q.agreement >= 0.95, `agreement ${q.agreement}`);
    assert.ok(q.file_bytes * 3 < q.float_file_bytes, `file ${q.file_bytes} vs float ${q.float_file_bytes}`);
    assert.ok(q.weight_bytes * 3.5 < q.float32_weight_bytes, `weights ${q.weight_bytes} vs ${q.float32_weight_bytes}`);
    for (const ms of [q.ms_per_sample, q.float_ms_per_sample]) assert.ok(ms > 0 && ms < 50, `${ms} ms per image`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'web-quantize.json'), JSON.stringify(q, null, 2));
    assert.equal((await page.evaluate(() => distillery.status())).quantized.mode, 'int8');
    await page.evaluate(() => distillery.selectPanel('Quantize'));
    await screenshot(page, 'web-quantize-panel.png');

    // Evaluate measures it beside teacher and student: the int8 forward is exact integer arithmetic, so the same.
    const e = await page.evaluate(() => distillery.evaluate());
    assert.equal(e.quantized.accuracy, q.accuracy);
    assert.equal(e.quantized.agreement, q.agreement);
    assert.deepEqual((await page.evaluate(() => distillery.lastEvaluation())).quantized.accuracy, q.accuracy);
    await page.evaluate(() => distillery.selectPanel('Evaluate'));
    await screenshot(page, 'web-quantize-evaluate.png');

    // The export is the quantized model file (version 2), named after the student and the mode.
    const exported = await page.evaluate(() => distillery.exportQuantized());
    assert.match(exported.fileName, /^student-dense32-distilled-.*-int8\.json$/);
    const file = JSON.parse(exported.text);
    assert.equal(file.version, 2);
    assert.equal(file.quantization.mode, 'int8');
    assert.equal(exported.text.length, q.file_bytes);
    // And as ONNX in QDQ form: int8 weights, a fraction of the float student's ONNX file.
    const sizes = await page.evaluate(async () => {
      const quantized = await distillery.exportQuantizedOnnx();
      const float = await distillery.exportStudentOnnx();
      return { name: quantized.fileName, quantized: quantized.bytes.length, float: float.bytes.length };
    });
    assert.equal(sizes.name, exported.fileName.replace(/\.json$/, '.onnx'));
    assert.ok(sizes.float / sizes.quantized > 2.5, `ONNX ${sizes.quantized} bytes quantized, ${sizes.float} float`);
    const downloaded = await page.evaluate(() => distillery.downloadQuantized({ format: 'onnx' }));
    assert.equal(downloaded, sizes.name);
    await page.evaluate(() => distillery.selectPanel('Export'));
    await screenshot(page, 'web-quantize-export.png');
    const tfjs = await page.evaluate(() => distillery.downloadQuantized({ format: 'tfjs-zip' }).then(() => 'accepted', (err) => err.message));
    assert.equal(tfjs, 'downloadQuantized: format must be "json" or "onnx" (TF.js has no integer models)');

    // A calibration size of 0: one clear error, the quantized model stays.
    const refused = await page.evaluate(() => distillery.quantize({ calibration: 0 }).then(() => 'accepted', (err) => err.message));
    assert.equal(refused, 'quantize: calibration must be 1 to 20000 images, got 0');
    const after = await page.evaluate(() => distillery.status());
    assert.equal(after.quantized.mode, 'int8');
    assert.equal(after.quantized.file_bytes, q.file_bytes);
    assert.equal(after.state, 'idle');
    assert.deepEqual(log.errors, [], 'errors on the page');
  } finally {
    await context.close();
    server.stop();
  }
});
