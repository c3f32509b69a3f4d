// TensorFlow.js interop against the real library (npm @tensorflow/tfjs, cpu
// backend, plain Node): models built and saved by TF.js are imported with
// `distillery convert` and must predict what TF.js predicts; models trained,
// pruned or distilled by the CLI are exported and must load in
// tf.loadLayersModel and predict what `distillery predict` prints.
// Probabilities may differ by at most 1e-4.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const {
  tf, initTf, glorot, normal, tempDir, randomImages, BAND_CLASSES, writeBandCsv, saveTfjsModel, loadTfjsModel,
  tfjsPredict, cli, cliPredict, maxAbsDiff, readJson,
} = require('./support.cjs');

const TOLERANCE = 1e-4;

test.before(initTf);

// Imports the saved TF.js model and compares predictions on random images.
function importAndCompare(dir, model, imageShape, tfjsInputShape, extraArgs = []) {
  const out = path.join(dir, 'imported.json');
  cli(['convert', '--in', dir, '--out', out, ...extraArgs]);
  const images = randomImages(dir, 6, imageShape, 17);
  const ours = cliPredict(out, images);
  const theirs = tfjsPredict(model, images, tfjsInputShape);
  const diff = maxAbsDiff(ours, theirs);
  assert.ok(diff <= TOLERANCE, `max abs difference ${diff} > ${TOLERANCE}`);
  // Not a vacuous match: the model's answers vary between images.
  const spread = Math.max(...theirs.map((p) => Math.max(...p))) - Math.min(...theirs.map((p) => Math.max(...p)));
  assert.ok(spread > 1e-3, `TF.js gives nearly the same answer for every image (${spread})`);
  return readJson(out);
}

test('an MLP with dropout saved by TF.js in two shards imports and predicts like TF.js', async () => {
  const dir = tempDir('mlp');
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [144], units: 24, activation: 'relu', kernelInitializer: glorot(1) }));
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(tf.layers.dense({ units: 12, activation: 'tanh', kernelInitializer: glorot(2) }));
  model.add(tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: glorot(3),
    biasInitializer: normal(4) }));
  await saveTfjsModel(model, dir, 2);
  const imported = importAndCompare(dir, model, [12, 12, 1], [144], ['--classes', 'a,b,c,d,e']);
  assert.deepEqual(imported.input_shape, [12, 12, 1]);
  assert.deepEqual(imported.class_names, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(imported.layers.map((l) => l.type),
    ['flatten', 'dense', 'relu', 'dropout', 'dense', 'tanh', 'dense']);
});

test('an InputLayer, LeakyReLU and a separate softmax Activation import, the flat input read as RGB', async () => {
  const dir = tempDir('input-layer');
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [27] }));
  model.add(tf.layers.dense({ units: 10, kernelInitializer: normal(1) }));
  model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  model.add(tf.layers.dense({ units: 3, kernelInitializer: normal(2) }));
  model.add(tf.layers.activation({ activation: 'softmax' }));
  await saveTfjsModel(model, dir);
  const imported = importAndCompare(dir, model, [3, 3, 3], [27]);
  assert.deepEqual(imported.input_shape, [3, 3, 3]);
  assert.deepEqual(imported.layers.map((l) => l.type), ['flatten', 'dense', 'leaky_relu', 'dense']);
});

test('a CNN with max and average pooling (strides, same/valid padding, no bias) predicts like TF.js', async () => {
  const dir = tempDir('cnn');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu',
    kernelInitializer: glorot(1), biasInitializer: normal(2) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: [3, 2], strides: 2, padding: 'valid', useBias: false,
    activation: 'sigmoid', kernelInitializer: glorot(3) }));
  model.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: normal(4) }));
  await saveTfjsModel(model, dir);
  const imported = importAndCompare(dir, model, [16, 16, 3], [16, 16, 3]);
  assert.deepEqual(imported.layers.map((l) => l.type),
    ['conv2d', 'relu', 'maxpool2d', 'conv2d', 'sigmoid', 'avgpool2d', 'flatten', 'dense']);
  assert.equal(imported.preprocessing.color, 'rgb');
});

