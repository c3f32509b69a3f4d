// TensorFlow.js baseline for bench/train_bench.cpp: the same distillation step
// (KD, T = 4, alpha = 0.1, precomputed teacher logits, Adam 1e-3, batch 64) on
// the same models (MLP 784-256-128-10; CNN conv8 3x3 relu, pool 2, conv16 3x3
// relu, pool 2, dense 10) and synthetic 28x28 uint8 images converted per batch.
//
//   node bench/tfjs_bench.mjs [--quick] [--modules DIR]
//
// DIR holds node_modules with @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
// 4.22 (bench/run.sh installs them in the build folder). Tries every backend
// Node offers (cpu, wasm: SIMD, no threads in Node) and prints samples/s per
// backend and model; the last line is JSON. A backend that cannot train a
// model (wasm has no Conv2DBackpropFilter) is reported with its error.
import { createRequire } from 'module';
import path from 'path';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const modulesDir = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : process.cwd();
const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const SAMPLES = 2048, CLASSES = 10, BATCH = 64, T = 4, ALPHA = 0.1;
const REPS = 5, MIN_SECONDS = quick ? 0.1 : 0.3;

// Deterministic synthetic data, like train_bench's.
let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const pixels = new Uint8Array(SAMPLES * 784).map(() => Math.floor(random() * 256));
const teacher = new Float32Array(SAMPLES * CLASSES).map(() => random() * 8 - 4);
const labels = Int32Array.from({ length: SAMPLES }, (_, i) => i % CLASSES);

function buildModel(kind) {
  const m = tf.sequential();
  if (kind === 'mlp') {
    m.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
    m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10 }));
  } else {
    m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 10 }));
  }
  return m;
}

// Hinton: alpha * CE(labels, s) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T)).
function kdLoss(student, teacherLogits, oneHot) {
  const hard = tf.losses.softmaxCrossEntropy(oneHot, student);
  const logPt = tf.logSoftmax(teacherLogits.div(T));
  const logPs = tf.logSoftmax(student.div(T));
  const kl = tf.exp(logPt).mul(logPt.sub(logPs)).sum(1).mean();
  return hard.mul(ALPHA).add(kl.mul((1 - ALPHA) * T * T));
}

function trainer(kind) {
  const model = buildModel(kind);
  const optimizer = tf.train.adam(1e-3);
  const shape = kind === 'mlp' ? [BATCH, 784] : [BATCH, 28, 28, 1];
  const x = new Float32Array(BATCH * 784), t = new Float32Array(BATCH * CLASSES), y = new Int32Array(BATCH);
  let batch = 0;
  return () => {
    const start = (batch++ * BATCH) % SAMPLES;
    for (let i = 0; i < BATCH * 784; ++i) x[i] = pixels[start * 784 + i] / 255;
    t.set(teacher.subarray(start * CLASSES, (start + BATCH) * CLASSES));
    y.set(labels.subarray(start, start + BATCH));
    tf.tidy(() => {
      const xb = tf.tensor(x, shape), tb = tf.tensor2d(t, [BATCH, CLASSES]);
      const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES);
      const loss = optimizer.minimize(() => kdLoss(model.apply(xb, { training: true }), tb, oneHot), true);
      loss.dataSync();  // wait for the step, as a training loop reporting its loss does
    });
  };
}

function samplesPerSecond(step) {
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    step();
    ++steps;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  return (steps * BATCH) / elapsed;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = {};
for (const backend of ['wasm', 'cpu']) {
  if (!(await tf.setBackend(backend))) {
    results[backend] = { error: 'backend did not start' };
    continue;
  }
  await tf.ready();
  results[backend] = {};
  for (const kind of ['mlp', 'cnn']) {
    try {
      const step = trainer(kind);
      for (let i = 0; i < 3; ++i) step();  // warm-up: kernels compiled, buffers sized
      const runs = [];
      for (let r = 0; r < REPS; ++r) runs.push(samplesPerSecond(step));
      results[backend][kind] = Math.round(median(runs) * 10) / 10;
      console.log(`tfjs ${tf.version.tfjs} ${backend} ${kind}: ${results[backend][kind]} samples/s (median of ${REPS})`);
    } catch (e) {
      results[backend][kind] = null;
      console.log(`tfjs ${backend} ${kind}: cannot train (${String(e.message).split('\n')[0]})`);
    }
  }
}
const best = {};
for (const kind of ['mlp', 'cnn']) {
  let top = null;
  for (const [backend, r] of Object.entries(results))
    if (r && r[kind] && (!top || r[kind] > top.samples_per_s)) top = { backend, samples_per_s: r[kind] };
  best[kind] = top;
}
console.log(JSON.stringify({ bench: 'tfjs', platform: 'node ' + process.version, tfjs: tf.version.tfjs, results, best }));
