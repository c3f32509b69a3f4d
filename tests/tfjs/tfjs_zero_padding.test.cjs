// Explicit pads ([[top, bottom], [left, right]], PyTorch's) against the real
// TF.js: Distillery models with them export as ZeroPadding2D + "valid" layers
// that tf.loadLayersModel loads and runs like `distillery predict`, chain and
// graph; TF.js models with zeroPadding2d before a valid conv / depthwise conv
// / max pool (Keras' MobileNet pattern) import and predict like TF.js.
// Probabilities may differ by at most 1e-4.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {
  tf, initTf, glorot, normal, tempDir, randomImages, writeBandCsv, saveTfjsModel, loadTfjsModel, tfjsPredict, cli,
  cliPredict, maxAbsDiff, readJson,
} = require('./support.cjs');

const TOLERANCE = 1e-4;

test.before(initTf);

// How much the top probability varies between images: a match is not vacuous.
function spread(probabilities) {
  const tops = probabilities.map((p) => Math.max(...p));
  return Math.max(...tops) - Math.min(...tops);
}

// Trains `arch` (JSON layer configs) on 10x10 bands for an epoch, exports it to
// TF.js and compares TF.js' predictions with the CLI's. Returns the TF.js model.json.
async function trainExportAndCompare(label, arch) {
  const dir = tempDir(label);
  const csv = path.join(dir, 'bands.csv');
  writeBandCsv(csv, 120, 10, 3);
  const images = randomImages(dir, 6, [10, 10, 1], 41);
  const trained = path.join(dir, 'model.json');
  cli(['train', '--data', csv, '--arch', JSON.stringify(arch), '--epochs', '1', '--lr', '0.01', '--out', trained]);
  const out = path.join(dir, 'tfjs');
  cli(['convert', '--in', trained, '--out', out]);
  const { model, json } = await loadTfjsModel(path.join(out, 'model.json'));
  const meta = json.userDefinedMetadata.distillery;
  const theirs = tfjsPredict(model, images, meta.input_shape, meta.preprocessing);
  const ours = cliPredict(trained, images);
  const diff = maxAbsDiff(ours, theirs);
  assert.ok(diff <= TOLERANCE, `max abs difference ${diff} > ${TOLERANCE}`);
  assert.ok(spread(theirs) > 1e-3, `TF.js gives nearly the same answer for every image (${spread(theirs)})`);
  // And back: the TF.js files import to the same layers and predictions.
  const again = path.join(dir, 'again.json');
  cli(['convert', '--in', out, '--out', again]);
  assert.deepEqual(readJson(again).layers.map((l) => l.padding), readJson(trained).layers.map((l) => l.padding));
  assert.ok(maxAbsDiff(cliPredict(again, images), ours) <= TOLERANCE);
  return json;
}

test('a chain with explicit pads exports as ZeroPadding2D + valid layers that TF.js runs alike', async () => {
  const json = await trainExportAndCompare('zeropad-chain', [
    // 10 pixels, stride 2: "same" would pad [0, 1]; PyTorch's padding=1 pads [1, 1].
    { type: 'conv2d', filters: 4, kernel_size: 3, strides: 2, padding: [[1, 1], [1, 1]] },
    { type: 'relu' },
    { type: 'maxpool2d', pool_size: 3, strides: 1, padding: [[0, 1], [0, 1]] },
    { type: 'depthwise_conv2d', kernel_size: 3, padding: [[2, 0], [0, 2]] },
    { type: 'flatten' },
    { type: 'dense', units: 3 },
  ]);
  const layers = json.modelTopology.config.layers;
  assert.deepEqual(layers.map((l) => l.class_name),
    ['ZeroPadding2D', 'Conv2D', 'ZeroPadding2D', 'MaxPooling2D', 'ZeroPadding2D', 'DepthwiseConv2D', 'Flatten',
      'Dense']);
  assert.deepEqual(layers[0].config.padding, [[1, 1], [1, 1]]);
  assert.equal(layers[1].config.padding, 'valid');
});

