/* The self-care plan's "Print" button (templates/care/plan.html): shown only when a script runs;
   without it, the browser's own Print prints the same plan (static/css/care.css). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || typeof window.print !== "function") { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
