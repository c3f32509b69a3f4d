// Saved sessions: nothing is lost on a reload or a crash. The page keeps the
// session (models, settings, the running training job's last end-of-epoch
// checkpoint, and the dataset when it is at most 64 MB) in IndexedDB, saving
// whenever the app says something changed (a new dataset or model, a finished
// epoch, a setting). After a reload it finds the saved session and the app
// shows "Restore your session from HH:MM? [Restore] [Discard]".
//
// The snapshot itself is made and read back by the app (src/app/session_snapshot.h);
// this file only stores bytes. attachSessionStore(api, module) adds to the
// JS API (docs/JS_API.md): saveSession(), hasSavedSession(), restoreSession(),
// discardSession().
'use strict';

(function () {
  const DB_NAME = 'distillery';
  const STORE = 'session';
  const TICK_MS = 1000;

  // --- IndexedDB: one store, two records ("meta" with the snapshot text, "dataset" with its bytes) ----

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // Runs fn(store) in one transaction; resolves when it commits (all or nothing).
  async function transaction(mode, fn) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        let result;
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error('the session store was aborted'));
        result = fn(tx.objectStore(STORE));
      });
    } finally {
      db.close();
    }
  }

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  async function readSaved() {
    const db = await openDb();
    try {
      const tx = db.transaction(STORE, 'readonly');
      const store = tx.objectStore(STORE);
      const [meta, dataset] = await Promise.all([request(store.get('meta')), request(store.get('dataset'))]);
      return meta ? { meta, dataset: dataset && dataset.id === meta.datasetId ? dataset : null } : null;
    } finally {
      db.close();
    }
  }

  // dataset: bytes to store, null to delete, undefined to keep what is there.
  function writeSaved(meta, dataset) {
    return transaction('readwrite', (store) => {
      if (dataset === null) store.delete('dataset');
      else if (dataset !== undefined) store.put({ id: meta.datasetId, bytes: dataset }, 'dataset');
      store.put(meta, 'meta');
    });
  }

  function clearSaved() {
    return transaction('readwrite', (store) => store.clear());
  }

  const clock = (ms) => new Date(ms).toTimeString().slice(0, 5);

  // --- the page's side of the app's session methods ------------------------------------------

  function attachSessionStore(api, module) {
    const pageId = Math.random().toString(36).slice(2) + Date.now().toString(36);
    let autosave = false;     // off while the restore question is open
    let lastRevision = null;
    let savedDatasetId = null;

    const outputText = () => new TextDecoder().decode(module.distilleryOutputBytes());

    async function save() {
      const info = api.call('sessionSnapshot', {});
      const snapshot = outputText();
      let dataset;
      let datasetId = null;
      if (info.dataset && info.dataset.stored) {
        datasetId = pageId + ':' + info.dataset.key;
        if (datasetId !== savedDatasetId) {
          api.call('sessionDataset', {});
          dataset = module.distilleryOutputBytes();
        }
      } else {
        dataset = null;
      }
      const meta = { version: 1, savedAt: Date.now(), summary: info.summary, training: info.training, snapshot,
                     datasetId, datasetTooBig: !!(info.dataset && !info.dataset.stored) };
      await writeSaved(meta, dataset);
      savedDatasetId = datasetId;
      lastRevision = info.revision;
      return { savedAt: meta.savedAt, summary: meta.summary, training: meta.training,
               bytes: snapshot.length + (dataset ? dataset.length : 0), dataset: datasetId !== null };
    }

    // One at a time: a tick never saves while a restore reads.
    let queue = Promise.resolve();
    let running = 0;
    function exclusive(fn) {
      running++;
      const run = queue.then(fn).finally(() => { running--; });
      queue = run.catch(() => {});
      return run;
    }

    async function restore(options) {
      const saved = await readSaved();
      if (!saved) throw new Error('restoreSession: there is no saved session');
      const files = [{ path: 'session.json', bytes: new TextEncoder().encode(saved.meta.snapshot) }];
      if (saved.dataset) files.push({ path: 'dataset.bin', bytes: saved.dataset.bytes });
      module.distilleryClearStaged();
      for (const f of files) module.distilleryStage(f.path, f.bytes);
      const resume = !(options && options.resume === false);
      const result = api.call('restoreSession', { resume });
      autosave = true;
      lastRevision = null;  // save the restored session (and its continuing run) right away
      savedDatasetId = null;
      return result;
    }

    async function tick() {
      let state;
      try {
        state = api.call('sessionTick', {});
      } catch (e) {
        return;
      }
      if (state.choice === 'restore') {
        exclusive(() => restore()).catch((e) => console.warn('restore:', e.message));
        return;
      }
      if (state.choice === 'discard') {
        exclusive(() => clearSaved()).catch((e) => console.warn('discard:', e.message));
        autosave = true;
        return;
      }
      if (autosave && running === 0 && state.revision !== lastRevision)
        exclusive(save).catch((e) => console.warn('saving the session:', e.message));
    }

    Object.assign(api, {
      /** Saves the session now; resolves to {savedAt, summary, training, bytes, dataset}. */
      saveSession() { return exclusive(save); },
      /** Resolves to {savedAt, time: "HH:MM", summary, training, dataset} of the saved session, or null. */
      async hasSavedSession() {
        const saved = await readSaved();
        if (!saved) return null;
        const m = saved.meta;
        return { savedAt: m.savedAt, time: clock(m.savedAt), summary: m.summary, training: m.training,
                 dataset: !!saved.dataset, datasetTooBig: !!m.datasetTooBig };
      },
      /** Puts the saved session back; {resume: false} skips continuing its training run.
       *  Resolves to {dataset, teacher, student, training: {kind, epoch, epochs}, job}. */
      restoreSession(options) { return exclusive(() => restore(options)); },
      /** Forgets the saved session and hides the restore question. */
      async discardSession() {
        api.call('dismissRestore', {});
        await exclusive(() => clearSaved());
        autosave = true;
        lastRevision = null;
      },
    });

    return {
      /** Asks about a saved session (the app shows the banner), then saves as things change. */
      async start() {
        let saved = null;
        try {
          saved = await readSaved();
        } catch (e) {
          console.warn('session store unavailable:', e.message);  // e.g. private windows without IndexedDB
          return;
        }
        if (saved) api.call('offerRestore', { savedAt: clock(saved.meta.savedAt), detail: saved.meta.summary || '' });
        else autosave = true;
        setInterval(tick, TICK_MS);
      },
    };
  }

  window.attachSessionStore = attachSessionStore;
})();