test('global average pooling imports from TF.js and a CLI model with gap exports to it, predicting alike', async () => {
  const dir = tempDir('gap');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 5, kernelSize: 3, activation: 'relu',
    kernelInitializer: glorot(5), biasInitializer: normal(6) }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: normal(7) }));
  await saveTfjsModel(model, dir);
  const imported = importAndCompare(dir, model, [12, 12, 3], [12, 12, 3]);
  assert.deepEqual(imported.layers.map((l) => l.type), ['conv2d', 'relu', 'global_avg_pool2d', 'dense']);

  const { csv, images } = bandData(dir);
  const trained = path.join(dir, 'gap.json');
  cli(['train', '--data', csv, '--arch', 'conv:6:3,gap', '--epochs', '2', '--lr', '0.01', '--out', trained]);
  const exported = await exportAndCompare(dir, trained, images);
  assert.deepEqual(exported.model.layers.map((l) => l.getClassName()), ['Conv2D', 'GlobalAveragePooling2D', 'Dense']);
});

test('a MobileNet-style block (DepthwiseConv2D, ReLU with maxValue 6) imports from TF.js and a CLI dwconv model exports to it', async () => {
  const dir = tempDir('dwconv');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same',
    kernelInitializer: glorot(11), biasInitializer: normal(12) }));
  model.add(tf.layers.reLU({ maxValue: 6 }));
  // Strided, same padding on an even input (the odd padding pixel at the end), a bias, the
  // relu6 activation string; then a valid one without a bias.
  model.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6',
    depthwiseInitializer: glorot(13), biasInitializer: normal(14) }));
  model.add(tf.layers.depthwiseConv2d({ kernelSize: [3, 2], useBias: false, depthwiseInitializer: glorot(15) }));
  model.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: glorot(16) }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: normal(17) }));
  // A first kernel large enough that some activations pass 6, so the clamp matters, and a
  // last one large enough that the answers vary between (random) images.
  const weights = model.getWeights();
  weights[0] = tf.mul(weights[0], 6);
  weights[weights.length - 2] = tf.mul(weights[weights.length - 2], 40);
  model.setWeights(weights);
  const firstConv = tf.tidy(() => model.layers[0].apply(tf.randomUniform([4, 12, 12, 3], 0, 1, 'float32', 3)));
  assert.ok(firstConv.max().arraySync() > 6, 'the first conv never reaches 6: ReLU6 would be a ReLU');
  await saveTfjsModel(model, dir);
  const imported = importAndCompare(dir, model, [12, 12, 3], [12, 12, 3]);
  assert.deepEqual(imported.layers.map((l) => l.type),
    ['conv2d', 'relu6', 'depthwise_conv2d', 'relu6', 'depthwise_conv2d', 'conv2d', 'global_avg_pool2d', 'dense']);

  const { csv, images } = bandData(dir);
  const trained = path.join(dir, 'dwconv.json');
  cli(['train', '--data', csv, '--arch', 'conv:6:3:relu6,dwconv:3:2,bn,relu6,conv:8:1,gap', '--epochs', '2',
    '--lr', '0.01', '--out', trained]);
  const exported = await exportAndCompare(dir, trained, images);
  assert.deepEqual(exported.model.layers.map((l) => l.getClassName()),
    ['Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'Conv2D', 'GlobalAveragePooling2D', 'Dense']);

  // A depth multiplier is refused by name.
  const mdir = tempDir('dwconv-multiplier');
  const multiplied = tf.sequential();
  multiplied.add(tf.layers.depthwiseConv2d({ inputShape: [6, 6, 2], kernelSize: 3, depthMultiplier: 2 }));
  multiplied.add(tf.layers.flatten());
  multiplied.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  await saveTfjsModel(multiplied, mdir);
  const r = cli(['convert', '--in', mdir, '--out', path.join(mdir, 'x.json')], { expectFailure: true });
  assert.match(r.stderr, /layer 'depthwise_conv2d_DepthwiseConv2D\d+' \(DepthwiseConv2D\): depth_multiplier 2 is not supported/);
});

