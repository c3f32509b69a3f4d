// window.distillery: the app's JavaScript API (documented in docs/JS_API.md).
// It wraps the module's low-level bridge (distillery_glue.post.js): options
// go in as JSON, files are staged as bytes, long operations return a job id
// that is polled until the worker thread (or the frame slices) finish it.
'use strict';

(function () {
  const POLL_MS = 40;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function toBytes(data) {
    if (data instanceof Uint8Array) return data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (Array.isArray(data)) return Uint8Array.from(data);
    if (typeof data === 'string') return new TextEncoder().encode(data);
    throw new TypeError('expected bytes (Uint8Array, ArrayBuffer, array or string)');
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /** Builds the API object for a ready module. */
  function createDistilleryApi(module) {
    function call(method, args) {
      const reply = module.distilleryCall(method, args || {});
      if (!reply.ok) throw new Error(reply.error);
      return reply.value;
    }
    function stage(files) {
      module.distilleryClearStaged();
      for (const f of files) {
        if (!f || typeof f.path !== 'string') throw new TypeError('each file needs {path, bytes}');
        module.distilleryStage(f.path, toBytes(f.bytes));
      }
    }
    async function waitForJob(job, onProgress) {
      for (;;) {
        const s = call('jobStatus', { job });
        if (s.done) {
          if (!s.ok) throw new Error(s.error);
          return s.result;
        }
        if (onProgress && s.progress) onProgress(s.progress);
        await sleep(POLL_MS);
      }
    }
    async function runJob(method, args, onProgress) {
      const { job } = call(method, args);
      return waitForJob(job, onProgress);
    }
    // TF.js files of a model: {modelJson, weightsBin, fileNames}, or with zip {zip, fileName};
    // weights: 'float32' (default), 'uint8', 'uint16' or 'float16', TF.js's own stored forms.
    function exportTfjs(model, options) {
      const zip = !!(options && options.zip);
      const weights = (options && options.weights) || 'float32';
      const files = call('exportTfjs', { model, zip, weights }).files.map((f) => ({ name: f.name, bytes: fromBase64(f.base64) }));
      if (zip) return { zip: files[0].bytes, fileName: files[0].name };
      return {
        modelJson: new TextDecoder().decode(files[0].bytes),
        weightsBin: files[1].bytes,
        fileNames: files.map((f) => f.name),
      };
    }
    // An ONNX file of a model: {bytes, fileName}.
    function exportOnnx(model) {
      const r = call('exportOnnx', { model });
      return { bytes: fromBase64(r.base64), fileName: r.fileName };
    }

    return {
      /** files: [{path, bytes}] (a folder upload, paths like "cat/1.png") or one {path, bytes} ZIP/IDX/CSV.
       *  Resolves to {classes, count, shape, split}. */
      async loadDataset(files) {
        stage(Array.isArray(files) ? files : [files]);
        return runJob('loadDataset');
      },
      /** Images without labels, the same file objects as loadDataset: loose images, a ZIP, or an IDX images file.
       *  They are brought to the dataset's image shape and distillation also learns from them.
       *  Resolves to {count, shape, source, converted?}; on a rejection the earlier set stays. */
      async loadUnlabeled(files) {
        stage(Array.isArray(files) ? files : [files]);
        return runJob('loadUnlabeled');
      },
      /** Forgets the unlabeled images; resolves to {removed: count}. */
      async clearUnlabeled() { return call('clearUnlabeled', {}); },
      /** Parses model JSON text; it becomes the teacher. Resolves to {classes, params, arch, input_shape}. */
      async loadTeacher(jsonText, name) {
        stage([{ path: name || 'teacher.json', bytes: toBytes(jsonText) }]);
        return call('loadTeacher', {});
      },
      /** files: [{path, bytes}]: a Distillery model JSON, a TF.js model.json with its .bin shards, or one ZIP of
       *  either. options: {inputScale} for TF.js models (default: what the file records, else 1/255).
       *  Resolves to {classes, params, arch, input_shape, format: 'tfjs'|'distillery', source, inputScale}. */
      async loadTeacherFiles(files, options) {
        stage(Array.isArray(files) ? files : [files]);
        return call('loadTeacherFiles', options || {});
      },
      /** {arch, epochs, batch, lr, optimizer, schedule, warmupEpochs, seed, augment, preset}; resolves when trained. */
      trainTeacher(options) { return runJob('trainTeacher', options || {}); },
      /** {arch, temperature, alpha, epochs, batch, lr, optimizer, schedule, warmupEpochs, seed, augment, preset,
       *  loss: 'kd'|'dkd'|'mse'|'ce', teacherMode: 'consistent'|'cached', dkdTargetWeight, dkdNontargetWeight,
       *  baseline}; resolves when done to {accuracy, agreement, kl_to_teacher, ..., baseline_accuracy, gain}. */
      distill(options) { return runJob('distill', options || {}); },
      /** {method, sparsity, schedule, criterion, rounds, finetuneEpochs, useTeacher, temperature, alpha, lr, batch, seed}. */
      prune(options) { return runJob('prune', options || {}); },
      /** Resolves to {accuracy, agreement, params, nonzero_params, per_class_accuracy, confusion, ..., teacher,
       *  quantized}. */
      evaluate() { return runJob('evaluate', {}); },
      /** {mode: 'int8'|'int8-weights'|'float16', calibration, calibrationMethod: 'minmax'|'percentile', percentile,
       *  model: 'student'|'teacher', seed}; resolves to {accuracy, float_accuracy, agreement, file_bytes,
       *  float_file_bytes, ms_per_sample, float_ms_per_sample, ...}. */
      quantize(options) { return runJob('quantize', options || {}); },
      /** bytes of a PNG/JPEG/BMP/GIF, {model: 'student'|'teacher'|'quantized'}; resolves to [{label, probability,
       *  index}] by probability. */
      async predict(bytes, options) {
        stage([{ path: 'image', bytes: toBytes(bytes) }]);
        return call('predict', options || {});
      },
      /** Resolves to the student's model JSON text (loadable by the CLI). */
      async exportStudent(options) { return call('exportStudent', options || {}).text; },
      async exportTeacher(options) { return call('exportTeacher', options || {}).text; },
      /** The quantized model's Distillery JSON (model file version 2): {text, fileName}. */
      async exportQuantized() { return call('exportQuantized', {}); },
      /** The quantized model as ONNX in QDQ form (int8 kernels behind DequantizeLinear): {bytes, fileName}. */
      async exportQuantizedOnnx() {
        const r = call('exportQuantizedOnnx', {});
        return { bytes: fromBase64(r.base64), fileName: r.fileName };
      },
      /** Downloads the quantized model (the Export panel's buttons), {format: 'json' (default) | 'onnx'};
       *  resolves to its file name. */
      async downloadQuantized(options) { return call('downloadQuantized', options || {}).fileName; },
      /** The student as a TF.js Layers model: {modelJson (text), weightsBin (Uint8Array), fileNames}; with
       *  {zip: true}: {zip (Uint8Array holding model.json + weights.bin), fileName}. */
      async exportStudentTfjs(options) { return exportTfjs('student', options); },
      async exportTeacherTfjs(options) { return exportTfjs('teacher', options); },
      /** The student as an ONNX model (opset 13, NCHW input): {bytes (Uint8Array), fileName}. */
      async exportStudentOnnx() { return exportOnnx('student'); },
      async exportTeacherOnnx() { return exportOnnx('teacher'); },
      /** What the Export panel's button does: {model: 'student'|'teacher', format: 'json'|'tfjs-zip'|'tfjs-files'|'onnx',
       *  base64}; resolves to the downloaded file names. */
      async download(options) { return call('download', options || {}).fileNames; },
      /** Kernel threads for training (0: the default, one core left for drawing); resolves to
       *  {kernelThreads, maxKernelThreads}. */
      async setThreads(n) { return call('setThreads', { threads: n }); },
      /** Downloads the student as a file (what the Export panel's button does); resolves to its file name. */
      async downloadStudent(options) { return call('downloadStudent', options || {}).fileName; },
      /** The file name the Export panel would download the student as. */
      studentFileName() { return call('exportStudent', {}).fileName; },
      /** {state, epoch, loss, accuracy, threaded, simd, build, reason, kernelThreads, maxKernelThreads, fps, ...}. */
      status() { return call('status', {}); },
      stop() { return call('stop', {}); },
      pause() { return call('pause', {}); },
      resume() { return call('resume', {}); },
      /** Sample indices of {train, val, test} in the loaded dataset. */
      split() { return call('split', {}); },
      lastEvaluation() { return call('lastEvaluation', {}); },
      /** Shows a panel: Data, Teacher, Student, Distil, Prune, Evaluate, Predict, Export. */
      selectPanel(name) { return call('selectPanel', { panel: name }); },
      /** Waits for a job id returned by the low-level call('distill', ...) etc. */
      waitForJob,
      call,
    };
  }

  window.createDistilleryApi = createDistilleryApi;
})();
