/* Runs on the H5P origin, inside the module page's sandboxed iframe. It starts the pinned
   h5p-standalone player on this activity and talks to the platform page, and only to it:
   every message goes to the platform's exact origin, and only messages from the parent window
   on that origin are read.
   - "hello" → the page answers "launch" with where the learner was (resume state), then the
     player starts. Opened on its own (no parent), or when no answer comes, it starts fresh.
   - each xAPI statement → "xapi"; the page checks, numbers and sends it to the server.
   - the player's state, every 30 seconds, shortly after each statement and each click or key
     in the content (moving to the next question changes where the learner is without a
     statement), and when the page is hidden → "state" (only when it changed).
   - the content's height → "resize", so the page's frame fits the content. */
(function () {
  "use strict";
  var container = document.getElementById("h5p-container");
  // The signed launch is part of `base`, so h5p.json and content/ (fetched relative to it) carry
  // it; libraries are public, versioned code, fetched without it.
  var base = container.getAttribute("data-base");
  var libraries = container.getAttribute("data-libraries");
  var platform = container.getAttribute("data-platform-origin");
  var objectIri = container.getAttribute("data-object-iri");
  var framed = window.parent !== window;
  var started = false;
  var lastState = null;
  var lastHeight = 0;

  // Browsers that keep third-party frames from storage (private windows, strict settings) throw
  // on any use of localStorage, and H5P's start-up would stop half-way. Keep it in memory then.
  try {
    window.localStorage.getItem("acompana");
  } catch (e) {
    var memory = {};
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      value: {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null; },
        setItem: function (k, v) { memory[k] = String(v); },
        removeItem: function (k) { delete memory[k]; },
        clear: function () { memory = {}; },
        key: function (i) { return Object.keys(memory)[i] || null; },
        get length() { return Object.keys(memory).length; }
      }
    });
  }

  function tell(message) {
    if (framed) { window.parent.postMessage(message, platform); }
  }

  function currentState() {
    var h5p = window.H5P;
    var instance = h5p && h5p.instances && h5p.instances[0];
    if (!instance || typeof instance.getCurrentState !== "function") { return null; }
    try {
      var state = instance.getCurrentState();
      return state === undefined ? null : JSON.stringify(state);
    } catch (e) { return null; }
  }

  function sendState() {
    var state = currentState();
    if (state !== null && state !== lastState) {
      lastState = state;
      tell({ type: "acompana:h5p:state", state: state });
    }
  }

  function measure() {
    var height = Math.ceil(container.getBoundingClientRect().height);
    if (height && Math.abs(height - lastHeight) > 2) {
      lastHeight = height;
      tell({ type: "acompana:h5p:resize", height: height + 8 });
    }
  }

  function start(previousState) {
    if (started) { return; }
    started = true;
    // Settings the player merges into its own. H5P.MathDisplay would fetch MathJax from a CDN,
    // which this origin's policy blocks (and its failure stops the content from starting):
    // formulas are shown as typed instead.
    window.H5PIntegration = { libraryConfig: { "H5P.MathDisplay": { renderer: { none: {} } } } };
    lastState = previousState || null;
    var options = {
      h5pJsonPath: base,
      librariesPath: libraries,
      frameJs: "/h5p/player/frame.bundle.js",
      frameCss: "/h5p/player/styles/h5p.css",
      xAPIObjectIRI: objectIri,
      embedType: "div",
      saveFreq: 5
    };
    if (previousState) { options.contentUserData = [{ state: previousState }]; }
    new window.H5PStandalone.H5P(container, options).then(function () {
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        tell({ type: "acompana:h5p:xapi", statement: event.data.statement });
        window.setTimeout(sendState, 500);
      });
      tell({ type: "acompana:h5p:ready" });
      window.setInterval(sendState, 30000);
      var soon = function () { window.setTimeout(sendState, 500); };
      container.addEventListener("click", soon, true);
      container.addEventListener("keyup", soon, true);
      window.setInterval(measure, 500);
      measure();
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== platform) { return; }
    var data = event.data;
    if (data && data.type === "acompana:h5p:launch") {
      start(typeof data.state === "string" ? data.state : null);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { sendState(); }
  });
  window.addEventListener("pagehide", sendState);

  if (framed) {
    tell({ type: "acompana:h5p:hello" });
    window.setTimeout(function () { start(null); }, 4000);
  } else {
    start(null);
  }
})();
