/* Acompaña's service worker: served at /sw.js (scope "/") by training.offline, which writes the
   static files' version below (a deployment that changes them changes this file, and browsers
   install the new worker).

   - Pages: the network first, always. Only when the network fails does the worker answer, with
     the copy saved for offline reading (static/js/offline.js saves a course's pages into Cache
     Storage), else with the page that says this one is not saved on this device.
   - Static files: from the saved copy first when their name carries a hash of their content
     (production), else the network first.
   - Images of saved courses: the saved copy first.
   - Nothing else is touched (but for a module's content notes offline, below): POSTs, the admin, /accounts/ (sign-in, data downloads), private
     documents, the learner's actions, other origins (the H5P origin) go to the network as if
     there were no worker. The worker itself never writes a cache: only the course page's
     "Save this course for offline" does, and offline.js for a page marked data-offline-keep
     (the self-care plan: "acompana:<owner>:pages").

   Privacy on a shared device: every cache's name carries its device owner (an opaque id of
   the person, training.device), "acompana:<owner>:<what>". The worker serves saved copies only
   for the owner whose "acompana:<owner>:active" marker exists: each page the site sends
   (offline.js) keeps that marker for the person it was sent to, wipes every other person's
   caches when someone signs in, and drops the marker when a page comes signed out (the session
   ended): nothing is served until that person signs in again. Signing out wipes the person's
   caches. */
"use strict";

var VERSION = "__ACOMPANA_STATIC_VERSION__";
var STATIC_URL = "__ACOMPANA_STATIC_URL__";
var OFFLINE_URL = "__ACOMPANA_OFFLINE_URL__";
var PREFIX = "acompana:";
var ACTIVE = /^acompana:([^:]+):active$/;
// Hashed static names (ManifestStaticFilesStorage): "site.0123456789ab.css".
var HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;
var MEDIA_IMAGES = "/media/images/";
// Never answered by the worker (besides every request that is not a GET).
var PASS = ["/admin/", "/accounts/", "/documents/", "/h5p/", "/learn/", "/i18n/", "/sw.js",
            "/healthz"];

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function activeOwner() {
  return caches.keys().then(function (names) {
    for (var i = 0; i < names.length; i += 1) {
      var found = ACTIVE.exec(names[i]);
      if (found) { return found[1]; }
    }
    return "";
  });
}

// The first copy of `request` in the owner's caches of one kind ("course", "static").
function saved(owner, kind, request, ignoreSearch) {
  var start = PREFIX + owner + ":" + kind;
  return caches.keys().then(function (names) {
    var mine = names.filter(function (name) { return name.indexOf(start) === 0; });
    return mine.reduce(function (found, name) {
      return found.then(function (hit) {
        if (hit) { return hit; }
        return caches.open(name).then(function (cache) {
          return cache.match(request, { ignoreVary: true, ignoreSearch: !!ignoreSearch });
        });
      });
    }, Promise.resolve(undefined));
  });
}

function page(request) {
  return fetch(request).catch(function (error) {
    return activeOwner().then(function (owner) {
      if (!owner) { throw error; }
      return saved(owner, "course", request)
        .then(function (hit) { return hit || saved(owner, "course", request, true); })
        // Pages kept on the device when opened (data-offline-keep: the self-care plan).
        .then(function (hit) { return hit || saved(owner, "pages", request); })
        .then(function (hit) { return hit || saved(owner, "static", OFFLINE_URL); })
        .then(function (hit) {
          if (!hit) { throw error; }
          return hit;
        });
    });
  });
}

function staticFile(request, url) {
  return activeOwner().then(function (owner) {
    if (!owner) { return fetch(request); }
    if (HASHED.test(url.pathname)) {
      return saved(owner, "static", request).then(function (hit) { return hit || fetch(request); });
    }
    return fetch(request).catch(function (error) {
      return saved(owner, "static", request).then(function (hit) {
        if (!hit) { throw error; }
        return hit;
      });
    });
  });
}

function image(request) {
  return activeOwner().then(function (owner) {
    if (!owner) { return fetch(request); }
    return saved(owner, "course", request).then(function (hit) { return hit || fetch(request); });
  });
}

// A module's content notes, offline: "Continue to the module" (a POST the server records when it
// can) opens the saved module without its notes, when it is saved; nothing is recorded, so
// the notes come back once online. Any other answer fails as it would without the worker.
var CONTENT_NOTES = /^\/learn\/modules\/\d+\/content-notes\/$/;

function contentNotes(request) {
  var copy = request.clone();
  return fetch(request).catch(function (error) {
    var back = request.referrer ? new URL(request.referrer) : null;
    if (!back || back.origin !== self.location.origin) { throw error; }
    back.search = "?notes=seen";
    return copy.formData().then(function (form) {
      if (form.get("action") !== "continue") { throw error; }
      return activeOwner();
    }).then(function (owner) {
      return owner ? saved(owner, "course", back.href) : null;
    }).then(function (hit) {
      if (!hit) { throw error; }
      return Response.redirect(back.href, 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && request.mode === "navigate" &&
      url.origin === self.location.origin && CONTENT_NOTES.test(url.pathname)) {
    event.respondWith(contentNotes(request));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.origin !== self.location.origin) { return; }
  if (PASS.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf(STATIC_URL) === 0) {
    event.respondWith(staticFile(request, url));
  } else if (url.pathname.indexOf(MEDIA_IMAGES) === 0) {
    event.respondWith(image(request));
  }
});

// The version is part of this file's bytes: a new one is a new worker.
self.acompanaVersion = VERSION;
