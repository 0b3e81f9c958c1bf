/* Module pages: nothing typed, chosen or sent is lost on a slow or dropped connection.
   - Quiz answers in progress are kept in this browser (localStorage) and restored on reload,
     until the server has recorded an attempt with them.
   - Submitted quiz answers, reflections and "mark as done" go through the device queue
     (static/js/device-queue.js, window.AcompanaQueue): with a connection, at once (the page then
     shows what the server recorded); without one, they wait on this device and the page says
     so, then "Sent." when the server has them. Grading stays on the server: a quiz answered
     offline shows its result once sent.
   - Reflections autosave to the server as drafts (through the same queue, the newest draft
     only); the text is also kept in this browser and restored if it never reached the server.
   - Sent at once, a quiz or reflection reloads the page (it shows what was recorded); the
     server's words about it are carried over the reload (sessionStorage, this person's key,
     removed once shown) into the activity's status line, which takes the focus. "Mark as done"
     does not reload: the completion notice is a status that takes the focus.
   - When this browser's storage refuses the queue (full, blocked), the page says the item is
     not saved on this device (the queue then asks before the page is left).
   Every form still works without this script (or without the queue): an ordinary post.
   Strings come from data attributes, translated by the server, or are plain. */
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
  var queue = window.AcompanaQueue || null;

  // What the form sends, as [name, value] pairs; the button pressed adds its own.
  function pairs(form, submitter) {
    var list = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { list.push([name, value]); }
    });
    if (submitter && submitter.name) { list.push([submitter.name, submitter.value]); }
    return list;
  }

  // What happens to this page's items in the queue (here, or sent by another tab).
  var watchers = {};
  window.addEventListener("acompana:queue", function (event) {
    var detail = event.detail || {};
    var watcher = watchers[detail.key];
    if (!watcher) { return; }
    if (detail.state !== "queued") { delete watchers[detail.key]; }
    watcher(detail);
  });
  function watch(key, handler) { watchers[key] = handler; }

  function waiting(group, kind) {
    if (!queue) { return []; }
    return queue.items().filter(function (item) {
      return item.group === group && item.kind === kind;
    });
  }

  // What the server said, carried over a reload (see the top): this person's, read once.
  var FLASH = "acompana:flash:" + (queue ? queue.owner : "");
  function reloadAt(anchor, text) {
    if (text && anchor) {
      try {
        window.sessionStorage.setItem(FLASH, JSON.stringify({ anchor: anchor, text: text }));
      } catch (e) { /* storage off: the page still shows the result */ }
    }
    if (anchor) { window.location.hash = anchor; }
    window.location.reload();
  }

  // What a waiting item's status line says: "saved on this device", or that it is not.
  function queuedText(detail, text) {
    return detail && detail.persisted === false && queue ? queue.message("unsaved") : text;
  }

  // A status line: its words, and optionally a refusal's reason or a button.
  function say(element, text, options) {
    if (!element) { return; }
    options = options || {};
    element.textContent = text;
    element.classList.toggle("is-sent", Boolean(options.sent));
    if (options.more) { element.appendChild(document.createTextNode(" " + options.more)); }
    if (options.button) {
      element.appendChild(document.createTextNode(" "));
      element.appendChild(options.button);
    }
    if (options.focus && element.hasAttribute("tabindex")) { element.focus(); }
  }

  function reason(detail) {
    return (detail.data && (detail.data.error || detail.data.message)) || "";
  }

  // The module's completion notice follows, without a reload: a status (read out), which takes
  // the focus when the form the person used goes with it.
  function moduleCompleted(focus) {
    var notice = document.querySelector(".module-completion[data-msg-done]");
    if (!notice || notice.querySelector(".done")) { return; }
    var done = document.createElement("p");
    done.className = "done";
    done.setAttribute("role", "status");
    done.setAttribute("tabindex", "-1");
    notice.querySelectorAll("p, form").forEach(function (old) { old.remove(); });
    notice.appendChild(done);
    // Filled once in the live region, so that it is announced as it appears.
    done.textContent = "✓ " + notice.getAttribute("data-msg-done");
    if (focus) { done.focus(); }
  }

  // The server's words from before a reload (see reloadAt), in the activity's status line.
  (function () {
    var carried = null;
    try {
      carried = JSON.parse(window.sessionStorage.getItem(FLASH));
      window.sessionStorage.removeItem(FLASH);
    } catch (e) { carried = null; }
    if (!carried || !carried.text || !carried.anchor) { return; }
    var section = document.getElementById(carried.anchor);
    if (!section) { return; }
    var line = section.querySelector(".queue-status, .autosave-status");
    if (!line) {  // no form any more (a quiz passed): a status line of its own, at its top
      line = document.createElement("p");
      line.className = "queue-status";
      line.setAttribute("role", "status");
      var heading = section.querySelector("h2");
      if (heading) { heading.insertAdjacentElement("afterend", line); } else { section.prepend(line); }
    }
    line.textContent = carried.text;
    line.classList.add("is-sent");
    if (!line.hasAttribute("tabindex")) { line.setAttribute("tabindex", "-1"); }
    line.focus();
  })();

  // --- Quizzes ---------------------------------------------------------------------------------
  document.querySelectorAll("form[data-quiz]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var attempts = parseInt(form.getAttribute("data-attempts"), 10) || 0;
    var note = form.querySelector(".draft-note");
    var status = form.querySelector(".queue-status");
    var button = form.querySelector("button[type=submit]");
    var anchor = form.closest(".activity") && form.closest(".activity").id;
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
    if (!queue) { return; }  // the ordinary post

    // Answers sent (waiting, or sent with the page open) and what the page shows of them.
    var pending = null;
    var waited = false;
    function follow(itemKey) {
      pending = itemKey;
      if (button) { button.disabled = true; }
      watch(itemKey, function (detail) {
        if (detail.state === "queued") {
          if (!waited || detail.persisted === false) {
            waited = true;
            say(status, queuedText(detail, form.getAttribute("data-msg-queued")), { focus: true });
          }
          return;
        }
        pending = null;
        if (button) { button.disabled = false; }
        if (detail.state === "refused") {
          say(status, form.getAttribute("data-msg-refused"), { more: reason(detail), focus: true });
          return;
        }
        store.remove(key);
        if (!waited) {
          // Sent at once: the page shows the result and the feedback, and says what was sent.
          reloadAt(anchor, reason(detail) || form.getAttribute("data-msg-sent"));
          return;
        }
        // Sent later: the result, in the server's words; the feedback on a reload.
        var show = document.createElement("button");
        show.type = "button";
        show.className = "link-button";
        show.textContent = form.getAttribute("data-msg-result");
        show.addEventListener("click", function () { reloadAt(anchor); });
        say(status, form.getAttribute("data-msg-sent"),
            { sent: true, more: reason(detail), button: show });
        if (detail.data && detail.data.module_completed) { moduleCompleted(); }
      });
    }
    // Answers that wait on this device since an earlier visit: shown as chosen, and waiting.
    var earlier = waiting(key, "quiz");
    if (earlier.length) {
      var last = earlier[earlier.length - 1];
      var chosen = {};
      last.body.forEach(function (pair) { (chosen[pair[0]] = chosen[pair[0]] || []).push(pair[1]); });
      form.querySelectorAll("input[name^='q-']").forEach(function (input) {
        input.checked = (chosen[input.name] || []).indexOf(input.value) !== -1;
      });
      waited = true;
      say(status, form.getAttribute("data-msg-queued"));
      follow(last.key);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) {
        // Another tab of this person may have queued answers to this quiz since this page loaded.
        var other = waiting(key, "quiz");
        if (other.length) {
          waited = true;
          follow(other[other.length - 1].key);
        }
      }
      if (pending) {  // these answers wait already: one attempt, not two
        if (waited) { say(status, form.getAttribute("data-msg-queued"), { focus: true }); }
        return;
      }
      keep();
      // A new submission each time (the server records one attempt per submission id), and
      // the same id as the key that makes sending it twice record it once.
      var itemKey = queue.uuid();
      var body = pairs(form).filter(function (pair) { return pair[0] !== "submission_id"; });
      body.push(["submission_id", itemKey]);
      var input = form.querySelector("input[name=submission_id]");
      if (input) { input.value = itemKey; }
      waited = false;
      say(status, "");
      follow(itemKey);
      var title = form.closest(".activity") && form.closest(".activity").querySelector("h2");
      queue.add({
        kind: "quiz", url: form.getAttribute("action"), body: body, key: itemKey, group: key,
        label: title ? title.textContent : ""
      });
    });
  });

  // --- Reflections -----------------------------------------------------------------------------
  document.querySelectorAll("form[data-reflection]").forEach(function (form) {
    var key = form.getAttribute("data-draft-key");
    var serverSavedAt = parseInt(form.getAttribute("data-saved-at"), 10) || 0;
    var textarea = form.querySelector("textarea");
    var status = form.querySelector(".autosave-status");
    var anchor = form.closest(".activity") && form.closest(".activity").id;
    var messages = {
      saving: form.getAttribute("data-msg-saving") || "Saving…",
      saved: form.getAttribute("data-msg-saved") || "Draft saved.",
      offline: form.getAttribute("data-msg-offline") ||
        "Not saved to the server yet (no connection?). Your text is kept on this device.",
      restored: form.getAttribute("data-msg-restored") ||
        "Restored text you wrote on this device that had not reached the server.",
      queued: form.getAttribute("data-msg-queued"),
      sent: form.getAttribute("data-msg-sent"),
      refused: form.getAttribute("data-msg-refused")
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
    if (!queue) { return; }  // no autosave: the buttons post the ordinary way
    var slot = key + ":draft";
    var explicit = null;  // the "Save draft" or "Submit" waiting, if any
    var waited = false;

    function followDraft(itemKey, text) {
      watch(itemKey, function (detail) {
        if (detail.state === "queued") {
          status.textContent = queuedText(detail, messages.offline);
        } else if (detail.state === "refused") {
          say(status, messages.refused, { more: reason(detail) });
        } else {
          status.textContent = messages.saved;
          var kept = store.get(key);
          if (kept && kept.text === text) { store.remove(key); }
        }
      });
    }
    function save() {
      status.textContent = messages.saving;
      var body = pairs(form).filter(function (pair) { return pair[0] !== "action"; });
      body.push(["action", "save"]);
      var itemKey = queue.uuid();
      followDraft(itemKey, textarea.value);
      queue.add({ kind: "reflection", url: form.getAttribute("action"), body: body, key: itemKey,
                  slot: slot, group: key });
    }
    function followExplicit(itemKey) {
      explicit = itemKey;
      watch(itemKey, function (detail) {
        if (detail.state === "queued") {
          if (!waited || detail.persisted === false) {
            waited = true;
            say(status, queuedText(detail, messages.queued));
          }
          return;
        }
        explicit = null;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
        if (detail.state === "refused") {
          say(status, messages.refused, { more: reason(detail) });
          return;
        }
        var kept = store.get(key);
        if (kept && kept.text === textarea.value) { store.remove(key); }
        if (!waited) {
          // Sent at once: the page shows it saved or submitted, and says so.
          reloadAt(anchor, reason(detail) || messages.sent);
          return;
        }
        say(status, messages.sent, { sent: true });
        if (detail.data && detail.data.module_completed) { moduleCompleted(); }
      });
    }
    // A "Submit" sent from this device since an earlier visit that still waits.
    waiting(key, "reflection").forEach(function (item) {
      if (item.slot) {
        followDraft(item.key, null);
      } else {
        waited = true;
        say(status, messages.queued);
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        followExplicit(item.key);
      }
    });
    textarea.addEventListener("input", function () {
      keepLocally();
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 2000);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keepLocally();
      window.clearTimeout(timer);
      if (explicit) {  // one waits already: it is the one sent
        if (waited) { say(status, messages.queued); }
        return;
      }
      var submitter = event.submitter ||
        form.querySelector("button[type=submit][value=submit]");
      var body = pairs(form, submitter);
      var itemKey = queue.uuid();
      waited = false;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      followExplicit(itemKey);
      var heading = form.closest(".activity") && form.closest(".activity").querySelector("h2");
      queue.add({ kind: "reflection", url: form.getAttribute("action"), body: body, key: itemKey,
                  group: key, label: heading ? heading.textContent : "" });
    });
    // Text kept here that never reached the server (restored above): saved once online.
    window.addEventListener("online", function () {
      var kept = store.get(key);
      if (kept && kept.text === textarea.value && !waiting(key, "reflection").length) { save(); }
    });
  });

  // --- "Mark as done" --------------------------------------------------------------------------
  document.querySelectorAll("form[data-done]").forEach(function (form) {
    if (!queue) { return; }
    var status = form.querySelector(".queue-status");
    var button = form.querySelector("button[type=submit]");
    var group = "done:" + form.getAttribute("action");
    var waited = false;
    function follow(itemKey) {
      if (button) { button.disabled = true; }
      watch(itemKey, function (detail) {
        if (detail.state === "queued") {
          if (!waited || detail.persisted === false) {
            waited = true;
            say(status, queuedText(detail, form.getAttribute("data-msg-queued")), { focus: true });
          }
          return;
        }
        if (button) { button.disabled = false; }
        if (detail.state === "refused") {
          say(status, form.getAttribute("data-msg-refused"), { more: reason(detail), focus: true });
          return;
        }
        if (detail.data && detail.data.module_completed) {
          var section = form.closest(".module-completion");
          // The form goes: the focus moves to the notice that replaces it (not to the page).
          moduleCompleted(!waited || form.contains(document.activeElement));
          if (waited && section) {
            var sent = document.createElement("p");
            sent.className = "queue-status is-sent";
            sent.setAttribute("role", "status");
            sent.textContent = form.getAttribute("data-msg-sent");
            section.appendChild(sent);
          }
        } else {
          say(status, form.getAttribute("data-msg-sent"), { sent: true });
        }
      });
    }
    var earlier = waiting(group, "done");
    if (earlier.length) {
      waited = true;
      say(status, form.getAttribute("data-msg-queued"));
      follow(earlier[earlier.length - 1].key);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button && button.disabled) { return; }
      var itemKey = queue.uuid();
      waited = false;
      follow(itemKey);
      queue.add({ kind: "done", url: form.getAttribute("action"), body: pairs(form),
                  key: itemKey, group: group });
    });
  });
})();
