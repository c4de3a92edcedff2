// Drives a real VS Code workbench (code-server) in headless Chromium and checks the agentls
// extension end to end. Called by tests/clients/test_vscode_e2e.py, which starts code-server
// and writes the config; it reads the JSON this script writes.
//
// usage: node driver.js CONFIG.json RESULT.json
// Each step is independent: a failing step is recorded and the next one still runs, so pytest
// can report every assertion on its own. Exit status: 0 when the driver itself ran (even with
// failed steps), 2 when it could not start at all.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [configPath, resultPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const T = cfg.timeoutMs || 30000;
const t0 = Date.now();
const result = { steps: {}, order: [], log: [] };

function log(msg) {
  const line = `[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`;
  result.log.push(line);
  console.error(line);
}

function save() {
  fs.writeFileSync(resultPath, JSON.stringify(result, null, 2));
}

async function shot(page, name) {
  const file = path.join(cfg.outDir, `${name}.png`);
  await page.screenshot({ path: file }).catch((e) => log(`screenshot ${name} failed: ${e}`));
  return file;
}

/** Runs one step; records ok/error/data/time; never throws. `escape: false` leaves the
 * workbench as the step left it (Escape also hides notification toasts). */
async function step(page, name, fn, { escape = true } = {}) {
  if (cfg.only && name !== 'workbench' && !cfg.only.includes(name)) return false; // debugging aid
  const start = Date.now();
  log(`step ${name}: start`);
  let rec;
  try {
    const data = (await fn()) || {};
    rec = { ok: true, ms: Date.now() - start, ...data };
  } catch (e) {
    rec = { ok: false, ms: Date.now() - start, error: String(e && e.stack ? e.stack : e).slice(0, 5000) };
  }
  rec.at_s = (Date.now() - t0) / 1000;
  rec.screenshot = await shot(page, `${String(result.order.length + 1).padStart(2, '0')}-${name}${rec.ok ? '' : '-FAILED'}`);
  result.steps[name] = rec;
  result.order.push(name);
  log(`step ${name}: ${rec.ok ? 'ok' : 'FAILED ' + rec.error.split('\n')[0]} (${rec.ms} ms)`);
  save();
  if (escape) {
    // leave no widget open for the next step
    await page.keyboard.press('Escape').catch(() => {});
    await page.keyboard.press('Escape').catch(() => {});
  }
  return rec.ok;
}

const re = (s) => new RegExp(s, 'i');

async function quickInput(page) {
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: T });
}

async function focusEditor(page) {
  await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
}

async function gotoLine(page, line, col) {
  await pressUntil(page, ['Control+G'], page.locator('.quick-input-widget input'));
  await page.keyboard.type(`${line}:${col}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: T }).catch(() => {});
}

async function openFile(page, fileName) {
  // Retried: a document the server shows (window/showDocument, e.g. a run's result file) can
  // take the focus away from Quick Open or from the file just opened.
  const active = `.tab[data-resource-name="${fileName}"].active, .tab.active[aria-label*="${fileName}"]`;
  let last;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await quickInput(page);
      await page.keyboard.type(fileName, { delay: 15 });
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`, { timeout: 10000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector(active, { timeout: 10000 });
      await page.waitForTimeout(500);
      await page.waitForSelector(active, { timeout: 2000 });
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: T });
      return;
    } catch (e) {
      last = e;
      log(`openFile ${fileName}: attempt ${attempt + 1} failed, retrying`);
    }
  }
  throw last;
}

/** Runs a command through the command palette (F1), choosing the row that matches `label`. */
async function runCommand(page, label) {
  await pressUntil(page, ['F1'], page.locator('.quick-input-widget input'));
  await page.keyboard.type(label, { delay: 10 });
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: label });
  await row.first().waitFor({ state: 'visible', timeout: T });
  await page.keyboard.press('Enter');
}

/**
 * Picks `text` in an open quick pick (types a filter, waits for the row, Enter). When the
 * extension asks with an input box instead (no list rows), types `text` into it.
 */
