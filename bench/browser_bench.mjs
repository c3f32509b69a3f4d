// Our training and TensorFlow.js's in the same headless Chromium: the
// WebAssembly train_bench (pthreads build) and bench/tfjs_kd.mjs on every
// TF.js backend the browser offers (webgl on SwiftShader, wasm, cpu), one page
// after the other. The pages are cross-origin isolated (COOP/COEP), so our
// pthreads build and TF.js's threaded wasm backend can run.
//
//   node bench/browser_bench.mjs --wasm-build DIR --modules TFJS_DIR [--quick] [--rounds 3]
//
// Round 1 runs our full train_bench and every TF.js backend; later rounds
// repeat only the speed measurement and the TF.js backends within 3x of the
// best for each model (the best of them counts in each round). The
// machine's load changes over minutes, so each round's ratio (ours over
// TF.js, measured back to back) is kept and the median reported.
//
// DIR is an Emscripten build tree with bench/train_bench.js; TFJS_DIR holds
// node_modules with @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm 4.22.
// playwright-core comes from the repository's node_modules and drives
// /usr/bin/chromium (CHROMIUM overrides). Prints both programs' output; the
// last line is JSON (train_vs_tfjs per model: median over rounds, and more).
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';

import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const quick = args.includes('--quick');
const rounds = Number(option('--rounds', '3'));
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const wasmBench = path.join(path.resolve(option('--wasm-build', 'build-speed-wasm')), 'bench');
const tfjsModules = path.join(path.resolve(option('--modules', 'build-speed/tfjs')), 'node_modules', '@tensorflow');
const log = (...a) => console.error('[browser_bench]', ...a);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

const OURS_PAGE = `<!doctype html><meta charset="utf-8"><title>ours</title>
<script>
  window.lines = [];
  var Module = {
    arguments: new URLSearchParams(location.search).getAll('arg'),
    print: (text) => { window.lines.push(text); console.log(text); },
    printErr: (text) => console.log(text),
    onExit: (code) => { window.exitCode = code; },
  };
</script>
<script src="/ours/train_bench.js"></script>`;

const TFJS_PAGE = `<!doctype html><meta charset="utf-8"><title>tfjs</title>
<script src="/tfjs/tfjs/dist/tf.min.js"></script>
<script src="/tfjs/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"></script>
<script type="module">
  import { benchTfjs } from '/src/tfjs_kd.mjs';
  tf.wasm.setWasmPaths('/tfjs/tfjs-backend-wasm/dist/');
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);  // SwiftShader: software WebGL, but a trainable backend
  const query = new URLSearchParams(location.search);
  const list = (key, fallback) => (query.get(key) || fallback).split(',');
  try {
    window.result = await benchTfjs(tf, { backends: list('backends', 'webgl,wasm,cpu'), models: list('models', 'mlp,cnn'),
                                          quick: query.get('quick') === '1', log: console.log });
  } catch (e) {
    window.result = { error: String(e) };
  }
</script>`;

