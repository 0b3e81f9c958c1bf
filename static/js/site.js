/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Suggest the browser's time zone on forms that ask for one; the person confirms it.
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone) {
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      var untouched = select.value === "UTC" || select.value === "";
      var aliases = {};
      // The list holds canonical zones only; a browser may give a legacy name (Asia/Calcutta).
      try { aliases = JSON.parse(select.getAttribute("data-zone-aliases") || "{}"); } catch (e) { /* none */ }
      var name = aliases[zone] || zone;
      var option = select.querySelector('option[value="' + name + '"]');
      if (untouched && option) { select.value = name; }
    });
  }
  // On a phone the header's menu folds behind a button (site.css shows the button on narrow
  // screens only); Escape closes it and gives the focus back to the button.
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  if (toggle) {
    header.classList.add("js-menu");
    toggle.hidden = false;
    var setOpen = function (open) {
      header.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () {
      setOpen(!header.classList.contains("menu-open"));
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }
  // Copy buttons (the private calendar address): the status beside the button says it worked.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentElement.querySelector(".copy-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { if (status) { status.textContent = button.getAttribute("data-copied"); } };
      var failed = function () {
        field.select();
        if (status) { status.textContent = button.getAttribute("data-copy-failed"); }
      };
      if (status) { status.textContent = ""; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });
  // Low-bandwidth mode: an image is fetched only when the person asks for it (without this
  // script, "Show image" is a link to the image itself). With it the link acts as a button (role,
  // and Space as well as Enter); once the image takes the placeholder's place, focus moves to the
  // figure, which holds the image and its caption: the link is gone, and an image without
  // alternative text could not take focus in a way a screen reader announces.
  document.querySelectorAll("a[data-show-image]").forEach(function (link) {
    var show = function () {
      var image = document.createElement("img");
      image.src = link.getAttribute("data-src");
      image.alt = link.getAttribute("data-alt") || "";
      if (link.getAttribute("data-width")) { image.width = +link.getAttribute("data-width"); }
      if (link.getAttribute("data-height")) { image.height = +link.getAttribute("data-height"); }
      var placeholder = link.closest(".image-placeholder");
      var figure = link.closest("figure") || placeholder.parentElement;
      placeholder.replaceWith(image);
      figure.tabIndex = -1;
      figure.focus();
    };
    link.setAttribute("role", "button");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      show();
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault(); // no page scroll, as with a button
        show();
      }
    });
  });
  // Signing out wipes what this site kept in the browser for the person: drafts, their device
  // queue (static/js/device-queue.js) and the courses they saved for offline reading
  // (static/js/offline.js): on a shared device, nothing of one person stays for the next (the
  // server's answer asks the browser to clear the rest too: training/device.py). What still
  // waits to be sent is tried first (a few seconds); if some is left, the person is asked
  // before it is deleted. Someone else's queue is not this sign-out's: it goes when another
  // person's page loads (device-queue.js). The saved copies are wiped before the form goes (at
  // most a few seconds: signing out never waits on a stuck browser storage).
  var within = function (promise, seconds) {
    return Promise.race([
      Promise.resolve(promise).catch(function () {}),
      new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); })
    ]);
  };
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-wiped")) { return; }
      var queue = window.AcompanaQueue;
      if (!window.Promise) { return; }
      event.preventDefault();
      form.setAttribute("data-wiped", "1");
      var waiting = queue ? queue.pending() : 0;
      var sending = waiting && navigator.onLine !== false ? within(queue.flush(), 5) : Promise.resolve();
      sending.then(function () {
        var left = queue ? queue.pending() : 0;
        var question = form.getAttribute("data-msg-unsent");
        if (left > 0 && question && !window.confirm(question.replace("%(count)s", String(left)))) {
          form.removeAttribute("data-wiped");  // kept, and still signed in
          return;
        }
        try {
          var mine = queue ? "acompana:queue:" + queue.owner : null;
          Object.keys(window.localStorage).forEach(function (key) {
            var otherQueue = key.indexOf("acompana:queue:") === 0 && key !== mine;
            if (key.indexOf("acompana:") === 0 && !otherQueue) { window.localStorage.removeItem(key); }
          });
        } catch (e) { /* storage unavailable: nothing to wipe */ }
        var wiping = [];
        try {
          if (queue && queue.clear) { wiping.push(queue.clear()); }
          if (window.AcompanaOffline && window.AcompanaOffline.forget) { wiping.push(window.AcompanaOffline.forget()); }
        } catch (e) { /* nothing more to wipe */ }
        var send = function () { form.submit(); };
        within(Promise.all(wiping.map(function (w) { return Promise.resolve(w).catch(function () {}); })), 3)
          .then(send, send);
      });
    });
  });
})();