async function pick(page, text) {
  await quickInput(page);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const row = rows.filter({ hasText: text });
  const end = Date.now() + T;
  let emptySince = null;
  while (Date.now() < end) {
    if ((await row.count()) > 0) {
      await page.keyboard.type(text, { delay: 10 });
      await row.first().waitFor({ state: 'visible', timeout: T });
      await page.keyboard.press('Enter');
      return 'list';
    }
    if ((await rows.count()) === 0) {
      emptySince = emptySince ?? Date.now();
      if (Date.now() - emptySince > 2000) {
        await page.keyboard.press('Control+A');
        await page.keyboard.type(text, { delay: 10 });
        await page.keyboard.press('Enter');
        return 'input';
      }
    } else {
      emptySince = null;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no quick pick row with "${text}"`);
}

/** The editor's lines in document order (Monaco does not keep its DOM rows in order). */
async function editorLines(page) {
  return page.evaluate(() => {
    const ed = document.querySelector('.editor-group-container.active .monaco-editor .view-lines') ||
      document.querySelector('.monaco-editor .view-lines');
    if (!ed) return [];
    return [...ed.querySelectorAll('.view-line')]
      .map((el) => ({ top: parseFloat(el.style.top || '0'), text: el.textContent.replace(/\u00a0/g, ' ') }))
      .sort((x, y) => x.top - y.top)
      .map((l) => l.text);
  });
}

/**
 * Presses keys until `target` shows (a key press can get lost while a widget closes on a
 * loaded machine); each attempt waits a third of the timeout.
 */
async function pressUntil(page, keys, target, onRetry = null, attempts = 3) {
  let last;
  for (let i = 0; i < attempts; i++) {
    for (const k of keys) await page.keyboard.press(k);
    try {
      await target.first().waitFor({ state: 'visible', timeout: Math.max(5000, T / attempts) });
      return i + 1;
    } catch (e) {
      last = e;
      log(`keys ${keys.join(' ')}: attempt ${i + 1} showed nothing, retrying`);
      await page.keyboard.press('Escape');
      if (onRetry) await onRetry();
    }
  }
  throw last;
}

/** The Problems panel text (opens it with Ctrl+Shift+M). */
async function problemsText(page) {
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel', { state: 'visible', timeout: T });
  return page.locator('.markers-panel').innerText();
}

/** Text of the Results webview (nested iframes: webview host, then the content frame). */
async function resultsFrameText(page) {
  for (const frame of page.frames()) {
    try {
      const out = frame.locator('#output');
      if ((await out.count()) === 0) continue;
      const title = await frame.locator('#title').innerText({ timeout: 1000 });
      const status = await frame.locator('#status').innerText({ timeout: 1000 });
      const text = await out.innerText({ timeout: 1000 });
      return { title, status, text };
    } catch {
      // a detached or unrelated frame
    }
  }
  return null;
}

/** The Results webview's content frame (the one with the #output log), or null. */
async function resultsFrame(page) {
  for (const frame of page.frames()) {
    try {
      if ((await frame.locator('#output').count()) > 0) return frame;
    } catch {
      // a detached or unrelated frame
    }
  }
  return null;
}

/** The conversation in the Results view: each turn's prompt, answer, tools, notes, proposals,
 * apply state and usage line, plus the title and status. */
async function resultsTurns(page) {
  const frame = await resultsFrame(page);
  if (!frame) return null;
  try {
    return await frame.evaluate(() => {
      const txt = (e, sel) => (e.querySelector(sel) ? e.querySelector(sel).textContent : null);
      const turns = [...document.querySelectorAll('#output .turn')].map((t) => ({
        runId: t.dataset.runId,
        status: t.dataset.status,
        prompt: txt(t, '.prompt'),
        answer: txt(t, '.answer'),
        tools: txt(t, '.tools'),
        notes: txt(t, '.notes'),
        usage: txt(t, '.usage'),
        diffs: [...t.querySelectorAll('.proposal pre')].map((p) => p.textContent),
        applyButton: !!t.querySelector('button.apply'),
        applied: !!t.querySelector('.applied'),
        applyMessage: txt(t, '.applyMessage'),
        error: txt(t, '.error'),
      }));
      return {
        title: document.getElementById('title').textContent,
        status: document.getElementById('status').textContent,
        askVisible: !document.getElementById('ask').hidden,
        turns,
      };
    });
  } catch {
    return null;
  }
}

/** Selects lines start..end of the open editor (whole lines). */
async function selectLines(page, start, end) {
  await focusEditor(page);
  await gotoLine(page, start, 1);
  for (let i = start; i < end; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
}

/** Clicks a button of the Refactor Preview (the edit of a run needs confirmation). */
async function refactorPreview(page, label) {
  const btn = page.locator('.bulk-edit-panel .monaco-button').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) });
  await btn.first().waitFor({ state: 'visible', timeout: T });
  if (label === 'Apply') {
    // an edit that needs confirmation comes unchecked: the user ticks its file, then Apply
    const file = page.locator('.bulk-edit-panel input.edit-checkbox').first();
    await file.waitFor({ state: 'visible', timeout: T });
    if (!(await file.isChecked())) await file.click();
    await waitFor(async () => ({ ok: await file.isChecked() }), T, 'the file ticked in the Refactor Preview');
  }
  await shot(page, `refactor-preview-${label.toLowerCase()}`);
  await btn.first().click();
  await btn.first().waitFor({ state: 'hidden', timeout: T }).catch(() => {});
}

async function waitFor(pred, timeout, what) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await pred();
    if (last && last.ok) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${JSON.stringify(last).slice(0, 500)}`);
}

/** The last `n` lines of the agentls output channel, which VS Code also writes to a log file. */
function outputTail(logsDir, n) {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/-agentls\.log$/.test(e.name)) found.push(p);
    }
  };
  try {
    walk(logsDir);
  } catch (e) {
    return `(no logs: ${e})`;
  }
  if (!found.length) return '(no agentls output log)';
  found.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  return fs.readFileSync(found[found.length - 1], 'utf8').split('\n').slice(-n).join('\n');
}

