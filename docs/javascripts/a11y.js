// Accessibility touches on what Material's JavaScript adds to a page (checked by axe-core in
// tests/test_browser.py):
// - a code annotation's marker is a link whose number comes from CSS, so it has no text of its
//   own: name it for screen readers (axe's link-name);
// - a wide table scrolls inside a wrapper, which keyboard users must be able to focus to scroll
//   (axe's scrollable-region-focusable).
document$.subscribe(() => {
  const mend = () => {
    document.querySelectorAll(".md-annotation__index:not([aria-label])").forEach((link) => {
      link.setAttribute("aria-label", "Show the note on this line");
    });
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach((wrap) => {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table, scrolls sideways");
    });
  };
  mend();
  new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
});
