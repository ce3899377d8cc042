// Portal behaviour that must not be inline (Content Security Policy forbids inline script).
(function () {
  "use strict";

  // File pickers (core.forms.file_picker): the browser's own button speaks the browser's language
  // ("Choose File"), so the input is hidden behind a Vietnamese one; show the chosen file's name beside it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("file-input")) return;
    var label = document.getElementById(input.id + "_name");
    if (!label) return;
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    label.textContent = names.length ? names.join(", ") : "Chưa chọn tệp nào";
  });
})();

// A table wider than the screen scrolls inside its frame: the frame takes the keyboard focus so that the arrow
// keys can scroll it (WCAG 2.1.1; axe's "scrollable-region-focusable").
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll(".table-responsive, .matrix-wrap").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1 || frame.scrollHeight > frame.clientHeight + 1;
      if (scrolls && !frame.hasAttribute("tabindex")) {
        frame.tabIndex = 0;
        frame.classList.add("scroll-frame");
      } else if (!scrolls && frame.classList.contains("scroll-frame")) {
        frame.removeAttribute("tabindex");
        frame.classList.remove("scroll-frame");
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusable);
  else focusable();
  window.addEventListener("resize", focusable);
  document.addEventListener("htmx:afterSwap", focusable);
})();