test('a residual block whose stride-2 conv pads [[1, 1], [1, 1]] exports as a functional model TF.js runs alike', async () => {
  const json = await trainExportAndCompare('zeropad-graph', [
    { type: 'conv2d', filters: 4, kernel_size: 3, padding: 'same', name: 'c0', inputs: ['input'] },
    { type: 'relu', name: 'r0', inputs: ['c0'] },
    { type: 'conv2d', filters: 4, kernel_size: 3, strides: 2, padding: [[1, 1], [1, 1]], name: 'c1', inputs: ['r0'] },
    { type: 'relu', name: 'r1', inputs: ['c1'] },
    { type: 'conv2d', filters: 4, kernel_size: 3, padding: 'same', name: 'c2', inputs: ['r1'] },
    { type: 'conv2d', filters: 4, kernel_size: 1, strides: 2, name: 'sc', inputs: ['r0'] },
    { type: 'add', name: 'a', inputs: ['c2', 'sc'] },
    { type: 'relu', name: 'r2', inputs: ['a'] },
    { type: 'global_avg_pool2d', name: 'g', inputs: ['r2'] },
    { type: 'dense', units: 3, name: 'out', inputs: ['g'] },
  ]);
  assert.equal(json.modelTopology.class_name, 'Model');
  const layers = json.modelTopology.config.layers;
  const pad = layers.find((l) => l.class_name === 'ZeroPadding2D');
  assert.deepEqual(pad.config.padding, [[1, 1], [1, 1]]);
  const padded = layers.filter((l) => l.inbound_nodes.length && l.inbound_nodes[0][0][0] === pad.name);
  assert.deepEqual(padded.map((l) => [l.class_name, l.config.strides, l.config.padding]), [['Conv2D', [2, 2], 'valid']]);
});

test('a TF.js model with zeroPadding2d before valid convs and a max pool imports and predicts like TF.js', async () => {
  const dir = tempDir('zeropad-import');
  const model = tf.sequential();
  model.add(tf.layers.zeroPadding2d({ inputShape: [9, 9, 1], padding: [[1, 0], [0, 1]] }));
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: glorot(1),
    biasInitializer: normal(2) }));
  model.add(tf.layers.zeroPadding2d({ padding: 1 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }));
  // MobileNet's downsampling: pad [[0, 1], [0, 1]], then a valid stride-2 depthwise conv.
  model.add(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }));
  model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthwiseInitializer: glorot(3),
    biasInitializer: normal(4), useBias: true }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(5) }));
  await saveTfjsModel(model, dir);
  const out = path.join(dir, 'imported.json');
  cli(['convert', '--in', dir, '--out', out]);
  const images = randomImages(dir, 6, [9, 9, 1], 43);
  const theirs = tfjsPredict(model, images, [9, 9, 1]);
  const diff = maxAbsDiff(cliPredict(out, images), theirs);
  assert.ok(diff <= TOLERANCE, `max abs difference ${diff} > ${TOLERANCE}`);
  assert.ok(spread(theirs) > 1e-3, `TF.js gives nearly the same answer for every image (${spread(theirs)})`);
  const layers = readJson(out).layers;
  assert.deepEqual(layers.map((l) => l.type), ['conv2d', 'relu', 'maxpool2d', 'depthwise_conv2d', 'flatten', 'dense']);
  assert.deepEqual(layers.map((l) => l.padding).filter(Boolean), [[[1, 0], [0, 1]], [[1, 1], [1, 1]], [[0, 1], [0, 1]]]);

  // A zero pad before a max pool over values that can be negative would change the max: refused, naming it.
  const bad = tf.sequential();
  bad.add(tf.layers.zeroPadding2d({ inputShape: [6, 6, 1], padding: 1, name: 'pad' }));
  bad.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  bad.add(tf.layers.flatten());
  bad.add(tf.layers.dense({ units: 2 }));
  const badDir = tempDir('zeropad-refused');
  await saveTfjsModel(bad, badDir);
  const r = cli(['convert', '--in', badDir, '--out', path.join(badDir, 'x.json')], { expectFailure: true });
  assert.match(r.stderr, /layer 'pad' \(ZeroPadding2D\) pads the input of layer 'pool' \(MaxPooling2D\)/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
