/* Runs on the H5P origin, inside the module page's sandboxed iframe. It starts the pinned
   h5p-standalone player on this activity and passes each xAPI statement to the platform page
   (and only to it: postMessage with the platform's exact origin). The platform page checks
   the message's origin and sends the statement to the server with the learner's session. */
(function () {
  "use strict";
  var container = document.getElementById("h5p-container");
  var base = container.getAttribute("data-base");
  var platform = container.getAttribute("data-platform-origin");
  var options = {
    h5pJsonPath: base,
    librariesPath: base + "/libraries",
    frameJs: "/h5p/player/frame.bundle.js",
    frameCss: "/h5p/player/styles/h5p.css"
  };
  new window.H5PStandalone.H5P(container, options).then(function () {
    window.H5P.externalDispatcher.on("xAPI", function (event) {
      window.parent.postMessage(
        { type: "acompana:h5p:xapi", statement: event.data.statement }, platform
      );
    });
    window.parent.postMessage({ type: "acompana:h5p:ready" }, platform);
  });
})();
