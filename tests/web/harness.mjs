// Shared by the browser tests that start their own server and Chromium
// (session.test.mjs, bad_inputs.test.mjs): the site, the server with its
// headers, Chromium's flags, a page with error and request logging, and
// Fashion-MNIST subsets as IDX files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE = process.env.DISTILLERY_SITE || path.join(ROOT, 'build-web', 'site');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FMNIST = '/usr/share/datasets/fashion-mnist';
const CHROMIUM_ARGS = ['--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser() {
  assert.ok(fs.existsSync(path.join(SITE, 'index.html')), 'build the site first: scripts/build-web.sh');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** scripts/serve.py on a free port; isolation false leaves out COOP/COEP (the single-thread build). */
export async function startServer(isolation) {
  const args = [path.join(ROOT, 'scripts', 'serve.py'), '--port', '0', '--quiet', '--root', SITE];
  if (!isolation) args.push('--no-isolation');
  const server = spawn('python3', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => reject(new Error(`serve.py exited with ${code}`)));
  });
  return { url, stop: () => server.kill() };
}

/** A page in its own context, logging errors (CSP violations are console errors) and every request. */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const log = { errors: [], requests: [] };
  context.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); }));
  return { context, page, log };
}

function readIdx(name) {
  return zlib.gunzipSync(fs.readFileSync(path.join(FMNIST, name)));
}

/** Samples [start, start + count) of Fashion-MNIST's training set as gzipped IDX files for loadDataset. */
export function fashionFiles(start, count) {
  const images = readIdx('train-images-idx3-ubyte.gz'), labels = readIdx('train-labels-idx1-ubyte.gz');
  const size = images.readUInt32BE(8) * images.readUInt32BE(12);
  const outImages = Buffer.alloc(16 + count * size), outLabels = Buffer.alloc(8 + count);
  outImages.writeUInt32BE(0x803, 0); outImages.writeUInt32BE(count, 4);
  outImages.writeUInt32BE(images.readUInt32BE(8), 8); outImages.writeUInt32BE(images.readUInt32BE(12), 12);
  outLabels.writeUInt32BE(0x801, 0); outLabels.writeUInt32BE(count, 4);
  images.copy(outImages, 16, 16 + start * size, 16 + (start + count) * size);
  labels.copy(outLabels, 8, 8 + start, 8 + start + count);
  return [
    { path: 'fashion-images-idx3-ubyte.gz', bytes: [...zlib.gzipSync(outImages)] },
    { path: 'fashion-labels-idx1-ubyte.gz', bytes: [...zlib.gzipSync(outLabels)] },
  ];
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
