// Crafted bad inputs through the browser API (window.distillery), in the
// single-thread and threaded builds: truncated and lying ZIPs, a PNG that
// claims 100000 x 100000, CSV junk, IDX counts that do not match the bytes,
// malformed model JSON, a billion units, models that do not fit the data,
// bad images to predict and bad options. Each must end in its one expected
// message (a rejected promise) and leave the earlier dataset and teacher
// working: after every case the status still shows them and predict answers;
// evaluate runs every tenth case and at the end.
//
//   DISTILLERY_SITE=build-web/site node --test tests/web/bad_inputs.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { folder, idxImages, idxLabels, png, zip } from './crafted.mjs';
import { fashionFiles, launchBrowser, openPage, startServer } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { if (browser) await browser.close(); });

const bytes = (b) => [...Buffer.from(b)];
const file = (path, b) => ({ path, bytes: bytes(b) });

// A small valid model for 28x28 gray images and `classes` outputs, plain-number weights.
function smallModel({ inputShape = [28, 28, 1], classes = 10, units = 4 } = {}) {
  const inputs = inputShape.reduce((a, b) => a * b, 1);
  return {
    format: 'distillery-model', version: 1, name: 'crafted', input_shape: inputShape,
    class_names: Array.from({ length: classes }, (_, i) => `c${i}`),
    preprocessing: { scale: 1 / 255, mean: 0, std: 1, color: inputShape[2] === 3 ? 'rgb' : 'gray' },
    layers: [
      { type: 'flatten' },
      { type: 'dense', units, use_bias: true, weights: {
        kernel: { shape: [inputs, units], data: new Array(inputs * units).fill(0.01) },
        bias: { shape: [units], data: new Array(units).fill(0) } } },
      { type: 'relu' },
      { type: 'dense', units: classes, use_bias: true, weights: {
        kernel: { shape: [units, classes], data: new Array(units * classes).fill(0.02) },
        bias: { shape: [classes], data: new Array(classes).fill(0) } } },
    ],
  };
}
const json = (o) => JSON.stringify(o);
const withLayer = (edit) => { const m = smallModel(); edit(m); return json(m); };

