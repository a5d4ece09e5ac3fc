// The try-it panels of a lesson page (coursekit/tryit.py puts an empty, hidden one after each
// exercise block; this script, bundled with CodeMirror by esbuild, fills them in). Without
// JavaScript, WebAssembly or Web Workers, the panels stay hidden and the page reads as before.
//
// Every panel edits the functions of its block; the code is kept in localStorage, per module and
// block, and "Check" grades the whole module file made of the stub with every block's code in
// place, with the course's own grader in a Web Worker (worker.js, tryit/py/tryit_grade.py). A test
// that runs past its time limit ends the worker; a fresh one is started for the next request.
import { EditorView, basicSetup } from "codemirror";
import { python } from "@codemirror/lang-python";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const PREFIX = "nncourse-tryit/v1/";
const HINTS = PREFIX + "hints";
const LOAD_SECONDS = 180; // the first load on a slow connection: 17 MB

// The colours of the site's own code blocks (Material's variables, light and dark): contrast as they have.
const colour = (name) => `var(--md-code-hl-${name}-color)`;
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword],
    color: colour("keyword") },
  { tag: [tags.string, tags.special(tags.string)], color: colour("string") },
  { tag: tags.comment, color: colour("comment"), fontStyle: "italic" },
  { tag: [tags.number, tags.bool, tags.null], color: colour("number") },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName), tags.definition(tags.variableName)],
    color: colour("function") },
  { tag: [tags.className, tags.self, tags.standard(tags.variableName)], color: colour("constant") },
  { tag: [tags.operator, tags.punctuation, tags.bracket], color: colour("punctuation") },
]);

const script = document.currentScript;
const base = new URL(".", script ? script.src : location.href).href;

function storageKey(module, functions) {
  return `${PREFIX}${module}/${functions}`;
}

function storage() {
  try {
    const probe = PREFIX + "probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null; // private mode, or storage off: the code lives as long as the page
  }
}

const store = storage();

// Every block the reader edited, on any page: {module: [[functions, code], ...]}.
function editedFiles() {
  const files = {};
  if (!store) return files;
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (!key.startsWith(PREFIX) || key === HINTS) continue;
    const [module, functions] = key.slice(PREFIX.length).split("/");
    if (!module || !functions) continue;
    (files[module] = files[module] || []).push([functions, store.getItem(key)]);
  }
  return files;
}

// --- the worker: one at a time, ended past a test's limit --------------------------------------

class Python {
  constructor() {
    this.worker = null;
    this.pending = null; // {resolve, reject, onEvent}
    this.queue = Promise.resolve();
    this.timer = null;
    this.current = null; // the test running now: {name, seconds, stopped}
    this.loaded = null;
    this.ready = false;
  }

  start() {
    if (this.worker) return this.loaded;
    this.worker = new Worker(base + "worker.js");
    this.loaded = new Promise((resolve, reject) => {
      this.fail = reject;
      this.worker.onmessage = (message) => {
        const data = message.data;
        if (data.ready) {
          this.ready = true;
          resolve();
        }
        else if (data.failed) reject(new Error(data.failed));
        else if (data.event) this.event(data.event);
        else if (this.pending) {
          const pending = this.pending;
          this.pending = null;
          this.clear();
          if (data.error) pending.reject(new Error(data.error));
          else pending.resolve(data.result);
        }
      };
      this.worker.onerror = (error) => {
        error.preventDefault();
        reject(new Error(error.message || "the worker could not start"));
      };
    });
    this.loaded.catch(() => this.end());
    return this.loaded;
  }

  event(event) {
    if (event.event !== "test") return;
    this.current = event;
    this.arm(event.seconds);
  }

  arm(seconds) {
    this.clear();
    this.timer = setTimeout(() => this.stop(), seconds * 1000);
  }

  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  end() {
    this.clear();
    if (this.fail && !this.ready) this.fail(new Error(`Python did not load in ${LOAD_SECONDS} s`));
    this.fail = null;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.loaded = null;
    this.ready = false;
  }

  // A test ran past its limit: end the worker (the only way to stop Python in it), start another.
  stop() {
    const pending = this.pending;
    const current = this.current;
    this.pending = null;
    this.end();
    this.start().catch(() => {});
    if (pending) {
      const error = new Error("stopped");
      error.stopped = current;
      pending.reject(error);
    }
  }

