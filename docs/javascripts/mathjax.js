// MathJax 3 configuration for pymdownx.arithmatex (generic mode), served offline.
// Loaded before assets/mathjax/tex-mml-chtml.js (see extra_javascript in mkdocs.yml).

// MathJax lives next to this file's directory: <site>/assets/mathjax/. Resolving it from
// this script's own URL works at any page depth and under any site_url prefix.
const mathjaxRoot = new URL("../assets/mathjax", document.currentScript.src).href;

window.MathJax = {
  loader: {
    // Never fall back to a CDN: every component is loaded from the site.
    paths: { mathjax: mathjaxRoot },
    load: ["[tex]/boldsymbol"],
  },
  tex: {
    // arithmatex (generic) outputs \( \) and \[ \] inside .arithmatex elements.
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[+]": ["boldsymbol"] },
  },
  options: {
    // Only typeset what arithmatex marked as math, nothing else on the page.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  chtml: {
    fontURL: mathjaxRoot + "/output/chtml/fonts/woff-v2",
  },
  startup: {
    // Typesetting is driven by Material's document$ below, not by MathJax's startup.
    typeset: false,
  },
};

// document$ emits once per page (and on every page change if navigation.instant is ever
// enabled). Chain on MathJax's startup promise so typesetting waits for MathJax to be
// ready and successive typesets never overlap.
document$.subscribe(() => {
  MathJax.startup.promise = MathJax.startup.promise
    .then(() => {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      return MathJax.typesetPromise();
    })
    .catch((err) => console.error("MathJax typesetting failed:", err));
});
