// TF.js's quantized weight storage against the real library (npm
// @tensorflow/tfjs, cpu backend): `distillery convert --tfjs-weights
// uint8|uint16|float16` exports load in tf.loadLayersModel, which dequantizes
// to exactly the weights Distillery reads back from the same files, so both
// predict alike (1e-4) and both stay near the float model (the quantization
// error); a model quantized the way tensorflowjs_converter --quantize_uint8 /
// --quantize_float16 writes it imports and predicts like TF.js loading it.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const {
  tf, initTf, glorot, normal, tempDir, randomImages, writeBandCsv, saveTfjsModel, loadTfjsModel, tfjsPredict, cli,
  cliPredict, maxAbsDiff, readJson,
} = require('./support.cjs');

const TOLERANCE = 1e-4;
// How far the quantized model's probabilities may drift from the float model's.
const DRIFT = { uint8: 0.02, uint16: 1e-4, float16: 1e-3 };  // seen: 0.006, 1.4e-5, 1.5e-4

test.before(initTf);

// The weight tensors of a Distillery model file, layer by layer, as float32
// values (the file holds each float32's shortest decimal).
function distilleryWeights(file) {
  return readJson(file).layers.filter((l) => l.weights)
    .map((l) => [l.weights.kernel.data.map(Math.fround), l.weights.bias.data.map(Math.fround)]);
}

function tfjsWeights(model) {
  return model.layers.filter((l) => l.getWeights().length).map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
}

// Exports `modelPath` with the given storage, loads it in TF.js and reads it
// back into Distillery; returns both predictions and what TF.js loaded.
async function exportQuantized(dir, modelPath, dtype, images) {
  const out = path.join(dir, `${path.basename(modelPath, '.json')}_${dtype}`);
  cli(['convert', '--in', modelPath, '--out', out, '--tfjs-weights', dtype]);
  const { model, json } = await loadTfjsModel(path.join(out, 'model.json'));
  for (const w of json.weightsManifest[0].weights) assert.equal(w.quantization.dtype, dtype, w.name);
  const params = readJson(modelPath).params;
  assert.equal(fs.statSync(path.join(out, 'weights.bin')).size, params * (dtype === 'uint8' ? 1 : 2));

  const back = path.join(dir, `${path.basename(out)}_back.json`);
  cli(['convert', '--in', out, '--out', back]);
  const meta = json.userDefinedMetadata.distillery;
  return {
    model,
    back,
    theirs: tfjsPredict(model, images, meta.input_shape, meta.preprocessing),
    ours: cliPredict(back, images),
  };
}

test('uint8, uint16 and float16 exports of a dense and a conv model load in TF.js and predict like Distillery', async () => {
  const dir = tempDir('quantized-export');
  const csv = path.join(dir, 'bands.csv');
  writeBandCsv(csv, 240, 10, 3);
  const images = randomImages(dir, 6, [10, 10, 1], 31);
  for (const arch of ['dense:16', 'conv:4:3,pool:2,dense:8']) {
    const trained = path.join(dir, `${arch.replace(/[^a-z0-9]+/g, '_')}.json`);
    cli(['train', '--data', csv, '--arch', arch, '--epochs', '2', '--lr', '0.01', '--out', trained]);
    const float = cliPredict(trained, images);
    for (const dtype of ['uint8', 'uint16', 'float16']) {
      const label = `${arch} ${dtype}`;
      const { model, back, theirs, ours } = await exportQuantized(dir, trained, dtype, images);
      // TF.js dequantized exactly what Distillery did.
      assert.deepEqual(tfjsWeights(model), distilleryWeights(back), `${label}: TF.js loaded other weights`);
      const diff = maxAbsDiff(theirs, ours);
      assert.ok(diff <= TOLERANCE, `${label}: TF.js and Distillery differ by ${diff}`);
      const drift = maxAbsDiff(theirs, float);
      assert.ok(drift <= DRIFT[dtype], `${label}: ${drift} from the float model's probabilities`);
      if (dtype === 'uint8') assert.ok(drift > 1e-4, `${label}: no quantization error at all (${drift})`);
    }
  }
});

test('pruned zeros stay exactly zero in a uint8 TF.js export', async () => {
  const dir = tempDir('quantized-pruned');
  const csv = path.join(dir, 'bands.csv');
  writeBandCsv(csv, 240, 10, 4);
  const images = randomImages(dir, 4, [10, 10, 1], 37);
  const trained = path.join(dir, 'mlp.json');
  cli(['train', '--data', csv, '--arch', 'dense:16', '--epochs', '2', '--lr', '0.01', '--out', trained]);
  const sparse = path.join(dir, 'sparse.json');
  cli(['prune', '--model', trained, '--data', csv, '--method', 'magnitude', '--sparsity', '0.7', '--out', sparse]);
  const { model, theirs, ours } = await exportQuantized(dir, sparse, 'uint8', images);
  assert.ok(maxAbsDiff(theirs, ours) <= TOLERANCE);
  const pruned = readJson(sparse).layers.filter((l) => l.weights).map((l) => l.weights.kernel.data);
  const loaded = tfjsWeights(model).map((w) => w[0]);
  pruned.forEach((kernel, i) => {
    const zeros = kernel.flatMap((v, k) => (v === 0 ? [k] : []));
    assert.ok(zeros.length >= 0.6 * kernel.length, `layer ${i}: only ${zeros.length} of ${kernel.length} pruned`);
    for (const k of zeros) assert.equal(loaded[i][k], 0, `layer ${i} weight ${k}: pruned, but TF.js has ${loaded[i][k]}`);
  });
});

