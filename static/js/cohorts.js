/* Cohort pages: a half-written application survives a reload or a dropped connection. The
   answers are kept in this browser (under this person's key) until the form is sent. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-application]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var note = form.querySelector(".draft-note");
    var fields = form.querySelectorAll("textarea, select");
    var draft = null;
    try { draft = JSON.parse(window.localStorage.getItem(key)); } catch (e) { draft = null; }
    if (draft) {
      fields.forEach(function (field) {
        // What the server sent back (after an error) wins over an older copy on the device.
        if (!field.value && draft[field.name]) { field.value = draft[field.name]; }
      });
      if (note) { note.hidden = false; }
    }
    form.addEventListener("input", function () {
      var answers = {};
      fields.forEach(function (field) { answers[field.name] = field.value; });
      try { window.localStorage.setItem(key, JSON.stringify(answers)); } catch (e) { /* off */ }
      if (note) { note.hidden = false; }
    });
  });
  // Trainers' decisions: the message starts from the kind template of the chosen decision, and
  // what the trainer wrote is never overwritten.
  document.querySelectorAll("form[data-decisions]").forEach(function (form) {
    var decision = form.querySelector("select[name='decision']");
    var message = form.querySelector("textarea[name='message']");
    if (!decision || !message) { return; }
    var templates = ["accept", "waitlist", "decline"].map(function (name) {
      return form.getAttribute("data-msg-" + name);
    });
    function fill() {
      if (!message.value || templates.indexOf(message.value) !== -1) {
        message.value = form.getAttribute("data-msg-" + decision.value) || "";
      }
    }
    decision.addEventListener("change", fill);
    fill();
  });
  // The server confirmed the application: the copy on the device is no longer needed.
  document.querySelectorAll("[data-application-sent]").forEach(function (marker) {
    try { window.localStorage.removeItem(marker.getAttribute("data-application-sent")); } catch (e) { /* off */ }
  });
})();
