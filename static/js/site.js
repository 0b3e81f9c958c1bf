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
  // Signing out wipes every draft this site kept in the browser: on a shared device, nothing
  // of one person's quiz answers or reflections stays for the next.
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (form) {
    form.addEventListener("submit", function () {
      try {
        Object.keys(window.localStorage).forEach(function (key) {
          if (key.indexOf("acompana:") === 0) { window.localStorage.removeItem(key); }
        });
      } catch (e) { /* storage unavailable: nothing to wipe */ }
    });
  });
})();