test('a CNN with BatchNormalization (trained moving statistics) predicts like TF.js', async () => {
  const dir = tempDir('bn');
  // Seeded dropout and batch order too: unseeded, one run in ten trained a
  // model whose answer hardly varied between images.
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, useBias: false,
    kernelInitializer: glorot(1) }));
  model.add(tf.layers.batchNormalization({ momentum: 0.5 }));
  model.add(tf.layers.reLU());
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.batchNormalization({ momentum: 0.3, epsilon: 0.01 }));
  model.add(tf.layers.dropout({ rate: 0.2, seed: 3 }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(2) }));
  // A few training steps move the moving statistics and gamma/beta off their initial values.
  // The inputs span 0..1, the range the compared images arrive in (pixels / 255).
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const xs = tf.randomUniform([32, 10, 10, 1], 0, 1, 'float32', 5);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3);
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  const movingMean = model.layers[1].getWeights()[2].dataSync();
  assert.ok(Math.max(...movingMean.map(Math.abs)) > 0.05, 'the moving mean did not move');

  const saved = await saveTfjsModel(model, dir);
  // TF.js stores the non-trainable weights last: the import must map by name, not by position.
  const order = saved.weightsManifest[0].weights.map((w) => w.name.split('/').pop());
  assert.deepEqual(order.slice(-4), ['moving_mean', 'moving_variance', 'moving_mean', 'moving_variance']);
  const imported = importAndCompare(dir, model, [10, 10, 1], [10, 10, 1]);
  assert.deepEqual(imported.layers.map((l) => l.type),
    ['conv2d', 'batch_norm', 'relu', 'maxpool2d', 'flatten', 'batch_norm', 'dropout', 'dense']);
});

