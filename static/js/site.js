/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Suggest the browser's time zone on forms that ask for one; the person confirms it.
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
  if (zone) {
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      var untouched = select.value === "UTC" || select.value === "";
      var option = select.querySelector('option[value="' + zone + '"]');
      if (untouched && option) { select.value = zone; }
    });
  }
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
