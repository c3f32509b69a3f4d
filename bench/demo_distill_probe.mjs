// The page's first Distil on its demo, under several soft-target settings:
// for each setting and seed, a fresh page runs distillery.distill with the
// quick preset and the baseline (what the first click runs) and prints the
// distilled and alone accuracy, the gain and the seconds both runs took.
//
//   node bench/demo_distill_probe.mjs [SEEDS]        (after scripts/build-web.sh; SEEDS e.g. 1,2,3)
//   SETTINGS='[{"temperature":1,"alpha":0}]' node bench/demo_distill_probe.mjs 1,2,3
//
// The test split is a few hundred of the demo's 2,500 images (one image is
// 0.2-0.4 points): read the seeds together, not one figure.
import { launchBrowser, openPage, startServer } from '../tests/web/harness.mjs';

const seeds = (process.argv[2] || '1,2,3').split(',').map(Number);
const settings = JSON.parse(process.env.SETTINGS ||
  '[{"temperature":4,"alpha":0.1},{"temperature":1,"alpha":0},{"temperature":2,"alpha":0}]');

const browser = await launchBrowser();
const server = await startServer(true);
console.log('| settings | seed | distilled % | alone % | gain (points) | seconds |');
console.log('|---|---|---|---|---|---|');
try {
  for (const s of settings) {
    for (const seed of seeds) {
      const { context, page } = await openPage(browser);
      try {
        await page.goto(server.url);
        await page.evaluate(() => window.distilleryReady);
        const started = Date.now();
        const r = await page.evaluate((o) => distillery.distill(o), { preset: 'quick', baseline: true, seed, ...s });
        const seconds = (Date.now() - started) / 1000;
        console.log(`| ${JSON.stringify(s)} | ${seed} | ${(100 * r.accuracy).toFixed(2)} | ` +
          `${(100 * r.baseline_accuracy).toFixed(2)} | ${(100 * r.gain).toFixed(2)} | ${seconds.toFixed(1)} |`);
      } finally {
        await context.close();
      }
    }
  }
} finally {
  server.stop();
  await browser.close();
}