test('unsupported layers and corrupt quantised weights are refused with the layer or weight named', async () => {
  const dir = tempDir('bad');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));
  model.add(tf.layers.separableConv2d({ kernelSize: 3, filters: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  await saveTfjsModel(model, dir);
  const r = cli(['convert', '--in', dir, '--out', path.join(dir, 'x.json')], { expectFailure: true });
  assert.match(r.stderr, /layer 'separable_conv2d_SeparableConv2D\d+' \(SeparableConv2D\) is not supported/);

  // A uint8 weight (tensorflowjs_converter --quantize_uint8) whose scale is 0: bias stored as 2 uint8 values.
  const qdir = tempDir('quantised');
  const dense = tf.sequential();
  dense.add(tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' }));
  await saveTfjsModel(dense, qdir);
  const json = readJson(path.join(qdir, 'model.json'));
  json.weightsManifest[0].weights[1].quantization = { dtype: 'uint8', scale: 0, min: -1 };
  fs.writeFileSync(path.join(qdir, 'model.json'), JSON.stringify(json));
  const kernelBytes = fs.readFileSync(path.join(qdir, 'weights.bin')).subarray(0, 32);
  fs.writeFileSync(path.join(qdir, 'weights.bin'), Buffer.concat([kernelBytes, Buffer.from([7, 9])]));
  const q = cli(['convert', '--in', qdir, '--out', path.join(qdir, 'x.json')], { expectFailure: true });
  assert.match(q.stderr, /model\.json: weight 'dense_Dense\d+\/bias': quantization scale is 0; a scale must be a positive/);
  assert.equal(q.stderr.trim().split('\n').length, 1);
});

// ------------------------------------------------------------ export

// A small band dataset (10x10 gray) and its PNG test images.
function bandData(dir) {
  const csv = path.join(dir, 'bands.csv');
  writeBandCsv(csv, 240, 10, 3);
  const images = randomImages(dir, 5, [10, 10, 1], 23);
  return { csv, images };
}

async function exportAndCompare(dir, modelPath, images) {
  const out = path.join(dir, path.basename(modelPath, '.json') + '_tfjs');
  cli(['convert', '--in', modelPath, '--out', out]);
  const { model, json } = await loadTfjsModel(path.join(out, 'model.json'));
  const meta = json.userDefinedMetadata.distillery;
  const shape = meta.input_shape;
  const theirs = tfjsPredict(model, images, shape, meta.preprocessing);
  const ours = cliPredict(modelPath, images);
  const diff = maxAbsDiff(ours, theirs);
  assert.ok(diff <= TOLERANCE, `${path.basename(modelPath)}: max abs difference ${diff} > ${TOLERANCE}`);
  return { model, json };
}

test('models trained and pruned by the CLI load in tf.loadLayersModel and predict alike', async () => {
  const dir = tempDir('export');
  const { csv, images } = bandData(dir);
  const trained = path.join(dir, 'cnn.json');
  cli(['train', '--data', csv, '--arch', 'conv:4:3,pool:2,dense:8', '--epochs', '2', '--lr', '0.01', '--out', trained]);
  const { model } = await exportAndCompare(dir, trained, images);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);

  // Magnitude pruning: the zeros survive the trip.
  const sparse = path.join(dir, 'sparse.json');
  cli(['prune', '--model', trained, '--data', csv, '--method', 'magnitude', '--sparsity', '0.6', '--out', sparse]);
  const pruned = await exportAndCompare(dir, sparse, images);
  const kernel = pruned.model.layers[3].getWeights()[0].dataSync();
  const zeros = kernel.filter((v) => v === 0).length / kernel.length;
  assert.ok(zeros >= 0.55, `only ${zeros} of the dense kernel is zero`);

  // Structured pruning: a physically smaller TF.js model.
  const small = path.join(dir, 'small.json');
  cli(['prune', '--model', trained, '--data', csv, '--method', 'structured', '--sparsity', '0.5', '--out', small]);
  const shrunk = await exportAndCompare(dir, small, images);
  assert.equal(shrunk.model.layers[0].getConfig().filters, 2);
  assert.equal(shrunk.model.layers[3].getConfig().units, 4);
});

test('a CLI model with batch normalization exports its moving statistics to TF.js', async () => {
  const dir = tempDir('export-bn');
  const { csv, images } = bandData(dir);
  const arch = JSON.stringify([
    { type: 'conv2d', filters: 4, kernel_size: 3, padding: 'same' },
    { type: 'batch_norm', momentum: 0.8 },
    { type: 'relu' },
    { type: 'maxpool2d', pool_size: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 8 },
    { type: 'batch_norm' },
    { type: 'tanh' },
  ]);
  const trained = path.join(dir, 'bn.json');
  cli(['train', '--data', csv, '--arch', arch, '--epochs', '2', '--lr', '0.01', '--out', trained]);
  const stats = readJson(trained).layers[1].weights.moving_mean;
  assert.ok(stats.data.some((v) => Math.abs(v) > 1e-3), 'training did not move the moving mean');
  const { model } = await exportAndCompare(dir, trained, images);
  assert.equal(model.layers[1].getClassName(), 'BatchNormalization');
  // And back: the TF.js files import to the same predictions.
  const again = path.join(dir, 'again.json');
  cli(['convert', '--in', path.join(dir, 'bn_tfjs', 'model.json'), '--out', again]);
  assert.ok(maxAbsDiff(cliPredict(again, images), cliPredict(trained, images)) === 0);
});

test('distil a student from a teacher trained in TF.js, then take the student back to TF.js', async () => {
  const dir = tempDir('distil');
  const csv = path.join(dir, 'bands.csv');
  const rows = writeBandCsv(csv, 240, 10, 5);
  // The teacher: a TF.js CNN trained on the same bands (labels in BAND_CLASSES order).
  const teacher = tf.sequential();
  teacher.add(tf.layers.conv2d({ inputShape: [10, 10, 1], filters: 4, kernelSize: 3, activation: 'relu',
    kernelInitializer: glorot(1) }));
  teacher.add(tf.layers.batchNormalization());
  teacher.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  teacher.add(tf.layers.flatten());
  teacher.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(2) }));
  teacher.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tensor(rows.flatMap((r) => r.pixels.map((p) => p / 255)), [rows.length, 10, 10, 1]);
  const ys = tf.oneHot(tf.tensor1d(rows.map((r) => r.label), 'int32'), 3);
  const history = await teacher.fit(xs, ys, { epochs: 8, batchSize: 16, shuffle: false, verbose: 0 });
  assert.ok(history.history.acc.at(-1) > 0.9, `the TF.js teacher only reached ${history.history.acc.at(-1)}`);
  const teacherDir = path.join(dir, 'teacher_tfjs');
  fs.mkdirSync(teacherDir);
  await saveTfjsModel(teacher, teacherDir);

  const teacherJson = path.join(dir, 'teacher.json');
  cli(['convert', '--in', teacherDir, '--out', teacherJson, '--classes', BAND_CLASSES.join(',')]);
  const evalTeacher = JSON.parse(cli(['eval', '--model', teacherJson, '--data', csv, '--json']).stdout);
  assert.ok(evalTeacher.accuracy > 0.9, `the imported teacher scores ${evalTeacher.accuracy}`);

  const student = path.join(dir, 'student.json');
  cli(['distill', '--teacher', teacherJson, '--data', csv, '--arch', 'dense:16', '--epochs', '6', '--lr', '0.01',
    '--out', student]);
  const provenance = readJson(student).provenance;
  assert.ok(provenance.distilled_from, 'the student records its teacher');
  const evalArgs = ['eval', '--model', student, '--teacher', teacherJson, '--data', csv, '--json'];
  const evalStudent = JSON.parse(cli(evalArgs).stdout);
  assert.ok(evalStudent.agreement > 0.8, `the student agrees with the teacher on only ${evalStudent.agreement}`);

  const images = randomImages(dir, 5, [10, 10, 1], 29);
  const { model } = await exportAndCompare(dir, student, images);
  assert.deepEqual(model.getUserDefinedMetadata().distillery.class_names, readJson(student).class_names);
});