// ------------------------------------------------------------ tensorflowjs_converter's form

// tensorflowjs/quantization.py, quantize_weights for uint8: one range per
// tensor, nudged so 0 is a grid point when the range spans it, then clipped.
function converterUint8(values) {
  let min = Math.min(...values), max = Math.max(...values);
  if (min === max) return { bytes: Buffer.alloc(values.length), quantization: { dtype: 'uint8', min, scale: 1 } };
  const scale = (max - min) / 255;
  if (min <= 0 && 0 <= max) {
    const zero = Math.round(-min / scale);  // np.round: half to even; a tie is as unlikely as it is harmless here
    min = -zero * scale;
    max = 255 * scale + min;
  }
  const bytes = Buffer.from(values.map((v) => Math.round((Math.min(max, Math.max(min, v)) - min) / scale)));
  return { bytes, quantization: { dtype: 'uint8', min, scale } };
}

// numpy's astype(np.float16): IEEE binary16, round to nearest even (normal and subnormal values).
function float16Bits(value) {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const abs = Math.abs(value);
  if (abs === 0) return sign;
  if (abs >= 65520) return sign | 0x7c00;
  let exponent = Math.floor(Math.log2(abs));
  if (2 ** exponent > abs) exponent -= 1;  // log2 rounded up just below a power of two
  exponent = Math.max(exponent, -14);
  const step = 2 ** (exponent - 10);
  let mantissa = abs / step;  // exact: a float32 over a power of two
  const floor = Math.floor(mantissa);
  mantissa = mantissa - floor > 0.5 || (mantissa - floor === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  // mantissa counts steps of 2^(e-10): 1024..2048 for normals (2048 carries into the next exponent), < 1024 subnormal.
  if (exponent === -14 && mantissa < 1024) return sign | mantissa;
  return sign | (((exponent + 15) << 10) + (mantissa - 1024));
}

function converterFloat16(values) {
  const bytes = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => bytes.writeUInt16LE(float16Bits(v), 2 * i));
  return { bytes, quantization: { dtype: 'float16' } };
}

test('a model quantized the way tensorflowjs_converter writes it imports and predicts like TF.js loading it', async () => {
  const dir = tempDir('converter-quantized');
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu',
    kernelInitializer: glorot(11), biasInitializer: normal(12) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: glorot(13), biasInitializer: normal(14) }));
  const float = path.join(dir, 'float');
  fs.mkdirSync(float);
  const saved = await saveTfjsModel(model, float);

  // Kernels uint8, biases float16 (--quantize_uint8 '*/kernel' --quantize_float16 '*/bias').
  const all = fs.readFileSync(path.join(float, 'weights.bin'));
  const quantized = path.join(dir, 'quantized');
  fs.mkdirSync(quantized);
  let offset = 0;
  const shards = [];
  const entries = saved.weightsManifest[0].weights.map((spec) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = Array.from(new Float32Array(all.buffer.slice(all.byteOffset + offset, all.byteOffset + offset + 4 * count)));
    offset += 4 * count;
    const stored = spec.name.endsWith('/kernel') ? converterUint8(values) : converterFloat16(values);
    shards.push(stored.bytes);
    return { ...spec, quantization: stored.quantization };
  });
  fs.writeFileSync(path.join(quantized, 'group1-shard1of1.bin'), Buffer.concat(shards));
  fs.writeFileSync(path.join(quantized, 'model.json'), JSON.stringify({
    ...saved, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: entries }],
  }));

  const { model: loaded } = await loadTfjsModel(path.join(quantized, 'model.json'));
  const imported = path.join(dir, 'imported.json');
  cli(['convert', '--in', quantized, '--out', imported, '--classes', 'a,b,c']);
  assert.deepEqual(distilleryWeights(imported), tfjsWeights(loaded), 'Distillery dequantized other weights than TF.js');
  const images = randomImages(dir, 5, [8, 8, 1], 41);
  const diff = maxAbsDiff(cliPredict(imported, images), tfjsPredict(loaded, images, [8, 8, 1]));
  assert.ok(diff <= TOLERANCE, `max abs difference ${diff} > ${TOLERANCE}`);
  // Not vacuous: the quantized weights are not the float ones.
  assert.ok(maxAbsDiff(tfjsWeights(loaded)[0], tfjsWeights(model)[0]) > 0, 'the kernels were not quantized');
});
