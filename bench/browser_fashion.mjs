// The full Fashion-MNIST distillation of a dense:32 student in the browser, as a
// user of the web app would run it (issue 5: target <= 60 s for 5 epochs):
// headless Chromium opens the threaded site (cross-origin isolated), then the
// page's JS API (docs/JS_API.md) loads the IDX training files, loads a teacher
// made by the CLI, and distils. Prints the times (wall clock) and one JSON line.
//
//   node bench/browser_fashion.mjs [--teacher bench/results/fashion_distill/teacher_mlp.json]
//        [--data /usr/share/datasets/fashion-mnist] [--epochs 5] [--arch dense:32] [--threads 0]
//
// Needs a built site (scripts/build-web.sh; DISTILLERY_SITE picks another) and
// Debian's chromium. A program that prints figures, not a test.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SITE = process.env.DISTILLERY_SITE || path.join(ROOT, 'build-web', 'site');
const option = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const TEACHER = option('teacher', path.join(ROOT, 'bench/results/fashion_distill/teacher_mlp.json'));
const DATA = option('data', '/usr/share/datasets/fashion-mnist');
const EPOCHS = Number(option('epochs', 5));
const ARCH = option('arch', 'dense:32');
const THREADS = Number(option('threads', 0));
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'];

async function startServer() {
  const args = [path.join(ROOT, 'scripts', 'serve.py'), '--port', '0', '--quiet', '--root', SITE];
  const server = spawn('python3', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    let out = '';
    server.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve(m[0]);
    });
  });
  return { url, stop: () => server.kill() };
}

const loadBefore = os.loadavg().map((v) => v.toFixed(1));
const server = await startServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let result;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // The dataset and the teacher reach the page as if picked from disk: served
  // from here, read by the page as bytes.
  await context.route('**/bench-files/**', (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop());
    const file = name === 'teacher.json' ? TEACHER : path.join(DATA, name);
    route.fulfill({ status: 200, body: fs.readFileSync(file), headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(server.url);
  await page.evaluate(() => window.distilleryReady);
  result = await page.evaluate(async ({ files, arch, epochs, threads }) => {
    const api = window.distillery;
    const fetchBytes = async (name) => new Uint8Array(await (await fetch('/bench-files/' + name)).arrayBuffer());
    const t0 = performance.now();
    const dataset = await api.loadDataset(await Promise.all(files.map(async (f) => ({ path: 'fashion/' + f, bytes: await fetchBytes(f) }))));
    const t1 = performance.now();
    const teacher = await api.loadTeacher(new TextDecoder().decode(await fetchBytes('teacher.json')), 'teacher_mlp');
    const threadInfo = api.setThreads ? await api.setThreads(threads) : null;  // older sites lack it
    const t2 = performance.now();
    const run = await api.distill({ arch, epochs, temperature: 4, alpha: 0.1, batch: 64, seed: 1 });
    const t3 = performance.now();
    const status = api.status();
    return {
      dataset, teacher: { params: teacher.params, arch: teacher.arch }, threadInfo, build: status.build,
      kernelThreads: status.kernelThreads, loadDatasetSeconds: (t1 - t0) / 1000, loadTeacherSeconds: (t2 - t1) / 1000,
      distillSeconds: (t3 - t2) / 1000, accuracy: run.accuracy, agreement: run.agreement,
      history: run.history,
    };
  }, { files: FILES, arch: ARCH, epochs: EPOCHS, threads: THREADS });
} finally {
  await browser.close();
  server.stop();
}
const loadAfter = os.loadavg().map((v) => v.toFixed(1));
console.log(`site ${SITE}, build ${result.build}, ${result.kernelThreads} kernel threads, ` +
  `dataset ${result.dataset.count} images (split ${JSON.stringify(result.dataset.split)})`);
console.log(`loadDataset ${result.loadDatasetSeconds.toFixed(1)} s, loadTeacher ${result.loadTeacherSeconds.toFixed(1)} s`);
console.log(`distill ${ARCH}, ${EPOCHS} epochs (teacher logits + training + test evaluation): ` +
  `${result.distillSeconds.toFixed(1)} s wall; test accuracy ${result.accuracy}, agreement ${result.agreement}`);
console.log(`load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
console.log(JSON.stringify({ bench: 'browser_fashion', arch: ARCH, epochs: EPOCHS, ...result, history: undefined,
  loadBefore, loadAfter }));
