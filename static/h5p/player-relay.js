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
   - the content's height → "resize", so the page's frame fits the content.
   - the player failing to start (a file it needs missing, content it cannot read) → "error",
     so the page says so and offers to try again instead of "Loading…" for a minute.
   The page carries a manifest (h5p.json and each library.json, their dependencies naming the
   exact stored library folders): the player's fetches of those are answered from it, so it
   starts without a chain of round trips and asks for library files at URLs shared by every
   activity and kept by the browser. */
(function () {
  "use strict";
  var container = document.getElementById("h5p-container");
  // The signed launch is part of `base` (the player page's own path); content comes from
  // `content`, signed for this person and activity; libraries are public, versioned code.
  var base = container.getAttribute("data-base");
  var libraries = container.getAttribute("data-libraries");
  var content = container.getAttribute("data-content");
  var player = container.getAttribute("data-player");
  var language = container.getAttribute("lang");
  var platform = container.getAttribute("data-platform-origin");
  var objectIri = container.getAttribute("data-object-iri");
  var framed = window.parent !== window;
  var started = false;
  var ready = false;
  var failed = false;
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

  var manifest = { h5p: null, libraries: {}, directories: {} };
  try {
    manifest = JSON.parse(document.getElementById("h5p-manifest").textContent);
  } catch (e) { /* no manifest: the player fetches everything itself */ }

  // The player fetches h5p.json and each library.json before it starts: answered from the
  // manifest (exact URLs only); every other request goes out as it would.
  function absolute(url) {
    try { return new URL(url, window.location.href).href; } catch (e) { return String(url); }
  }
  var answers = {};
  if (manifest.h5p) { answers[absolute(base + "/h5p.json")] = manifest.h5p; }
  Object.keys(manifest.libraries || {}).forEach(function (folder) {
    answers[absolute(libraries + "/" + folder + "/library.json")] = manifest.libraries[folder];
  });
  var realFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = absolute(typeof input === "string" ? input : (input && input.url));
    if (Object.prototype.hasOwnProperty.call(answers, url)) {
      return Promise.resolve(new Response(JSON.stringify(answers[url]), {
        status: 200, headers: { "Content-Type": "application/json" }
      }));
    }
    return realFetch.apply(this, arguments);
  };

  function tell(message) {
    if (framed) { window.parent.postMessage(message, platform); }
  }

  // Once, and only before the player is ready: the page shows the failure and "Try again".
  function fail() {
    if (ready || failed) { return; }
    failed = true;
    tell({ type: "acompana:h5p:error" });
  }

  // The player waits for each of its <script> tags to load, and for nothing else: one that fails
  // (a library file gone, the connection dropped) would leave it waiting for ever. Load errors
  // do not bubble: listened for in the capture phase.
  document.addEventListener("error", function (event) {
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "SCRIPT" || tag === "LINK") { fail(); }
  }, true);

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
    // libraryDirectories: what H5P builds at run time ("<name>-<major>.<minor>") goes to the
    // exact folder too.
    window.H5PIntegration = {
      libraryConfig: { "H5P.MathDisplay": { renderer: { none: {} } } },
      libraryDirectories: manifest.directories || {}
    };
    lastState = previousState || null;
    var options = {
      h5pJsonPath: base,
      contentJsonPath: content,
      librariesPath: libraries,
      frameJs: player + "/frame.bundle.js",
      frameCss: player + "/styles/h5p.css",
      xAPIObjectIRI: objectIri,
      embedType: "div",
      saveFreq: 5
    };
    if (previousState) { options.contentUserData = [{ state: previousState }]; }
    new window.H5PStandalone.H5P(container, options).then(function () {
      // The exercise carries the language it is written in (screen readers, hyphenation).
      var element = container.querySelector(".h5p-content");
      if (element && language) { element.setAttribute("lang", language); }
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        tell({ type: "acompana:h5p:xapi", statement: event.data.statement });
        window.setTimeout(sendState, 500);
      });
      ready = true;
      tell({ type: "acompana:h5p:ready" });
      window.setInterval(sendState, 30000);
      var soon = function () { window.setTimeout(sendState, 500); };
      container.addEventListener("click", soon, true);
      container.addEventListener("keyup", soon, true);
      window.setInterval(measure, 500);
      measure();
    }).catch(fail);  // h5p.json, content.json or a library.json unreadable, or H5P failed to start
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
