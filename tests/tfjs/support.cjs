// Helpers for the TensorFlow.js interop tests: the real TF.js (npm
// @tensorflow/tfjs, cpu backend, plain Node), model files written and read the
// way TF.js' file handlers do, PNG images, small band datasets, and the
// `distillery` CLI (DISTILLERY_BIN, else build/distillery).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');

const tf = require('@tensorflow/tfjs');

const ROOT = path.resolve(__dirname, '../..');

async function initTf() {
  // Production mode: no "install tfjs-node" banner in the test output.
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  await tf.ready();
}

// ------------------------------------------------------------ randomness

// mulberry32: a small seeded generator, so runs are repeatable.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Seeded initialisers for models built in the tests: TF.js draws unseeded ones
// from Math.random, and a test built on them passes or fails by chance.
function glorot(seed) {
  return tf.initializers.glorotUniform({ seed });
}
function normal(seed) {
  return tf.initializers.randomNormal({ seed });
}

function randomPixels(count, seed) {
  const next = rng(seed);
  return Array.from({ length: count }, () => Math.floor(next() * 256));
}

// ------------------------------------------------------------ files

function tempDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `distillery-tfjs-${label}-`));
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// An 8-bit gray (channels 1) or RGB (channels 3) PNG from row-major HWC pixels.
function writePng(file, pixels, height, width, channels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 3 ? 2 : 0;
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(Buffer.from([0]));  // filter: none
    rows.push(Buffer.from(pixels.slice(y * width * channels, (y + 1) * width * channels)));
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  fs.writeFileSync(file, png);
}

// `count` random images written as PNGs; returns their paths and pixels.
function randomImages(dir, count, [height, width, channels], seed) {
  const images = [];
  for (let i = 0; i < count; i++) {
    const pixels = randomPixels(height * width * channels, seed * 1000 + i);
    const file = path.join(dir, `image${i}.png`);
    writePng(file, pixels, height, width, channels);
    images.push({ file, pixels });
  }
  return images;
}

// A band image: class 0, 1, 2 has a bright horizontal band at the top, middle, bottom.
const BAND_CLASSES = ['top', 'middle', 'bottom'];
function bandImage(label, size, next) {
  const pixels = [];
  const band = Math.floor((label * size) / 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const inBand = y >= band && y < band + Math.ceil(size / 3);
      pixels.push(Math.min(255, Math.floor((inBand ? 170 : 30) + next() * 80)));
    }
  return pixels;
}

// A CSV dataset of n band images (label name, then pixels); returns rows too.
function writeBandCsv(file, n, size, seed) {
  const next = rng(seed);
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ label: i % 3, pixels: bandImage(i % 3, size, next) });
  fs.writeFileSync(file, rows.map((r) => [BAND_CLASSES[r.label], ...r.pixels].join(',')).join('\n') + '\n');
  return rows;
}

// ------------------------------------------------------------ TF.js models on disk

// Saves like TF.js' file handler: model.json + weights, optionally cut into
// several shards ("group1-shardKofN.bin") at arbitrary byte offsets.
async function saveTfjsModel(model, dir, shardCount = 1) {
  let artifacts;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const bytes = Buffer.from(artifacts.weightData);
  const paths = [];
  for (let s = 0; s < shardCount; s++) {
    const start = Math.floor((bytes.length * s) / shardCount) + (s ? 1 : 0);
    const end = s + 1 === shardCount ? bytes.length : Math.floor((bytes.length * (s + 1)) / shardCount) + 1;
    const name = shardCount === 1 ? 'weights.bin' : `group1-shard${s + 1}of${shardCount}.bin`;
    fs.writeFileSync(path.join(dir, name), bytes.subarray(start, end));
    paths.push(shardCount === 1 ? `./${name}` : name);
  }
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return modelJson;
}

// Loads model.json and its shards from disk through tf.io.fromMemory, as a
// file:// handler would: weight specs and shard bytes in manifest order.
async function loadTfjsModel(jsonPath) {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const dir = path.dirname(jsonPath);
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    userDefinedMetadata: json.userDefinedMetadata,
  }));
  return { model, json };
}

// TF.js' probabilities for images (pixels 0..255) after x = (p * scale - mean) / std.
function tfjsPredict(model, images, inputShape, { scale = 1 / 255, mean = 0, std = 1 } = {}) {
  return tf.tidy(() => {
    const values = images.flatMap((im) => im.pixels.map((p) => (p * scale - mean) / std));
    const x = tf.tensor(values, [images.length, ...inputShape]);
    return model.predict(x).arraySync();
  });
}

// ------------------------------------------------------------ the CLI

function distilleryBin() {
  const bin = process.env.DISTILLERY_BIN || path.join(ROOT, 'build', 'distillery');
  if (!fs.existsSync(bin)) throw new Error(`the distillery CLI is not at ${bin} (build it, or set DISTILLERY_BIN)`);
  return bin;
}

// Runs the CLI; throws with its stderr unless it exits with 0 (or expectFailure).
function cli(args, { expectFailure = false } = {}) {
  const r = spawnSync(distilleryBin(), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (expectFailure) {
    if (r.status === 0) throw new Error(`distillery ${args.join(' ')} succeeded but should have failed`);
  } else if (r.status !== 0) {
    throw new Error(`distillery ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  }
  return r;
}

// `distillery predict --json`: one probability vector per image.
function cliPredict(modelPath, images) {
  const r = cli(['predict', '--model', modelPath, '--json', ...images.map((im) => im.file)]);
  return JSON.parse(r.stdout).map((entry) => entry.probabilities);
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`${a.length} rows against ${b.length}`);
  let worst = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new Error(`row ${i}: ${row.length} values against ${b[i].length}`);
    row.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - b[i][k])); });
  });
  return worst;
}

module.exports = {
  tf, initTf, glorot, normal, rng, tempDir, writePng, randomImages, BAND_CLASSES, writeBandCsv, saveTfjsModel, loadTfjsModel,
  tfjsPredict, cli, cliPredict, maxAbsDiff, readJson: (p) => JSON.parse(fs.readFileSync(p, 'utf8')),
};
