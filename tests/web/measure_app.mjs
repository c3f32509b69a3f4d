// Measures the web app for docs/BENCHMARKS.md (a program that prints
// figures, not a test): for the threaded build (cross-origin isolated page)
// and the single-thread build (plain page), over several fresh page loads:
//   - navigation to the first frame drawn (performance mark) and to ready (demo loaded)
//   - bytes downloaded (JS, WASM, assets), from the served files' sizes
//   - frames per second idle, and while a CNN teacher trains (5 s windows)
//
//   node tests/web/measure_app.mjs [--rounds 3] [--width 1400 --height 900]
// Needs build-web/site (scripts/build-web.sh) and Debian's chromium.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE = process.env.DISTILLERY_SITE || path.join(ROOT, 'build-web', 'site');
const arg = (name, fallback) => {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 3), WIDTH = arg('width', 1400), HEIGHT = arg('height', 900);

async function startServer(isolation) {
  const args = [path.join(ROOT, 'scripts', 'serve.py'), '--port', '0', '--quiet', '--root', SITE];
  if (!isolation) args.push('--no-isolation');
  const server = spawn('python3', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    let out = '';
    server.stdout.on('data', (c) => { out += c; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
  });
  return { url, stop: () => server.kill() };
}

function fileSize(url) {
  let pathname = decodeURIComponent(new URL(url).pathname);
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = path.join(SITE, pathname);
  return fs.existsSync(file) && fs.statSync(file).isFile() ? { file, size: fs.statSync(file).size } : null;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(browser, isolation) {
  const server = await startServer(isolation);
  const rounds = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } });
      const urls = new Set();
      context.on('request', (r) => urls.add(r.url()));
      const page = await context.newPage();
      const start = Date.now();
      await page.goto(server.url);
      await page.evaluate(() => window.distilleryReady);
      const readyMs = Date.now() - start;
      const firstFrameMs = await page.evaluate(() => Math.round(performance.getEntriesByName('distillery-first-frame')[0].startTime));
      const bytes = { js: 0, wasm: 0, html: 0, assets: 0 };
      for (const url of urls) {
        const f = fileSize(url);
        if (!f) continue;
        const kind = f.file.includes(`${path.sep}assets${path.sep}`) ? 'assets' : f.file.endsWith('.wasm') ? 'wasm' : f.file.endsWith('.js') ? 'js' : 'html';
        bytes[kind] += f.size;
      }
      const frames = () => page.evaluate(() => distillery.status().frames);
      await page.evaluate(() => distillery.selectPanel('Teacher'));
      await page.waitForTimeout(1000);
      let f0 = await frames();
      await page.waitForTimeout(5000);
      const idleFps = ((await frames()) - f0) / 5;
      await page.evaluate(() => { window.run = distillery.trainTeacher({ arch: 'conv:8:3,pool:2,conv:16:3,pool:2,dense:32', epochs: 100 }); });
      await page.waitForTimeout(1000);
      f0 = await frames();
      await page.waitForTimeout(5000);
      const trainingFps = ((await frames()) - f0) / 5;
      const status = await page.evaluate(() => distillery.status());
      await page.evaluate(() => { distillery.stop(); return window.run; });
      rounds.push({ readyMs, firstFrameMs, bytes, idleFps, trainingFps, build: status.build, kernelThreads: status.kernelThreads });
      await context.close();
    }
  } finally {
    server.stop();
  }
  return {
    build: rounds[0].build,
    kernelThreads: rounds[0].kernelThreads,
    firstFrameMs: median(rounds.map((r) => r.firstFrameMs)),
    readyMs: median(rounds.map((r) => r.readyMs)),
    bytes: rounds[0].bytes,
    idleFps: median(rounds.map((r) => r.idleFps)),
    trainingFps: median(rounds.map((r) => r.trainingFps)),
    trainingFpsRange: [Math.min(...rounds.map((r) => r.trainingFps)), Math.max(...rounds.map((r) => r.trainingFps))],
  };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [await measure(browser, true), await measure(browser, false)];
await browser.close();
const kb = (n) => (n / 1024).toFixed(0) + ' kB';
console.log(`| build | first frame | ready (demo loaded) | JS | WASM | assets | fps idle | fps while training a CNN |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const r of results)
  console.log(`| ${r.build} (${r.kernelThreads} kernel thread${r.kernelThreads > 1 ? 's' : ''}) | ${r.firstFrameMs} ms | ${r.readyMs} ms | ${kb(r.bytes.js + r.bytes.html)} | ${kb(r.bytes.wasm)} | ${kb(r.bytes.assets)} | ${r.idleFps.toFixed(1)} | ${r.trainingFps.toFixed(1)} (${r.trainingFpsRange.map((v) => v.toFixed(1)).join('-')}) |`);
console.log(JSON.stringify({ viewport: [WIDTH, HEIGHT], rounds: ROUNDS, results }));
