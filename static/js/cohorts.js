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
  // Trainers' lists: a checkbox in the header selects every row (without JavaScript, a link
  // reloads the list with every box ticked).
  document.querySelectorAll("form[data-decisions]").forEach(function (form) {
    var all = form.querySelector("input[data-select-all]");
    var boxes = form.querySelectorAll("input[type='checkbox'][name='application']");
    var link = form.querySelector("[data-select-all-link]");
    if (!all || !boxes.length) { return; }
    function sync() {
      var checked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
      all.checked = checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    all.hidden = false;
    if (link) { link.hidden = true; }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
  // A new cohort's web address follows its title until the trainer types one of their own
  // (without JavaScript, the server makes it from the title when it is left empty).
  document.querySelectorAll("input[data-slug-from]").forEach(function (slug) {
    var title = document.getElementById(slug.getAttribute("data-slug-from"));
    if (!title) { return; }
    var max = parseInt(slug.getAttribute("maxlength"), 10) || 80;
    function slugify(text) {
      return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
        .replace(/[^a-z0-9\s-]/g, "").trim().replace(/[\s-]+/g, "-").slice(0, max - 4)
        .replace(/^-+|-+$/g, "");
    }
    var following = !slug.value || slug.value === slugify(title.value);
    title.addEventListener("input", function () {
      if (following) { slug.value = slugify(title.value); }
    });
    slug.addEventListener("input", function () { following = !slug.value; });
  });
  // The server confirmed the application: the copy on the device is no longer needed.
  document.querySelectorAll("[data-application-sent]").forEach(function (marker) {
    try { window.localStorage.removeItem(marker.getAttribute("data-application-sent")); } catch (e) { /* off */ }
  });
})();
