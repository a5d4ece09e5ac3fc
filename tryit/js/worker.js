// The try-it panels' Python: Pyodide, numpy, pytest and the course's grader (course.zip), all
// from this site's tryit/ folder. One request at a time: {id, request} in, {id, result} out, with
// {event} messages while a check runs (the test that starts, and its time limit), so that the page
// can end this worker when a test runs past its limit. See tryit/py/tryit_grade.py.
/* global loadPyodide, importScripts */
"use strict";
importScripts("pyodide/pyodide.js");

let python = null;

async function unpack(pyodide, url, format, extractDir) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  pyodide.unpackArchive(await response.arrayBuffer(), format, { extractDir });
}

async function start() {
  const base = new URL(".", self.location.href).href;
  const pyodide = await loadPyodide({ indexURL: base + "pyodide/" });
  await pyodide.loadPackage("numpy", { messageCallback: () => {} }); // checked against pyodide-lock.json's sha256
  const wheels = await (await fetch(base + "wheels.json")).json();
  const site = "/lib/python3.12/site-packages";
  await Promise.all([...wheels.map((wheel) => unpack(pyodide, base + "wheels/" + wheel.name, wheel.format, site)),
    unpack(pyodide, base + "course.zip", "zip", "/course")]);
  self.tryitNotify = (text) => self.postMessage({ event: JSON.parse(text) });
  pyodide.runPython(`
import sys
sys.path.insert(0, "/course/tryit/py")
import tryit_grade
tryit_grade.install()
import pytest, grader.plugin, grader.conftest, grader.checks  # noqa: F401  (imported now, not in the first check)
`);
  return pyodide.globals.get("tryit_grade");
}

const ready = start().then(
  (module) => { python = module; self.postMessage({ ready: true }); },
  (error) => { self.postMessage({ failed: String(error && error.message || error) }); throw error; },
);

self.onmessage = async (message) => {
  const { id, request } = message.data;
  try {
    await ready;
    const result = JSON.parse(python.run(JSON.stringify(request)));
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message || error) });
  }
};