/**
 * Types a server command into the focused Settings editor row and waits until VS Code has
 * saved it (the settings file on disk says so). The Settings editor saves a text setting after
 * a debounce and can re-render its row meanwhile on a loaded machine; a value it did not take
 * is typed again (at most three times), so a lost keystroke is not mistaken for an extension
 * that did not react.
 */
async function setServerCommand(page, input, command) {
  // the Remote (machine) settings win over the User settings in code-server
  const saved = () => {
    for (const file of cfg.startError.settingsFiles) {
      try {
        const value = JSON.parse(fs.readFileSync(file, 'utf8'))['agentls.server.command'];
        if (value !== undefined) return value;
      } catch {
        // not written yet, or being written
      }
    }
    return undefined;
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    await input.waitFor({ state: 'visible', timeout: T });
    // fill() sets the whole value at once: no half-typed command gets saved and started
    await input.fill(command);
    await input.press('Tab');
    const ok = await waitFor(() => ({ ok: saved() === command }), 10000, 'the setting to be saved').catch(() => null);
    if (ok) return;
    log(`setServerCommand ${command}: attempt ${attempt} not saved (file says ${JSON.stringify(saved())})`);
  }
  throw new Error(`the Settings editor did not save agentls.server.command = ${command}`);
}

(async () => {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: cfg.chromium || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--no-first-run'],
    });
  } catch (e) {
    result.fatal = `could not launch Chromium: ${e}`;
    save();
    process.exit(2);
  }
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
  const a = cfg.agentFile;
  const r = cfg.review;
  // Every notification toast the workbench shows, from the page's first script on: a
  // MutationObserver in the page notes each toast text when it appears and when it goes, so a
  // toast that lives between two of the driver's actions (or that the driver's Escape hides)
  // is still seen. Read into result.toasts after the first diagnostic.
  await page.addInitScript(() => {
    if (window.top !== window) return; // webviews and other frames
    const seen = new Map(); // text -> {text, shown, hidden}
    window.__agentlsToasts = seen;
    const scan = () => {
      const now = Date.now();
      const live = new Set();
      for (const el of document.querySelectorAll('.notification-toast')) {
        const text = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
        if (!text) continue;
        live.add(text);
        const rec = seen.get(text);
        if (!rec) seen.set(text, { text, shown: now, hidden: null });
        else rec.hidden = null;
      }
      for (const rec of seen.values()) if (!live.has(rec.text) && rec.hidden === null) rec.hidden = now;
    };
    const start = () => new MutationObserver(scan).observe(document.documentElement, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class', 'style'],
    });
    if (document.documentElement) start();
    else document.addEventListener('DOMContentLoaded', start);
  });
  const toasts = async () => {
    const recs = await page.evaluate(() => [...(window.__agentlsToasts || new Map()).values()]).catch(() => []);
    return recs.map((x) => ({ text: x.text, shown_s: (x.shown - t0) / 1000, hidden_s: x.hidden === null ? null : (x.hidden - t0) / 1000 }));
  };
  try {
    const loaded = await step(page, 'workbench', async () => {
      await page.goto(`${cfg.baseUrl}/?folder=${encodeURIComponent(cfg.folder)}`, { waitUntil: 'domcontentloaded', timeout: 60000 });
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
      // the extension's status bar item shows up once it is activated
      await page.waitForSelector('.statusbar-item[id="agentls.agentls.status"], .statusbar-item[aria-label*="agentls"]', { timeout: 60000 });
      return { statusBar: await page.locator('.statusbar-item[aria-label*="agentls"]').first().innerText().catch(() => '') };
    }, { escape: !cfg.progress }); // the extension activates as this step ends: keep its toast
    if (!loaded) throw new Error('the workbench did not load');

    if (cfg.progress) {
      // The bundled server's first start: a progress notification shows while the server
      // starts and goes away by itself once it runs. Nothing is pressed meanwhile (Escape
      // hides toasts); the extension's status bar item says where the server was each time.
      await step(page, 'first_start_progress', async () => {
        const toast = page.locator('.notification-toast').filter({ hasText: cfg.progress.text });
        // the extension's item ("agentls (starting)"), not the progress VS Code may put there
        const status = page.locator('.statusbar-item').filter({ hasText: /^\s*agentls(?!:)/ });
        await toast.first().waitFor({ state: 'visible', timeout: T });
        const statusWhileShown = await status.first().innerText({ timeout: 5000 }).catch((e) => `(${e})`);
        const text = (await toast.first().innerText({ timeout: 5000 }).catch(() => '')).replace(/\s+/g, ' ').trim();
        await shot(page, 'first-start-progress');
        await toast.first().waitFor({ state: 'hidden', timeout: T });
        const statusAfter = await status.first().innerText({ timeout: 5000 }).catch((e) => `(${e})`);
        return { text, statusWhileShown, statusAfter };
      }, { escape: false });
    }

    await step(page, 'open_agent_file', async () => {
      await page.locator('.monaco-workbench .part.editor').click({ position: { x: 400, y: 300 } }).catch(() => {});
      await openFile(page, a.name);
    });

    await step(page, 'diagnostic', async () => {
      await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: T });
      const marker = page.locator('.markers-panel .monaco-list-row').filter({ hasText: a.code });
      await page.keyboard.press('Control+Shift+M');
      await marker.first().waitFor({ state: 'visible', timeout: T });
      return { problem: (await marker.first().innerText()).replace(/\s+/g, ' ').slice(0, 300) };
    });
    result.toasts = await toasts();
    save();

    await step(page, 'hover', async () => {
      await focusEditor(page);
      await gotoLine(page, a.hover.line, a.hover.col);
      const hover = page.locator('.monaco-hover').filter({ hasText: re(a.hover.expect) });
      await pressUntil(page, ['Control+K', 'Control+I'], hover);
      return { hover: (await hover.first().innerText()).slice(0, 400) };
    });

    await step(page, 'completion', async () => {
      await focusEditor(page);
      await gotoLine(page, a.completion.line, a.completion.col);
      const row = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: a.completion.expect });
      await pressUntil(page, ['Control+Space'], row);
      const labels = await page.locator('.suggest-widget .monaco-list-row .label-name').allInnerTexts();
      return { labels };
    });

    await step(page, 'quick_fix', async () => {
      await focusEditor(page);
      await gotoLine(page, a.quickFix.line, a.quickFix.col);
      const rows = page.locator('.action-widget .monaco-list-row.action');
      await pressUntil(page, ['Control+.'], page.locator('.action-widget .monaco-list-row').filter({ hasText: re(a.quickFix.title) }));
      const titles = (await rows.allInnerTexts()).map((s) => s.trim());
      const idx = titles.findIndex((s) => re(a.quickFix.title).test(s));
      if (idx < 0) throw new Error(`no quick fix matches /${a.quickFix.title}/: ${JSON.stringify(titles)}`);
      // The first action is focused; move to ours with the keyboard (mouse clicks on these rows are flaky).
      for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
      await shot(page, 'quick-fix-menu');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.action-widget', { state: 'hidden', timeout: T }).catch(() => {});
      const applied = await waitFor(async () => {
        const text = await problemsText(page);
        const squiggles = await page.locator('.monaco-editor .squiggly-error').count();
        return { ok: !text.includes(a.code) && squiggles === 0, squiggles, text: text.slice(0, 300) };
      }, T, `${a.code} to disappear from the Problems panel`);
      await focusEditor(page);
      await page.keyboard.press('Control+S');
      const lines = await editorLines(page);
      return { titles, applied: applied.text, firstLines: lines.slice(0, 4) };
    });

    if (cfg.noPython) {
      // No Python can run the bundled server: ONE message that says what was found and what
      // to install (no language-client pop-ups).
      await step(page, 'no_python', async () => {
        // The message may come while the workbench is still loading, and the driver's Escape
        // after each step hides toasts: read it in the notification center, which lists them all.
        await runCommand(page, 'Notifications: Show Notifications');
        const rows = page.locator('.notifications-center .monaco-list-row');
        const row = rows.filter({ hasText: cfg.noPython.expect });
        await row.first().waitFor({ state: 'visible', timeout: T });
        await page.waitForTimeout(1000); // would-be pop-ups of the language client arrive together
        const notifications = (await rows.allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
        const buttons = await row.first().locator('.monaco-button').allInnerTexts();
        await shot(page, 'no-python-notifications');
        const statusBar = await page.locator('.statusbar-item[aria-label*="agentls"]').first().innerText().catch(() => '');
        return { message: (await row.first().innerText()).replace(/\s+/g, ' '), notifications, buttons, statusBar };
      });
    }

    if (cfg.apiKey) {
      await step(page, 'set_api_key', async () => {
        await runCommand(page, 'agentls: Set Anthropic API key');
        await quickInput(page);
        await page.keyboard.type(cfg.apiKey, { delay: 5 });
        await page.keyboard.press('Enter');
        await page.locator('.notification-toast').filter({ hasText: 'API key was stored' }).first()
          .waitFor({ state: 'visible', timeout: T });
      });
    }

    await step(page, 'agents_view', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="agentls"], .activitybar .action-item[aria-label^="agentls"]')
        .first().click();
      const row = page.locator('.pane-body .monaco-list-row').filter({ hasText: cfg.agentsView.expect });
      await row.first().waitFor({ state: 'visible', timeout: T });
      const rows = await page.locator('.pane-body .monaco-list-row').allInnerTexts();
      return { rows: rows.map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean).slice(0, 40) };
    });

    if (cfg.newAgent) {
      // "New agent…" creates .claude/agents/<name>.md from the template: the Agents view picks
      // it up (file watcher) and the server finds no problem in it.
      await step(page, 'new_agent', async () => {
        await runCommand(page, 'agentls: New agent');
        await quickInput(page);
        await page.keyboard.type(cfg.newAgent.name, { delay: 10 });
        await page.keyboard.press('Enter');
        const file = `${cfg.newAgent.name}.md`;
        await page.waitForSelector(`.tab.active[data-resource-name="${file}"]`, { timeout: T });
        const row = page.locator('.pane-body .monaco-list-row').filter({ hasText: cfg.newAgent.name });
        await row.first().waitFor({ state: 'visible', timeout: T });
        // give the server time to publish (diagnostics arrive within ~0.5 s of didOpen)
        await page.waitForTimeout(2000);
        const rowText = (await row.first().innerText()).replace(/\s+/g, ' ').trim();
        const problems = await problemsText(page);
        const lines = await editorLines(page);
        return { rowText, problems: problems.slice(0, 500), firstLines: lines.slice(0, 6) };
      });
    }

    await step(page, 'review', async () => {
      await openFile(page, r.file);
      await focusEditor(page);
      await gotoLine(page, r.startLine, 1);
      for (let i = r.startLine; i < r.endLine; i++) await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+End');
      await runCommand(page, 'agentls: Ask an agent about the selection');
      const agentPicker = await pick(page, r.agent);
      await pick(page, r.task);
      // Poll the webview: record each distinct partial text, to see that the answer streams in.
      const partials = [];
      const done = await waitFor(async () => {
        const res = await resultsFrameText(page);
        if (res && res.text && partials[partials.length - 1] !== res.text) partials.push(res.text);
        return { ok: !!res && res.text.includes(r.expect) && /done/.test(res.status), ...(res || {}) };
      }, r.timeoutMs || 60000, 'the answer in the Results view');
      return { results: done, partials: partials.map((p) => p.length), agentPicker };
    });

    if (cfg.codeAction) {
      // The server's own code action on a selection (lightbulb / Ctrl+.), e.g.
      // "backend-engineer: Explain": the extension routes its command through the same run path,
      // so the answer streams into the Results view too.
      const c = cfg.codeAction;
      await step(page, 'code_action_run', async () => {
        await openFile(page, c.file);
        const select = async () => {
          await focusEditor(page);
          await gotoLine(page, c.startLine, 1);
          for (let i = c.startLine; i < c.endLine; i++) await page.keyboard.press('Shift+ArrowDown');
          await page.keyboard.press('Shift+End');
        };
        await select();
        const rows = page.locator('.action-widget .monaco-list-row.action');
        await pressUntil(page, ['Control+.'], page.locator('.action-widget .monaco-list-row').filter({ hasText: c.title }), select);
        const titles = (await rows.allInnerTexts()).map((x) => x.trim());
        const idx = titles.findIndex((x) => x.includes(c.title));
        for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        const done = await waitFor(async () => {
          const res = await resultsFrameText(page);
          return { ok: !!res && res.title.includes(c.resultTitle) && res.text.includes(c.expect) && /done/.test(res.status), ...(res || {}) };
        }, c.timeoutMs || 60000, 'the code action answer in the Results view');
        return { titles: titles.slice(0, 12), results: done };
      });
    }

    if (cfg.cancel) {
      // A run whose answer stalls: Cancel in the Results view stops it (the server cancels the
      // API request, which the fake API records as a disconnect).
      const c = cfg.cancel;
      await step(page, 'cancel_run', async () => {
        await openFile(page, c.file);
        await focusEditor(page);
        await gotoLine(page, c.startLine, 1);
        for (let i = c.startLine; i < c.endLine; i++) await page.keyboard.press('Shift+ArrowDown');
        await runCommand(page, 'agentls: Ask an agent about the selection');
        await pick(page, c.agent);
        await pick(page, c.task);
        await waitFor(async () => {
          const res = await resultsFrameText(page);
          return { ok: !!res && res.text.includes(c.partial) && /running/.test(res.status), ...(res || {}) };
        }, T, 'the partial answer of the stalled run');
        let clicked = false;
        for (const frame of page.frames()) {
          const btn = frame.locator('#cancel');
          if ((await btn.count().catch(() => 0)) && (await btn.isVisible().catch(() => false))) {
            await btn.click();
            clicked = true;
            break;
          }
        }
        if (!clicked) throw new Error('no visible Cancel button in the Results view');
        // the end of the cancelled run carries its wall time and cost: the usage line completes
        const done = await waitFor(async () => {
          const res = await resultsFrameText(page);
          return { ok: !!res && /cancelled/.test(res.status) && / m?s · ~\$/.test(res.text), ...(res || {}) };
        }, T, 'the run to be cancelled, with its wall time and cost');
        return { results: done };
      });
    }

    if (cfg.ask) {
      // "Ask an agent about the selection…" → agent → "Ask…" → the user's own question in an
      // input box; the answer streams into the Results view under the question, the usage at
      // the end.
      const k = cfg.ask;
      await step(page, 'ask', async () => {
        await openFile(page, k.file);
        await selectLines(page, k.startLine, k.endLine);
        await runCommand(page, 'agentls: Ask an agent about the selection');
        await pick(page, k.agent);
        const taskPicker = await pick(page, 'Ask');
        const promptBox = await pick(page, k.prompt);
        const done = await waitFor(async () => {
          const res = await resultsTurns(page);
          const last = res && res.turns[res.turns.length - 1];
          // the usage line is complete (wall time, cost) once the run's response came
          return { ok: !!last && (last.answer || '').includes(k.expect) && last.status === 'done' && / m?s · /.test(last.usage || ''), ...(res || {}) };
        }, k.timeoutMs || 60000, 'the answer to the question in the Results view');
        return { results: done, taskPicker, promptBox };
      });
    }

    if (cfg.followUp) {
      // A follow-up typed in the box under the last answer: the same conversation goes on.
      const u = cfg.followUp;
      await step(page, 'follow_up', async () => {
        await runCommand(page, 'Focus on Results View');
        const frame = await resultsFrame(page);
        if (!frame) throw new Error('no Results view');
        const box = frame.locator('#followup');
        await box.waitFor({ state: 'visible', timeout: T });
        await box.click();
        await box.fill(u.prompt);
        await box.press('Enter');
        const done = await waitFor(async () => {
          const res = await resultsTurns(page);
          const last = res && res.turns[res.turns.length - 1];
          return { ok: !!res && res.turns.length >= 2 && (last.answer || '').includes(u.expect) && last.status === 'done' && / m?s · /.test(last.usage || ''), ...(res || {}) };
        }, u.timeoutMs || 60000, 'the follow-up answer under the first one');
        return { results: done };
      });
    }

    if (cfg.improve) {
      // Improve: the proposed edit comes as a Refactor Preview; discarded, nothing changes and
      // the Results view shows the diff with Apply; Apply sends the kept proposal (no model
      // call) and the preview's Apply writes it into the editor.
      const m = cfg.improve;
      await step(page, 'improve_apply', async () => {
        await openFile(page, m.file);
        await selectLines(page, m.startLine, m.endLine);
        await runCommand(page, 'agentls: Ask an agent about the selection');
        await pick(page, m.agent);
        await pick(page, 'Improve');
        await refactorPreview(page, 'Discard');
        const shown = await waitFor(async () => {
          const res = await resultsTurns(page);
          const last = res && res.turns[res.turns.length - 1];
          return { ok: !!last && last.status === 'done' && last.diffs.length > 0 && last.applyButton, ...(res || {}) };
        }, m.timeoutMs || 60000, 'the proposed diff with Apply in the Results view');
        const before = await editorLines(page);
        await runCommand(page, 'Focus on Results View');
        const frame = await resultsFrame(page);
        await frame.locator('button.apply').last().click();
        await refactorPreview(page, 'Apply');
        const applied = await waitFor(async () => {
          const res = await resultsTurns(page);
          const last = res && res.turns[res.turns.length - 1];
          const lines = await editorLines(page);
          return { ok: !!last && last.applied && !last.applyButton && lines.some((l) => l.includes(m.expectLine)), lines, ...(res || {}) };
        }, T, 'the proposal applied in the editor');
        return { shown, before, after: applied.lines, applied };
      });
    }

    if (cfg.reload) {
      // After a window reload the conversation shown last comes back (agentls/conversation).
      await step(page, 'reload_restores', async () => {
        await page.reload({ waitUntil: 'domcontentloaded', timeout: 60000 });
        await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
        await page.waitForSelector('.statusbar-item[aria-label*="agentls"]', { timeout: 60000 });
        await runCommand(page, 'Focus on Results View');
        const shown = await waitFor(async () => {
          const res = await resultsTurns(page);
          return { ok: !!res && res.turns.length > 0 && res.turns.some((t) => (t.usage || '').includes('Tokens:')), ...(res || {}) };
        }, T, 'the last conversation in Results after the reload');
        return { results: shown };
      });
    }

    if (cfg.pastRun) {
      // "agentls: Show a past run…" (agentls/runs): after the reload, the cancelled run is
      // picked from the server's list and shown in Results with its usage line.
      const r = cfg.pastRun;
      await step(page, 'past_run', async () => {
        await runCommand(page, 'agentls: Show a past run');
        await quickInput(page);
        const rows = page.locator('.quick-input-list .monaco-list-row');
        await rows.first().waitFor({ state: 'visible', timeout: T });
        const listed = await rows.allInnerTexts();
        await pick(page, r.pick);
        await runCommand(page, 'Focus on Results View');
        const shown = await waitFor(async () => {
          const res = await resultsTurns(page);
          const last = res && res.turns[res.turns.length - 1];
          return { ok: !!last && last.status === 'cancelled' && (last.answer || '').includes(r.expect), ...(res || {}) };
        }, T, 'the past run in Results');
        return { listed, results: shown };
      });
    }

    if (cfg.startError) {
      // Set the server command to programs that cannot serve, in the Settings editor, as a user
      // would: the extension restarts the server (settings change), fails, and says so in ONE
      // message (no "couldn't create connection" pop-ups from the language client), with an
      // "Install instructions" button that opens the install instructions.
      await step(page, 'start_error', async () => {
        await runCommand(page, 'Preferences: Open User Settings');
        // the search box has the focus when the Settings editor opens
        const search = page.locator('.settings-editor .suggest-input-container textarea');
        await search.first().waitFor({ state: 'visible', timeout: T });
        await page.waitForFunction(() => document.activeElement && document.activeElement.closest('.suggest-input-container'), null, { timeout: T });
        await page.keyboard.type('agentls.server.command', { delay: 10 });
        // machine-overridable settings are edited in the Remote tab when VS Code runs remotely
        // (code-server is such a remote); the User tab hides them there.
        const remoteTab = page.locator('.settings-tabs-widget .action-label').filter({ hasText: /^Remote/ });
        if (await remoteTab.count()) await remoteTab.first().click();
        const input = page.locator('.settings-editor .setting-item-contents').filter({ hasText: /Server.*Command/i })
          .locator('input').first();
        const cases = [];
        let toast;
        for (const command of cfg.startError.commands) {
          await setServerCommand(page, input, command);
          toast = page.locator('.notification-toast').filter({ hasText: 'could not start the language server' })
            .filter({ hasText: command });
          try {
            await toast.first().waitFor({ state: 'visible', timeout: T });
          } catch (e) {
            // say what the extension did meanwhile: the failure is otherwise a bare time-out
            const toasts = await page.locator('.notification-toast').allInnerTexts().catch(() => []);
            throw new Error(`no start-error message for ${command}: ${String(e).split('\n')[0]}\n` +
              `visible notifications: ${JSON.stringify(toasts).slice(0, 600)}\n` +
              `agentls output (end):\n${outputTail(cfg.startError.logsDir, 40)}`);
          }
          await page.waitForTimeout(1000); // would-be pop-ups of the language client arrive together
          const all = (await page.locator('.notification-toast').allInnerTexts()).map((x) => x.replace(/\s+/g, ' '));
          cases.push({ command, message: (await toast.first().innerText()).replace(/\s+/g, ' ').slice(0, 600), toasts: all });
          await shot(page, `start-error-${cases.length}`);
          if (cases.length < cfg.startError.commands.length) {
            const close = page.locator('.notification-toast .codicon-notifications-clear');
            while (await close.count()) {
              await close.first().click();
              await page.waitForTimeout(200);
            }
            await toast.first().waitFor({ state: 'hidden', timeout: T });
          }
        }
        await toast.first().locator('.monaco-button', { hasText: 'Install instructions' }).first().click();
        const tab = page.locator('.tab').filter({ hasText: /readme/i });
        await tab.first().waitFor({ state: 'visible', timeout: T });
        const statusBar = await page.locator('.statusbar-item[aria-label*="agentls"]').first().innerText().catch(() => '');
        return { cases, tab: (await tab.first().innerText()).trim(), statusBar };
      });
    }
  } catch (e) {
    result.fatal = String(e && e.stack ? e.stack : e).slice(0, 2000);
    log(`fatal: ${result.fatal}`);
  } finally {
    result.total_s = (Date.now() - t0) / 1000;
    save();
    await browser.close().catch(() => {});
  }
  process.exit(0);
})();