  request(request, onLoading) {
    const run = async () => {
      const loading = this.start();
      const cold = !this.ready;
      if (cold && onLoading) onLoading();
      this.arm(LOAD_SECONDS);
      try {
        await loading;
      } finally {
        this.clear();
      }
      this.current = null;
      return new Promise((resolve, reject) => {
        this.pending = { resolve, reject };
        this.worker.postMessage({ id: Date.now(), request });
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }
}

const runtime = new Python();

// --- the panels -------------------------------------------------------------------------------

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const MARK = { passed: "✓", failed: "✗", "not attempted": "·" };

function rowElement(row) {
  const item = element("li", { class: `tryit-row tryit-${row.status.replace(" ", "-")}` });
  item.append(element("span", { class: "tryit-mark", "aria-hidden": "true", text: MARK[row.status] || "?" }),
    element("span", { class: "tryit-status-word", text: row.status.toUpperCase() + " " }),
    element("code", { text: row.name }));
  if (row.message) item.append(element("pre", { class: "tryit-message", text: row.message }));
  if (row.status === "failed" && row.link) {
    item.append(element("p", {}, "reread: ", element("a", { href: row.link, text: row.link })));
  }
  return item;
}

function showCheck(output, result, functions, module) {
  output.replaceChildren();
  if (result.error) {
    output.append(element("pre", { class: "tryit-message", text: result.error }));
    return;
  }
  if (result.note) output.append(element("pre", { class: "tryit-message", text: result.note }));
  const own = (row) => functions.includes(row.about);
  const mine = result.rows.filter(own);
  const rest = result.rows.filter((row) => !own(row));
  if (mine.length) {
    output.append(element("p", { class: "tryit-heading", text: `The tests of ${functions.join(", ")}:` }),
      element("ul", { class: "tryit-rows" }, ...mine.map(rowElement)));
  }
  if (rest.length) {
    const failed = rest.filter((row) => row.status === "failed").length;
    const details = element("details", { class: "tryit-rest" },
      element("summary", { text: `The rest of ${module}.py: ${rest.length} tests, ${failed} failed` }),
      element("ul", { class: "tryit-rows" }, ...rest.map(rowElement)));
    output.append(details);
  }
  if (result.summary) output.append(element("p", { class: "tryit-summary", text: `${module}.py: ${result.summary}` }));
  if (result.local && result.local.length) {
    output.append(element("p", { class: "tryit-local" },
      `Not run here, they train on the whole of MNIST: ${result.local.join(", ")}. Run them on your machine: `,
      element("code", { text: result.local_command })));
  }
}

function panel(holder) {
  const module = holder.dataset.module;
  const functions = holder.dataset.functions.split(" ");
  const stub = holder.dataset.stub;
  const key = storageKey(module, functions.join(","));
  const saved = store ? store.getItem(key) : null;
  const label = functions.join(", ");

  const title = element("p", { class: "tryit-title" },
    element("strong", { text: "Try it here. " }),
    `Write ${label} below; Check grades it in your browser with the course's grader, on the same tests as `,
    element("code", { text: `pytest grader --module ${module}` }),
    ". Your code stays in this browser. Esc, then Tab, leaves the editor.");
  const editorHolder = element("div", { class: "tryit-editor" });
  const buttons = element("div", { class: "tryit-buttons" });
  const status = element("p", { class: "tryit-state", role: "status", "aria-live": "polite" });
  const output = element("div", { class: "tryit-output" });
  holder.replaceChildren(title, editorHolder, buttons, status, output);
  holder.classList.add("tryit-panel");
  holder.setAttribute("role", "region");
  holder.setAttribute("aria-label", `Try it: ${label}`);

  const view = new EditorView({
    doc: saved !== null ? saved : stub,
    parent: editorHolder,
    extensions: [
      basicSetup,
      python(),
      syntaxHighlighting(highlight),
      EditorView.lineWrapping, // no scrolling region inside the page: it grows with the code instead
      keymap.of([indentWithTab]),
      EditorView.contentAttributes.of({ "aria-label": `Your code for ${label} (exercises/${module}.py)` }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && store) store.setItem(key, update.state.doc.toString());
      }),
    ],
  });
  holder.tryitView = view; // for the tests
  // A reader who starts typing will check soon: Python loads meanwhile (17 MB, once per page).
  editorHolder.addEventListener("focusin", () => runtime.start().catch(() => {}), { once: true });

  function files() {
    const all = editedFiles();
    const own = (all[module] = (all[module] || []).filter(([name]) => name !== functions.join(",")));
    own.push([functions.join(","), view.state.doc.toString()]);
    return all;
  }

  function hints() {
    try {
      return JSON.parse((store && store.getItem(HINTS)) || "{}");
    } catch {
      return {};
    }
  }

  const controls = [];
  function button(text, action) {
    const node = element("button", { type: "button", class: "tryit-button", text });
    node.addEventListener("click", async () => {
      controls.forEach((control) => (control.disabled = true));
      try {
        await action();
      } catch (error) {
        if (error.stopped) {
          const stopped = error.stopped;
          status.textContent = `Stopped: ${stopped.name} ran past its limit. Python was restarted in this page; fix the code and check again.`;
          output.replaceChildren(element("pre", { class: "tryit-message", text: `${stopped.name}: ${stopped.stopped}` }));
        } else {
          status.textContent = `The in-browser grader could not run: ${error.message}. The grader on your machine works as before: python -m pytest grader --module ${module}`;
        }
      } finally {
        controls.forEach((control) => (control.disabled = false));
      }
    });
    buttons.append(node);
    controls.push(node);
    return node;
  }

  const loading = () => { status.textContent = "Loading Python in this page (the first time takes a while)…"; };

  button("Check", async () => {
    status.textContent = `Checking ${module}.py…`;
    const result = await runtime.request({ op: "check", module, files: files() }, loading);
    showCheck(output, result, functions, module);
    const mine = (result.rows || []).filter((row) => functions.includes(row.about));
    const passed = mine.filter((row) => row.status === "passed").length;
    status.textContent = result.error ? "Your code cannot be read by Python: see below."
      : `Checked: ${passed} of ${mine.length} tests of ${label} passed (${result.seconds} s).`;
  });
  button("Trace", async () => {
    status.textContent = "Tracing the lesson's worked example…";
    const result = await runtime.request({ op: "trace", module, files: files() }, loading);
    output.replaceChildren(element("pre", { class: "tryit-message", text: result.error || result.text }));
    status.textContent = "Traced.";
  });
  button("Hint", async () => {
    status.textContent = "Looking for the next hint…";
    const result = await runtime.request({ op: "hint", module, method: functions[0], files: files(), hints: hints() },
      loading);
    if (result.hints && store) store.setItem(HINTS, JSON.stringify(result.hints));
    output.replaceChildren(element("pre", { class: "tryit-message", text: result.error || result.text }));
    status.textContent = "Hint shown.";
  });
  button("Download my file", async () => {
    status.textContent = `Making exercises/${module}.py…`;
    const result = await runtime.request({ op: "download", module, files: files() }, loading);
    if (result.error) {
      output.replaceChildren(element("pre", { class: "tryit-message", text: result.error }));
      status.textContent = "Python cannot read your code yet: fix the line named below, then download.";
      return;
    }
    const link = element("a", { href: URL.createObjectURL(new Blob([result.text], { type: "text/x-python" })),
      download: `${module}.py` });
    document.body.append(link);
    link.click();
    link.remove();
    status.textContent = `Downloaded ${module}.py: put it in exercises/ and run python -m pytest grader --module ${module}.`;
  });
  button("Back to the stub", async () => {
    if (!window.confirm(`Replace your code for ${label} with the stub? Your code here is lost (Download my file keeps a copy).`)) {
      status.textContent = "Your code is kept.";
      return;
    }
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: stub } });
    if (store) store.removeItem(key);
    status.textContent = `Back to the stub of ${label}.`;
  });
  holder.hidden = false;
}

function supported() {
  return typeof WebAssembly === "object" && typeof Worker === "function" && typeof Blob === "function";
}

function main() {
  if (!supported()) return;
  for (const holder of document.querySelectorAll("div.tryit[data-module]")) {
    try {
      panel(holder);
    } catch (error) {
      holder.hidden = true; // the page reads as before
      console.error("try-it panel:", error);
    }
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
