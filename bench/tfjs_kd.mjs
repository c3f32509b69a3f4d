// The TensorFlow.js side of the training comparison, shared by Node
// (bench/tfjs_bench.mjs) and headless Chromium (bench/browser_bench.mjs): the
// distillation step of bench/train_bench.cpp written with TF.js (KD, T = 4,
// alpha = 0.1, precomputed teacher logits, Adam 1e-3, batch 64, synthetic
// 28x28 uint8 images converted per batch) on the same two models.
//
//   const results = await benchTfjs(tf, {backends: ['wasm', 'cpu'], quick, log});
//
// Returns {results: {backend: {mlp, cnn}}, best: {mlp: {backend, samples_per_s}, cnn}};
// a model a backend cannot train (wasm has no Conv2DBackpropFilter) is null.

const SAMPLES = 2048, CLASSES = 10, BATCH = 64, T = 4, ALPHA = 0.1, REPS = 5;

function syntheticData() {
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  return {
    pixels: new Uint8Array(SAMPLES * 784).map(() => Math.floor(random() * 256)),
    teacher: new Float32Array(SAMPLES * CLASSES).map(() => random() * 8 - 4),
    labels: Int32Array.from({ length: SAMPLES }, (_, i) => i % CLASSES),
  };
}

function buildModel(tf, kind) {
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
function kdLoss(tf, student, teacherLogits, oneHot) {
  const hard = tf.losses.softmaxCrossEntropy(oneHot, student);
  const logPt = tf.logSoftmax(teacherLogits.div(T));
  const logPs = tf.logSoftmax(student.div(T));
  const kl = tf.exp(logPt).mul(logPt.sub(logPs)).sum(1).mean();
  return hard.mul(ALPHA).add(kl.mul((1 - ALPHA) * T * T));
}

function trainer(tf, kind, data) {
  const model = buildModel(tf, kind);
  const optimizer = tf.train.adam(1e-3);
  const shape = kind === 'mlp' ? [BATCH, 784] : [BATCH, 28, 28, 1];
  const x = new Float32Array(BATCH * 784), t = new Float32Array(BATCH * CLASSES), y = new Int32Array(BATCH);
  let batch = 0;
  return () => {
    const start = (batch++ * BATCH) % SAMPLES;
    for (let i = 0; i < BATCH * 784; ++i) x[i] = data.pixels[start * 784 + i] / 255;
    t.set(data.teacher.subarray(start * CLASSES, (start + BATCH) * CLASSES));
    y.set(data.labels.subarray(start, start + BATCH));
    tf.tidy(() => {
      const xb = tf.tensor(x, shape), tb = tf.tensor2d(t, [BATCH, CLASSES]);
      const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES);
      const loss = optimizer.minimize(() => kdLoss(tf, model.apply(xb, { training: true }), tb, oneHot), true);
      loss.dataSync();  // wait for the step, as a training loop reporting its loss does
    });
  };
}

function samplesPerSecond(step, minSeconds) {
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    step();
    ++steps;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return (steps * BATCH) / elapsed;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function benchTfjs(tf, { backends, quick = false, log = console.log, models = ['mlp', 'cnn'] }) {
  const data = syntheticData();
  const minSeconds = quick ? 0.1 : 0.3;
  const results = {};
  for (const backend of backends) {
    let started = false;
    try {
      started = await tf.setBackend(backend);
    } catch (e) {
      log(`tfjs ${backend}: did not start (${String(e.message).split('\n')[0]})`);
    }
    if (!started) {
      results[backend] = { error: 'backend did not start' };
      continue;
    }
    await tf.ready();
    results[backend] = {};
    for (const kind of models) {
      try {
        const step = trainer(tf, kind, data);
        for (let i = 0; i < 3; ++i) step();  // warm-up: kernels compiled, buffers sized
        // A backend slower than a step per second gets one repetition.
        const first = samplesPerSecond(step, minSeconds);
        const runs = [first];
        if (first >= BATCH) for (let r = 1; r < REPS; ++r) runs.push(samplesPerSecond(step, minSeconds));
        results[backend][kind] = Math.round(median(runs) * 10) / 10;
        log(`tfjs ${tf.version.tfjs} ${backend} ${kind}: ${results[backend][kind]} samples/s (median of ${runs.length})`);
      } catch (e) {
        results[backend][kind] = null;
        log(`tfjs ${backend} ${kind}: cannot train (${String(e.message).split('\n')[0]})`);
      }
    }
  }
  const best = {};
  for (const kind of models) {
    let top = null;
    for (const [backend, r] of Object.entries(results))
      if (r && r[kind] && (!top || r[kind] > top.samples_per_s)) top = { backend, samples_per_s: r[kind] };
    best[kind] = top;
  }
  return { tfjs: tf.version.tfjs, results, best };
}