test('a functional TF.js model with a residual add, a concatenation and BatchNormalization predicts like TF.js', async () => {
  const dir = tempDir('graph');
  const input = tf.input({ shape: [8, 8, 3] });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu',
    kernelInitializer: glorot(11), biasInitializer: normal(12) }).apply(input);
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: glorot(13) }).apply(c1);
  const bn = tf.layers.batchNormalization({ betaInitializer: normal(14), gammaInitializer: normal(15),
    movingMeanInitializer: normal(16), movingVarianceInitializer: 'ones' }).apply(c2);
  const sum = tf.layers.reLU().apply(tf.layers.add().apply([bn, c1]));
  const side = tf.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: glorot(17) }).apply(input);
  const joined = tf.layers.concatenate().apply([sum, side]);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(joined);
  const output = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: normal(18) }).apply(pooled);
  const model = tf.model({ inputs: input, outputs: output });
  await saveTfjsModel(model, dir);
  const imported = importAndCompare(dir, model, [8, 8, 3], [8, 8, 3]);
  assert.deepEqual(imported.layers.map((l) => l.type),
    ['conv2d', 'relu', 'conv2d', 'batch_norm', 'add', 'relu', 'conv2d', 'concatenate', 'global_avg_pool2d', 'dense']);
  assert.equal(imported.version, 3);
  const add = imported.layers[4];
  assert.deepEqual(add.inputs, [imported.layers[3].name, imported.layers[1].name]);
});

test('a residual model trained by the CLI exports as a functional model that TF.js loads and predicts alike', async () => {
  const dir = tempDir('graph-export');
  const { csv, images } = bandData(dir);
  const trained = path.join(dir, 'res.json');
  cli(['train', '--data', csv, '--arch', 'conv:6:3,res:6,res:8:2,gap', '--epochs', '2', '--lr', '0.01',
    '--out', trained]);
  const { model, json } = await exportAndCompare(dir, trained, images);
  assert.equal(json.modelTopology.class_name, 'Model');
  const classes = model.layers.map((l) => l.getClassName());
  assert.equal(classes.filter((c) => c === 'Add').length, 2);
  assert.equal(classes.filter((c) => c === 'BatchNormalization').length, 5);
  // Back again: the exported functional model imports to the same graph.
  const again = path.join(dir, 'again.json');
  cli(['convert', '--in', path.join(dir, 'res_tfjs'), '--out', again]);
  const ours = cliPredict(trained, images);
  assert.ok(maxAbsDiff(cliPredict(again, images), ours) <= TOLERANCE);
});
