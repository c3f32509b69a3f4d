// Boots the page: picks the threaded or single-thread build, starts the
// module on the canvas, wires file pickers, drag-and-drop and downloads,
// loads the demo dataset and teacher, then resolves window.distilleryReady
// with window.distillery (see distillery-api.js and docs/JS_API.md).
//   ?build=st / ?build=mt  force a build (mt needs cross-origin isolation)
//   ?demo=0                start empty
'use strict';

(function () {
  const params = new URLSearchParams(location.search);
  const isolated = self.crossOriginIsolated === true;
  const wanted = params.get('build');
  let build = isolated ? 'mt' : 'st';
  let reason = isolated
    ? 'page is cross-origin isolated (COOP/COEP): training runs on a worker thread'
    : 'page is not cross-origin isolated (no COOP/COEP): training runs between frames';
  if (wanted === 'st') {
    build = 'st';
    reason = 'single-thread build asked for (?build=st): training runs between frames';
  } else if (wanted === 'mt' && !isolated) {
    reason = 'threaded build asked for, but the ' + reason;
  }

  const splashText = document.getElementById('splash-text');
  const setSplash = (text, isError) => {
    splashText.textContent = text;
    splashText.className = isError ? 'error' : '';
  };
  setSplash(`Loading the ${build === 'mt' ? 'threaded' : 'single-thread'} build…`);

  let resolveReady, rejectReady;
  window.distilleryReady = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
  window.distilleryBuild = build;

  // --- files: pickers, drag-and-drop, downloads ------------------------------------------

  let module = null;

  async function stageAndReceive(files, purpose) {
    // files: [{path, file}] with File objects; read them all, then hand them over together.
    const loaded = await Promise.all(files.map(async (f) => ({ path: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) })));
    module.distilleryClearStaged();
    for (const f of loaded) module.distilleryStage(f.path, f.bytes);
    module.distilleryReceiveStaged(purpose);
  }

  for (const purpose of ['dataset', 'dataset-folder', 'teacher', 'predict', 'unlabeled']) {
    const input = document.getElementById('pick-' + purpose);
    input.addEventListener('change', () => {
      const files = Array.from(input.files).map((file) => ({ path: file.webkitRelativePath || file.name, file }));
      input.value = '';
      if (files.length) stageAndReceive(files, purpose === 'dataset-folder' ? 'dataset' : purpose);
    });
  }

  // Walks dropped folders (FileSystemEntry API) into {path, file} pairs.
  async function collectEntries(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ path: entry.fullPath.replace(/^\//, ''), file });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await collectEntries(child, out);
      }
    }
  }

  const drop = document.getElementById('drop');
  let dragDepth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; drop.classList.add('active'); });
  window.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; drop.classList.remove('active'); } });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', async (e) => {
    e.preventDefault();
    dragDepth = 0;
    drop.classList.remove('active');
    if (!module) return;
    const entries = Array.from(e.dataTransfer.items || [])
      .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null)).filter(Boolean);
    const files = [];
    if (entries.length) for (const entry of entries) await collectEntries(entry, files);
    else for (const file of e.dataTransfer.files) files.push({ path: file.name, file });
    if (files.length) stageAndReceive(files, 'auto');
  });

  function download(name, bytes) {
    const type = /\.json$/i.test(name) ? 'application/json' : /\.zip$/i.test(name) ? 'application/zip' : 'application/octet-stream';
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- demo assets ------------------------------------------------------------------------

  async function fetchBytes(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async function loadDemo(api) {
    const manifest = await (await fetch('assets/demo/manifest.json')).json();
    const files = await Promise.all(manifest.dataset.map(async (name) => ({ path: name, bytes: await fetchBytes('assets/demo/' + name) })));
    await api.loadDataset(files);
    const teacher = new TextDecoder().decode(await fetchBytes('assets/demo/' + manifest.teacher));
    await api.loadTeacher(teacher, manifest.teacher);
    // Images nobody labelled: what a teacher is most useful for (it labels them for the student).
    if (manifest.unlabeled) {
      const unlabeled = await Promise.all(manifest.unlabeled.map(async (name) => ({ path: name, bytes: await fetchBytes('assets/demo/' + name) })));
      await api.loadUnlabeled(unlabeled);
    }
  }

  // --- start ----------------------------------------------------------------------------------

  const canvas = document.getElementById('canvas');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());  // right-clicks belong to the UI
  const script = document.createElement('script');
  script.src = `${build}/distillery.js`;
  script.onerror = () => {
    setSplash(`Could not load ${build}/distillery.js. Build the site with scripts/build-web.sh.`, true);
    rejectReady(new Error('module script failed to load'));
  };
  script.onload = () => {
    createDistilleryModule({
      canvas,
      locateFile: (path) => `${build}/${path}`,
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
      distilleryHooks: {
        moduleReady() {},
        pickFiles(purpose) { document.getElementById('pick-' + purpose).click(); },
        download,
        loadDemo() { if (api) loadDemo(api).catch((e) => console.error('demo:', e)); },
      },
    }).then(async (m) => {
      module = m;
      api = window.createDistilleryApi(m);
      api.call('setEnvironment', { reason });
      try {
        m.distillerySetFont(await fetchBytes('assets/fonts/DejaVuSans.ttf'));
      } catch (e) {
        console.warn('font:', e.message);  // the built-in font still works
      }
      document.getElementById('splash').classList.add('hidden');
      canvas.focus();
      if (params.get('demo') !== '0') {
        try {
          await loadDemo(api);
        } catch (e) {
          console.warn('demo assets:', e.message);
        }
      }
      // Saved sessions (session-store.js): asks about one left by a reload, then saves as things change.
      await window.attachSessionStore(api, m).start();
      window.distillery = api;
      resolveReady(api);
    }, (error) => {
      setSplash('The app failed to start: ' + error, true);
      rejectReady(error);
    });
  };
  let api = null;
  document.body.appendChild(script);
})();
