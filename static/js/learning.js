/* Module pages: nothing typed or chosen is lost on a slow or dropped connection.
   - Quiz answers in progress are kept in this browser (localStorage) and restored on reload,
     until the server has recorded an attempt with them.
   - Reflections autosave to the server as drafts; when the connection drops, the text is kept
     in this browser and restored, and saving resumes.
   Every form still works without this script. Strings come from data attributes or are plain. */
(function () {
  "use strict";
  var store = {
    get: function (key) {
      try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or off */ }
    },
    remove: function (key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* off */ }
    }
  };

  document.querySelectorAll("form[data-quiz]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var attempts = parseInt(form.getAttribute("data-attempts"), 10) || 0;
    var note = form.querySelector(".draft-note");
    var draft = store.get(key);
    if (draft && draft.attempts === attempts && draft.answers) {
      form.querySelectorAll("input[name^='q-']").forEach(function (input) {
        var chosen = draft.answers[input.name] || [];
        input.checked = chosen.indexOf(input.value) !== -1;
      });
      if (note) { note.hidden = false; }
    } else if (draft) {
      store.remove(key); // the server recorded an attempt since: the draft is done
    }
    function keep() {
      var answers = {};
      form.querySelectorAll("input[name^='q-']:checked").forEach(function (input) {
        (answers[input.name] = answers[input.name] || []).push(input.value);
      });
      store.set(key, { attempts: attempts, answers: answers });
      if (note) { note.hidden = false; }
    }
    form.addEventListener("change", keep);
    // Submitted without a connection, the browser would replace the page with its own error
    // page. The answers go by fetch instead: once the server has them (it answers with a
    // redirect), the page reloads to show the result; with no connection the person reads a
    // warning on this page, answers still chosen. Any other answer (an error page): the form is
    // submitted the ordinary way, so the person reads what the server says (submitting twice
    // records one attempt: the form carries its submission id).
    var offline = form.querySelector(".quiz-offline");
    var button = form.querySelector("button[type=submit]");
    function showOffline() {
      keep();
      if (button) { button.disabled = false; }
      if (offline) { offline.hidden = false; offline.focus(); }
    }
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      if (offline) { offline.hidden = true; }
      if (navigator.onLine === false) { showOffline(); return; }
      if (button) { button.disabled = true; }
      fetch(form.getAttribute("action"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        if (response.type === "opaqueredirect") {
          window.location.hash = form.closest(".activity").id;
          window.location.reload();
        } else {
          HTMLFormElement.prototype.submit.call(form);
        }
      }).catch(showOffline);
    });
  });

  document.querySelectorAll("form[data-reflection]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var serverSavedAt = parseInt(form.getAttribute("data-saved-at"), 10) || 0;
    var textarea = form.querySelector("textarea");
    var status = form.querySelector(".autosave-status");
    var messages = {
      saving: form.getAttribute("data-msg-saving") || "Saving…",
      saved: form.getAttribute("data-msg-saved") || "Draft saved.",
      offline: form.getAttribute("data-msg-offline") ||
        "Not saved to the server yet (no connection?). Your text is kept on this device.",
      restored: form.getAttribute("data-msg-restored") ||
        "Restored text you wrote on this device that had not reached the server."
    };
    var local = store.get(key);
    if (local && (local.text === textarea.value || local.at <= serverSavedAt)) {
      store.remove(key); // the server has it (or something newer): no copy stays on the device
    } else if (local) {
      textarea.value = local.text;
      status.textContent = messages.restored;
    }
    var timer = null;
    function keepLocally() {
      store.set(key, { text: textarea.value, at: Math.floor(Date.now() / 1000) });
    }
    function save() {
      var data = new FormData(form);
      data.set("action", "save");
      status.textContent = messages.saving;
      // getAttribute: the buttons named "action" shadow the form's `action` property.
      fetch(form.getAttribute("action"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function () {
        status.textContent = messages.saved;
        store.remove(key);
      }).catch(function () {
        status.textContent = messages.offline;
      });
    }
    textarea.addEventListener("input", function () {
      keepLocally();
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 2000);
    });
    form.addEventListener("submit", keepLocally);
    window.addEventListener("online", function () { if (store.get(key)) { save(); } });
  });
})();
