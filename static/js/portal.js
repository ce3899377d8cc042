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
