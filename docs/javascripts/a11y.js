// Material draws a code annotation's marker as a link whose number comes from CSS, so the link
// has no text of its own; name it for screen readers (axe's link-name rule).
document$.subscribe(() => {
  const label = () =>
    document.querySelectorAll(".md-annotation__index:not([aria-label])").forEach((link) => {
      link.setAttribute("aria-label", "Show the note on this line");
    });
  label();
  new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
});