// [what, method, payload, expected message]. Dataset payloads are file lists.
function makeCases() {
  const good = png(28, 28, 100);
  const zipOfClasses = zip(folder(['shoe', 'bag'], 3).map((f) => ({ name: f.path, bytes: f.bytes })));
  const csvRow = (label, n = 784, v = 7) => [label, ...new Array(n).fill(v)].join(',');
  const gz = (b) => zlib.gzipSync(Buffer.from(b));
  const truncatedGz = gz(csvRow(1) + '\n' + csvRow(2) + '\n').subarray(0, 40);
  const trailerLie = Buffer.from(gz(csvRow(1)));
  trailerLie.writeUInt32LE(0xfffffff0, trailerLie.length - 4);
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  const huge = png(1, 1, 0, [100000, 100000]);
  return [
    // --- datasets: ZIP
    ['truncated ZIP (half of a real one)', 'dataset', [file('half.zip', zipOfClasses.subarray(0, zipOfClasses.length >> 1))], /half\.zip: not a ZIP archive or truncated/],
    ['ZIP that is only a local-header signature', 'dataset', [file('sig.zip', [0x50, 0x4b, 3, 4, 1, 2, 3])], /sig\.zip: not a ZIP archive \(too short\)/],
    ['empty file', 'dataset', [file('empty.zip', [])], /empty\.zip: not a ZIP archive \(too short\)/],
    ['ZIP entry claiming 3 GiB (zip bomb)', 'dataset', [file('bomb.zip', zip([{ name: 'a/1.png', bytes: good }], { 'a/1.png': 0xc0000000 }))], /bomb\.zip: archive inflates to more than the limit of 1073741824 bytes/],
    ['ZIP entry named ../evil.png', 'dataset', [file('dots.zip', zip([{ name: '../evil.png', bytes: good }, { name: 'b/1.png', bytes: good }]))], /dots\.zip: entry '\.\.\/evil\.png' has a '\.\.' path component/],
    ['ZIP entry with an absolute path', 'dataset', [file('abs.zip', zip([{ name: '/etc/x.png', bytes: good }, { name: 'b/1.png', bytes: good }]))], /abs\.zip: entry '\/etc\/x\.png' has an absolute path/],
    ['ZIP holding no images', 'dataset', [file('text.zip', zip([{ name: 'readme.txt', bytes: Buffer.from('hello') }]))], /readme\.txt: unknown dataset format/],
    // --- datasets: images in folders
    ['PNG claiming 100000 x 100000', 'dataset', [file('cat/big.png', huge), file('cat/ok.png', good), file('dog/ok.png', good)], /cat\/big\.png: image of 100000x100000 pixels is over the limit/],
    ['PNG cut after its header', 'dataset', [file('cat/cut.png', good.subarray(0, 40)), file('dog/ok.png', good)], /cat\/cut\.png: (cannot decode the image|corrupt PNG)/],
    ['JPEG that is only a start marker', 'dataset', [file('cat/bad.jpg', [0xff, 0xd8, 0xff, 0xe0, 0, 16]), file('dog/ok.png', good)], /cat\/bad\.jpg: corrupt or unsupported JPEG header/],
    ['GIF header claiming 65535 x 65535', 'dataset', [file('cat/big.gif', [...Buffer.from('GIF89a'), 255, 255, 255, 255, 0, 0, 0]), file('dog/ok.png', good)], /cat\/big\.gif: image of 65535x65535 pixels is over the limit/],
    ['BMP claiming 2^31 - 1 wide', 'dataset', [file('cat/wide.bmp', (() => { const b = Buffer.alloc(54); b.write('BM'); b.writeUInt32LE(54, 10); b.writeUInt32LE(40, 14); b.writeInt32LE(0x7fffffff, 18); b.writeInt32LE(1, 22); b.writeUInt16LE(1, 26); b.writeUInt16LE(24, 28); return b; })()), file('dog/ok.png', good)], /cat\/wide\.bmp: image of 2147483647x1 pixels is over the limit/],
    ['text file named .png', 'dataset', [file('cat/note.png', Buffer.from('not an image')), file('dog/ok.png', good)], /cat\/note\.png: not a supported image/],
    // --- datasets: CSV
    ['CSV junk', 'dataset', [file('junk.csv', 'hello,world\nfoo\n')], /junk\.csv line 2: expected a label and pixel columns/],
    ['CSV pixel value 300', 'dataset', [file('p300.csv', csvRow(1) + '\n' + csvRow(2, 784, 300) + '\n')], /p300\.csv line 2, column 2: pixel value '300' is not a number from 0 to 255/],
    ['CSV ragged rows', 'dataset', [file('ragged.csv', csvRow(1) + '\n' + csvRow(2, 500) + '\n')], /ragged\.csv line 2: expected 785 cells/],
    ['CSV pixel that is a word', 'dataset', [file('word.csv', csvRow(1) + '\n' + csvRow(2, 783) + ',seven\n')], /word\.csv line 2, column 785: pixel value 'seven'/],
    ['CSV header only', 'dataset', [file('header.csv', 'label,' + Array.from({ length: 784 }, (_, i) => `p${i}`).join(',') + '\n')], /header\.csv: the CSV file has a header but no data rows/],
    ['CSV.gz cut short', 'dataset', [file('cut.csv.gz', truncatedGz)], /cut\.csv\.gz: truncated or corrupt gzip file/],
    ['gzip trailer claiming 4 GB', 'dataset', [file('lie.csv.gz', trailerLie)], /lie\.csv\.gz: truncated or corrupt gzip file \(its trailer records 4294967280 bytes/],
    // --- datasets: IDX
    ['IDX claiming 1000 images, holding 10', 'dataset', [file('a-images-idx3-ubyte', idxImages(1000, 28, 28, 10)), file('a-labels-idx1-ubyte', idxLabels(1000))], /a-images-idx3-ubyte: declares 1000 images of 28x28 \(784000 bytes\) but holds only 7840 bytes/],
    ['IDX labels count differs from images', 'dataset', [file('b-images-idx3-ubyte', idxImages(10, 28, 28)), file('b-labels-idx1-ubyte', idxLabels(12))], /b-labels-idx1-ubyte: has 12 labels but b-images-idx3-ubyte has 10 images/],
    ['IDX wrong magic number', 'dataset', [file('c-images-idx3-ubyte', (() => { const b = idxImages(10, 28, 28); b.writeUInt32BE(0x1234, 0); return b; })()), file('c-labels-idx1-ubyte', idxLabels(10))], /c-images-idx3-ubyte: not an IDX images file \(magic 0x00001234/],
    ['IDX images without labels', 'dataset', [file('d-images-idx3-ubyte', idxImages(10, 28, 28))], /d-images-idx3-ubyte: IDX images need their labels file too/],
    ['IDX claiming 100000 x 100000 images', 'dataset', [file('e-images-idx3-ubyte', idxImages(1, 100000, 100000, 0)), file('e-labels-idx1-ubyte', idxLabels(1))], /e-images-idx3-ubyte: implausible IDX dimensions 1 x 100000 x 100000/],
    // --- datasets: what they hold
    ['a folder with a single class', 'dataset', folder(['only'], 4).map((f) => file(f.path, f.bytes)), /dataset has only one class 'only'/],
    ['IDX labels without images', 'dataset', [file('f-labels-idx1-ubyte', idxLabels(10))], /f-labels-idx1-ubyte: this is an IDX labels file; the images file is needed too/],
    ['a spreadsheet', 'dataset', [file('sheet.xlsx', [0x50, 0x4b, 3, 4, 20, 0, 6, 0])], /sheet\.xlsx: not a ZIP archive/],
    ['no files at all', 'dataset', [], /no files were given/],
    // --- teachers
    ['malformed JSON', 'teacher', '{"format": "distillery-model", "layers": [', /bad-teacher\.json: the model file is not valid JSON: parse error at line 1, column 43/],
    ['empty text', 'teacher', '', /bad-teacher\.json: the model file is not valid JSON: parse error at line 1, column 1/],
    ['a JSON array', 'teacher', '[1, 2, 3]', /a model file must be a JSON object, got array/],
    ['another format', 'teacher', json({ format: 'keras', version: 1 }), /\"format\" is \"keras\", expected \"distillery-model\"/],
    ['a billion units', 'teacher', withLayer((m) => { m.layers[1].units = 1e9; delete m.layers[1].weights; }), /layer 1 \(dense\): dense: units must be between 1 and 1048576, got 1000000000/],
    ['parameters over the limit', 'teacher', withLayer((m) => { m.layers[1].units = 100000; delete m.layers[1].weights; }), /weights\.kernel \[784, 100000\] takes the model over the limit of 67108864 parameters/],
    ['100000 nested arrays', 'teacher', deep, /nests arrays\/objects deeper than 256 levels/],
    ['weights shorter than their shape', 'teacher', withLayer((m) => { m.layers[1].weights.kernel.data.pop(); }), /weights\.kernel\.data has 3135 values but shape \[784, 4\] needs 3136/],
    ['base64 weights that are NaN', 'teacher', withLayer((m) => { m.layers[3].weights.bias = { shape: [10], base64: Buffer.from(new Float32Array(10).fill(NaN).buffer).toString('base64') }; }), /weights\.bias\.base64 value 0 is NaN or infinite/],
    ['an unknown layer type', 'teacher', withLayer((m) => { m.layers[2].type = 'quantum'; }), /unknown layer type 'quantum'/],
    ['negative units', 'teacher', withLayer((m) => { m.layers[1].units = -4; }), /units must be between 1 and 1048576, got -4/],
    ['no layers', 'teacher', withLayer((m) => { delete m.layers; }), /\"layers\" is missing or not an array/],
    ['input shape of another dataset (32x32x3)', 'teacher', json(smallModel({ inputShape: [32, 32, 3] })), /the teacher expects images of shape \[32, 32, 3\] but the dataset's are \[28, 28, 1\]/],
    ['3 outputs for 10 classes', 'teacher', json(smallModel({ classes: 3 })), /the teacher has 3 outputs but the dataset has 10 classes/],
    // --- predict
    ['predict: PNG claiming 100000 x 100000', 'predict', huge, /image of 100000x100000 pixels is over the limit/],
    ['predict: PNG cut after its header', 'predict', good.subarray(0, 40), /image: (cannot decode the image|corrupt PNG)/],
    ['predict: text bytes', 'predict', Buffer.from('hello'), /image: not a supported image \(PNG, JPEG, BMP or GIF\)/],
    // --- options
    ['distill: epochs -1', 'distill', { epochs: -1 }, /distill: epochs must be between 1 and 1000/],
    ['distill: an unknown option', 'distill', { epochz: 3 }, /distill: unknown option 'epochz'/],
    ['distill: an impossible architecture', 'distill', { arch: 'dense:0' }, /'dense:0' at position 1: UNITS must be a whole number from 1 to 1048576/],
    ['prune: sparsity 1.5', 'prune', { sparsity: 1.5 }, /prune: sparsity must be in \[0, 1\)/],
    ['trainTeacher: a billion units', 'trainTeacher', { arch: 'dense:1000000000' }, /'dense:1000000000' at position 1: UNITS must be a whole number/],
  ];
}

async function attempt(page, method, payload) {
  return page.evaluate(async ([m, p]) => {
    try {
      if (m === 'dataset') await distillery.loadDataset(p);
      else if (m === 'teacher') await distillery.loadTeacher(p, 'bad-teacher.json');
      else if (m === 'predict') await distillery.predict(p);
      else if (m === 'distill') await distillery.distill(p);
      else if (m === 'prune') await distillery.prune(p);
      else if (m === 'trainTeacher') await distillery.trainTeacher(p);
      return { accepted: true };
    } catch (e) {
      return { message: e.message };
    }
  }, [method, method === 'predict' ? bytes(payload) : payload]);
}

async function runBadInputs({ isolation, build }) {
  const server = await startServer(isolation);
  const { context, page } = await openPage(browser);
  const seen = [];
  try {
    await page.goto(server.url + '?demo=0');
    await page.evaluate(() => window.distilleryReady);
    // The good state: 600 Fashion-MNIST images and a teacher trained on them.
    await page.evaluate((f) => distillery.loadDataset(f), fashionFiles(40000, 600));
    await page.evaluate(() => distillery.trainTeacher({ arch: 'dense:16', epochs: 3, lr: 0.003, seed: 2 }));
    const good = await page.evaluate(() => distillery.status());
    const teacherText = await page.evaluate(() => distillery.exportTeacher({ base64: true }));
    const image = bytes(png(28, 28, 180));
    const prediction = await page.evaluate((b) => distillery.predict(b, { model: 'teacher' }), image);
    const firstEvaluation = await page.evaluate(() => distillery.evaluate());
    assert.ok(firstEvaluation.teacher.accuracy > 0.3, `the teacher learned (${firstEvaluation.teacher.accuracy})`);
    const cases = makeCases();
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    for (const [index, [what, method, payload, expected]] of cases.entries()) {
      const result = await attempt(page, method, payload);
      seen.push({ what, message: result.message });
      assert.ok(!result.accepted, `${what}: accepted`);
      assert.match(result.message, expected, `${what}: "${result.message}"`);
      const now = await page.evaluate(() => distillery.status());
      assert.equal(now.state, 'idle', what);
      assert.equal(now.dataset.count, good.dataset.count, `${what}: the dataset changed`);
      assert.equal(now.dataset.source, good.dataset.source, what);
      assert.equal(now.teacher.params, good.teacher.params, `${what}: the teacher changed`);
      assert.deepEqual(await page.evaluate((b) => distillery.predict(b, { model: 'teacher' }), image), prediction, what);
      if (index % 10 === 9) assert.deepEqual((await page.evaluate(() => distillery.evaluate())).teacher.confusion, firstEvaluation.teacher.confusion, what);
    }
    assert.equal(await page.evaluate(() => distillery.exportTeacher({ base64: true })), teacherText);
    const evaluation = await page.evaluate(() => distillery.evaluate());
    assert.equal(evaluation.teacher.accuracy, firstEvaluation.teacher.accuracy);
  } finally {
    if (process.env.PRINT_MESSAGES) for (const s of seen) console.log(`${s.what} | ${s.message}`);
    await context.close();
    server.stop();
  }
}

test('single-thread build: crafted bad inputs end in their messages and keep the good state', { timeout: 600000 }, () =>
  runBadInputs({ isolation: false, build: 'st' }));

test('threaded build: crafted bad inputs end in their messages and keep the good state', { timeout: 600000 }, () =>
  runBadInputs({ isolation: true, build: 'mt' }));
