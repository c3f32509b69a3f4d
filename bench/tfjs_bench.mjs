// TensorFlow.js baseline for bench/train_bench.cpp in Node: the same
// distillation training (bench/tfjs_kd.mjs) on every backend Node offers (cpu;
// wasm with SIMD, which never uses threads in Node).
//
//   node bench/tfjs_bench.mjs [--quick] [--modules DIR]
//
// DIR holds node_modules with @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
// 4.22 (bench/run.sh installs them in the build folder). Prints samples/s per
// backend and model; the last line is JSON.
import { createRequire } from 'module';
import path from 'path';

import { benchTfjs } from './tfjs_kd.mjs';

const args = process.argv.slice(2);
const modulesDir = args.includes('--modules') ? args[args.indexOf('--modules') + 1] : process.cwd();
const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const out = await benchTfjs(tf, { backends: ['wasm', 'cpu'], quick: args.includes('--quick') });
console.log(JSON.stringify({ bench: 'tfjs', platform: 'node ' + process.version, ...out }));
