// Linked into distillery.js with --post-js: the low-level bridge between the
// page's JavaScript (web/distillery-api.js, web/app.js) and the C exports in
// web_exports.cpp. It lives inside the module so that Emscripten makes its
// HEAPU8 accesses safe when memory grows under threads.

/** Calls one API method; returns the parsed reply {ok, value} or {ok: false, error}. */
Module['distilleryCall'] = function (method, args) {
  var text = JSON.stringify(args || {});
  // Options are small; big payloads (models, images, datasets) are staged as files.
  var ptr = Module['ccall']('dst_call', 'number', ['string', 'string'], [method, text]);
  return JSON.parse(UTF8ToString(ptr));
};

/** A copy (Uint8Array) of the bytes the last API method left for the page (a saved session). */
Module['distilleryOutputBytes'] = function () {
  var ptr = Module['ccall']('dst_output_bytes', 'number', [], []);
  var size = Module['ccall']('dst_output_size', 'number', [], []);
  return HEAPU8.slice(ptr, ptr + size);
};

/** Copies bytes (Uint8Array) into wasm memory and stages them as a file at `path`. */
Module['distilleryStage'] = function (path, bytes) {
  var ptr = _malloc(Math.max(1, bytes.length));
  HEAPU8.set(bytes, ptr);
  Module['ccall']('dst_stage_file', null, ['string', 'number', 'number'], [path, ptr, bytes.length]);
};

/** Hands the staged files to the UI for a purpose: 'dataset', 'dataset-folder', 'teacher', 'predict' or 'auto'. */
Module['distilleryReceiveStaged'] = function (purpose) {
  Module['ccall']('dst_receive_staged', null, ['string'], [purpose]);
};

Module['distilleryClearStaged'] = function () {
  Module['ccall']('dst_clear_staged', null, [], []);
};

/** The UI font: TrueType bytes (Uint8Array). */
Module['distillerySetFont'] = function (bytes) {
  var ptr = _malloc(bytes.length);
  HEAPU8.set(bytes, ptr);
  Module['ccall']('dst_set_font', null, ['number', 'number'], [ptr, bytes.length]);
};