// Serves the two pages, our build's files under /ours/, TF.js under /tfjs/
// and bench/*.mjs under /src/, with the headers of a cross-origin isolated page.
function serve() {
  const roots = { '/ours/': wasmBench, '/tfjs/': tfjsModules, '/src/': benchDir };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (url === '/ours.html' || url === '/tfjs.html') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      return res.end(url === '/ours.html' ? OURS_PAGE : TFJS_PAGE);
    }
    for (const [prefix, root] of Object.entries(roots)) {
      if (!url.startsWith(prefix)) continue;
      const file = path.join(root, url.slice(prefix.length));
      if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) break;
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
      return fs.createReadStream(file).pipe(res);
    }
    res.writeHead(404, headers);
    res.end('not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-bench-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
});
const timeout = 30 * 60 * 1000;
const median = (v) => {
  const s = v.filter((x) => x != null).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function runPage(name, url, done, result) {
  const page = await browser.newPage();
  page.on('console', (m) => console.error(m.text()));
  page.on('pageerror', (e) => console.error(`${name} page error:`, e.message));
  await page.goto(url);
  await page.waitForFunction(done, null, { timeout, polling: 1000 });
  const value = await page.evaluate(result);
  await page.close();
  return value;
}

// Our train_bench (main() on a worker: PROXY_TO_PTHREAD); returns its JSON line.
async function runOurs(extraArgs) {
  const query = new URLSearchParams();
  for (const a of [...(quick ? ['--quick'] : []), ...extraArgs]) query.append('arg', a);
  const [lines, isolated] = await runPage('ours', `${base}/ours.html?${query}`, () => window.exitCode !== undefined,
                                          () => [window.lines, crossOriginIsolated]);
  try {
    return { ...JSON.parse(lines[lines.length - 1]), cross_origin_isolated: isolated };
  } catch (e) {
    log('train_bench printed no JSON line:', lines.slice(-3).join(' | '));
    return null;
  }
}

async function runTfjs(backends, models) {
  const query = new URLSearchParams({ backends: backends.join(','), models: models.join(','), quick: quick ? '1' : '0' });
  return runPage('tfjs', `${base}/tfjs.html?${query}`, () => window.result !== undefined, () => window.result);
}

const bestOurs = (ours, model) => (ours && ours[model] ? Math.max(ours[model].samples_per_s_1t, ours[model].samples_per_s_2t) : null);

try {
  const version = browser.browser()?.version() ?? 'chromium';
  const models = ['mlp', 'cnn'];
  const perRound = { mlp: [], cnn: [] };
  let firstOurs = null, firstTfjs = null;
  const contenders = {};
  const oursRounds = [], tfjsRounds = [];
  for (let round = 0; round < rounds; ++round) {
    log(`round ${round + 1}/${rounds}: our train_bench in Chromium`);
    const ours = await runOurs(round === 0 ? [] : ['--speed-only']);
    log(`round ${round + 1}/${rounds}: TensorFlow.js in Chromium`);
    let tfjs;
    if (round === 0) {
      tfjs = await runTfjs(['webgl', 'wasm', 'cpu'], models);
      firstOurs = ours;
      firstTfjs = tfjs;
      // Later rounds: every backend within 3x of round 1's best for that model
      // (one noisy round must not pick the backend for all the others).
      for (const model of models) {
        const top = tfjs.best && tfjs.best[model] ? tfjs.best[model].samples_per_s : 0;
        contenders[model] = Object.entries(tfjs.results || {})
                                .filter(([, r]) => r && r[model] && r[model] * 3 >= top)
                                .map(([backend]) => backend);
      }
    } else {
      tfjs = { best: {} };
      for (const model of models) {
        if (!contenders[model] || !contenders[model].length) continue;
        const r = await runTfjs(contenders[model], [model]);
        tfjs.best[model] = r.best ? r.best[model] : null;
      }
    }
    oursRounds.push(ours);
    tfjsRounds.push(tfjs.best);
    for (const model of models) {
      const theirs = tfjs.best && tfjs.best[model] ? tfjs.best[model].samples_per_s : null;
      const mine = bestOurs(ours, model);
      perRound[model].push(mine && theirs ? mine / theirs : null);
      log(`round ${round + 1} ${model}: ours ${mine} samples/s, TF.js ${theirs} -> ${mine && theirs ? (mine / theirs).toFixed(2) : '-'}x`);
    }
  }
  const summary = {
    bench: 'browser',
    chromium: version,
    rounds,
    train_vs_tfjs: Object.fromEntries(models.map((m) => [m, median(perRound[m])])),
    train_vs_tfjs_rounds: perRound,
    ours_samples_per_s: Object.fromEntries(models.map((m) => [m, median(oursRounds.map((o) => bestOurs(o, m)))])),
    ours_samples_per_s_1t: Object.fromEntries(models.map((m) => [m, median(oursRounds.map((o) => (o && o[m] ? o[m].samples_per_s_1t : null)))])),
    threads_2_over_1: Object.fromEntries(models.map((m) => [m, median(oursRounds.map((o) => (o && o[m] ? o[m].threads_2_over_1 : null)))])),
    tfjs_best: Object.fromEntries(models.map((m) => [m, {
      backends: tfjsRounds.map((b) => (b && b[m] ? b[m].backend : null)),
      samples_per_s: median(tfjsRounds.map((b) => (b && b[m] ? b[m].samples_per_s : null))) }])),
    tfjs_all_backends: firstTfjs ? firstTfjs.results : null,
    ours_first_round: firstOurs,
  };
  console.log(JSON.stringify(summary));
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
