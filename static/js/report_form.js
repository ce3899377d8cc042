// The report form: keep the session alive, autosave the draft, and keep a copy of what was typed in
// localStorage so nothing is lost if the session expires or the browser closes; say "có thay đổi chưa lưu"
// between saves, ask before leaving the page with unsaved changes, and save the draft before a file upload
// reloads the page. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;

  var KEEPALIVE_MS = 5 * 60 * 1000;
  var AUTOSAVE_MS = 60 * 1000;
  var key = form.dataset.storageKey;
  var statusBox = document.getElementById("autosave-status");
  var revisionInput = form.querySelector("input[name=revision]");
  var dirty = false;
  var stopped = false;
  var leaving = false;  // the form itself is being sent: no "leave the page?" question
  var lastSaved = serialize();
  var UNSAVED = "Có thay đổi chưa lưu.";

  function say(text) {
    if (statusBox) statusBox.textContent = text;
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && ["csrfmiddlewaretoken", "revision", "action"].indexOf(el.name) === -1 &&
        ["submit", "button", "file"].indexOf(el.type) === -1;
    });
  }

  function serialize() {
    var values = {};
    fields().forEach(function (el) {
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return JSON.stringify(values);
  }

  function stash(submitted) {
    try {
      localStorage.setItem(key, JSON.stringify({
        revision: parseInt(revisionInput.value, 10),
        at: new Date().toISOString(),
        submitted: !!submitted,
        values: JSON.parse(serialize())
      }));
    } catch (e) { /* storage full or disabled: the server autosave still runs */ }
  }

  function readStash() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function clearStash() {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  // --- restore what the browser kept ---------------------------------------------------------------------
  var kept = readStash();
  var pageRevision = parseInt(form.dataset.revision, 10);
  if (form.dataset.bound === "1") {
    // A form sent back with errors shows what was typed, but nothing of it is saved: keep the copy.
    stash(false);
  } else if (kept) {
    var sameAsPage = JSON.stringify(kept.values) === serialize();
    var savedSince = kept.submitted && pageRevision > kept.revision;
    if (sameAsPage || savedSince) {
      clearStash();
    } else {
      var banner = document.getElementById("restore-banner");
      document.getElementById("restore-time").textContent = new Date(kept.at).toLocaleString("vi-VN");
      banner.classList.remove("d-none");
      document.getElementById("restore-apply").addEventListener("click", function () {
        fields().forEach(function (el) {
          if (!(el.name in kept.values)) return;
          if (el.type === "checkbox") el.checked = !!kept.values[el.name];
          else el.value = kept.values[el.name];
        });
        banner.classList.add("d-none");
        dirty = true;
        say("Đã khôi phục dữ liệu; hãy bấm “Lưu nháp” để lưu lên máy chủ. " + UNSAVED);
      });
      document.getElementById("restore-dismiss").addEventListener("click", function () {
        clearStash();
        banner.classList.add("d-none");
      });
    }
  }

  if (form.dataset.bound === "1") {
    // Sent back with errors (or a conflict): what is on the page is not saved yet.
    dirty = true;
    say(UNSAVED);
  }

  function changed() {
    dirty = serialize() !== lastSaved || form.dataset.bound === "1";
    stash(false);
    if (dirty && !stopped) say(UNSAVED);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    leaving = true;
    stash(true);
  });

  // --- leaving with unsaved changes asks first ---------------------------------------------------------
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !dirty) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to show their question
  });

  // --- a file upload reloads the page: save the draft first -----------------------------------------------
  var upload = document.getElementById("attachment-upload");
  if (upload) {
    upload.addEventListener("submit", function (event) {
      if (!dirty || stopped) {
        leaving = true;
        return;
      }
      event.preventDefault();
      say("Đang lưu nháp trước khi tải tệp lên…");
      autosave().then(function () {
        leaving = true;  // saved, or kept on this device (the copy in localStorage) if it could not be
        upload.submit();
      });
    });
  }

  // --- keep the session alive while the page is open ------------------------------------------------------
  window.setInterval(function () {
    fetch(form.dataset.keepaliveUrl, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
  }, KEEPALIVE_MS);

  // --- autosave the draft --------------------------------------------------------------------------------
  function autosave() {
    if (stopped || !dirty || serialize() === lastSaved) return Promise.resolve();
    var body = new FormData(form);
    body.set("action", "autosave");
    var snapshot = serialize();
    return fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (response.redirected || response.url.indexOf("/accounts/login/") !== -1) {
        stopped = true;
        say("Phiên đăng nhập đã hết. Dữ liệu bạn nhập vẫn được giữ trên máy này: đăng nhập lại rồi mở lại báo cáo để khôi phục.");
        return null;
      }
      return response.json().then(function (data) {
        if (data.saved) {
          revisionInput.value = data.revision;
          form.dataset.revision = data.revision;
          lastSaved = snapshot;
          form.dataset.bound = "0";
          dirty = serialize() !== snapshot;
          if (dirty) {
            stash(false);
            say(UNSAVED);
          } else {
            clearStash();
            say("Đã tự lưu nháp lúc " + data.saved_at + ".");
          }
        } else if (data.conflict) {
          stopped = true;
          say(data.message);
          statusBox.classList.add("text-danger");
        } else {
          say(data.message || "Chưa tự lưu được.");
        }
      });
    }).catch(function () {
      say("Chưa tự lưu được (mất kết nối). Dữ liệu vẫn được giữ trên máy này.");
    });
  }
  window.setInterval(autosave, AUTOSAVE_MS);
})();
