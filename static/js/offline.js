/* Reading offline: registers the service worker (static/js/sw.js, served at /sw.js), keeps this
   device's saved copies for the person the page was sent to only, and runs the course page's
   "Save this course for offline". Without service workers nothing here runs and the course page
   shows no saving control (it stays hidden).

   Cache Storage names: "acompana:<owner>:<what>", <owner> the device owner of the page
   (<body data-device-owner>, an opaque id of the signed-in person, empty when signed out):
   "acompana:<owner>:active" (the worker serves saved copies for this owner only),
   "acompana:<owner>:static" (style sheet, scripts, icon, the offline page) and
   "acompana:<owner>:course:<id>" (a course's pages and images, and the description of the copy
   it saved: /learn/courses/<id>/offline/, courses.offline). */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !("caches" in window)) { return; }
  var PREFIX = "acompana:";
  var script = document.currentScript;
  var owner = (document.body && document.body.getAttribute("data-device-owner")) || "";

  function cacheName(kind) { return PREFIX + owner + ":" + kind; }
  function ownerOf(name) { return name.split(":")[1]; }
  function ours() {
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    });
  }

  // The person this page was sent to owns the device's saved copies: anyone else's go (someone
  // else signed in on a shared device); a page sent signed out (the session ended) stops the
  // worker serving saved copies until their owner signs in again.
  var claimed = ours().then(function (names) {
    return Promise.all(names.map(function (name) {
      if (!owner) { return /:active$/.test(name) ? caches.delete(name) : null; }
      return ownerOf(name) !== owner ? caches.delete(name) : null;
    }));
  }).then(function () {
    if (owner) { return caches.open(cacheName("active")); }
  }).catch(function () { /* storage unavailable: nothing saved, nothing served */ });

  // The worker, for people signed in (nobody else has anything saved). Until it is active,
  // nothing can be read offline: the course page offers saving only then.
  var registered = (owner && script && script.getAttribute("data-worker"))
    ? navigator.serviceWorker.register(script.getAttribute("data-worker"), { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
    : Promise.reject(new Error("signed out"));
  registered.catch(function () { /* no worker: pages work as before, without offline copies */ });

  // Sign-out (static/js/site.js waits for this before sending the form): this person's copies go.
  window.AcompanaOffline = {
    forget: function () {
      if (!owner) { return Promise.resolve(); }
      return claimed.then(ours).then(function (names) {
        return Promise.all(names.filter(function (name) { return ownerOf(name) === owner; })
          .map(function (name) { return caches.delete(name); }));
      });
    }
  };

  // --- The offline page: links to the courses saved on this device. ---
  var savedList = document.querySelector("[data-saved-courses]");
  if (savedList && owner) {
    claimed.then(ours).then(function (names) {
      var courses = names.filter(function (name) {
        return name.indexOf(cacheName("course:")) === 0;
      });
      return Promise.all(courses.map(function (name) {
        return caches.open(name).then(function (cache) {
          return cache.keys().then(function (requests) {
            var listing = requests.filter(function (r) {
              return /\/courses\/\d+\/offline\/$/.test(r.url);
            })[0];
            return listing ? cache.match(listing).then(function (r) { return r.json(); }) : null;
          });
        });
      }));
    }).then(function (listings) {
      var list = savedList.querySelector("ul");
      listings.forEach(function (listing) {
        if (!listing || !listing.course) { return; }
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = listing.course.url;
        link.textContent = listing.course.title;
        item.appendChild(link);
        list.appendChild(item);
      });
      savedList.hidden = !list.children.length;
    }).catch(function () { /* nothing to list */ });
  }

  // --- Pages kept on the device: a page marked data-offline-keep (the self-care plan,
  // templates/care/plan.html) is saved, each time it is opened, into this person's
  // "acompana:<owner>:pages" cache with the style sheets and scripts it names; the worker answers
  // with it offline (static/js/sw.js). Like every cache here it is the owner's only, and goes at
  // sign-out or when someone else signs in on the device.
  var keep = document.querySelector("[data-offline-keep]");
  if (keep && owner) {
    Promise.all([registered, claimed]).then(function () {
      var pageUrl = location.href.split("#")[0];
      var assets = Array.prototype.slice.call(
        document.querySelectorAll("link[rel=stylesheet][href], script[src]")
      ).map(function (node) {
        return new URL(node.getAttribute("href") || node.getAttribute("src"), location.href).href;
      }).filter(function (url) { return url.indexOf(location.origin + "/") === 0; });
      return Promise.all([caches.open(cacheName("pages")), caches.open(cacheName("static"))])
        .then(function (opened) {
          var pages = opened[0];
          var statics = opened[1];
          var saving = [fetch(pageUrl, { credentials: "same-origin", headers: { "Acompana-Offline": "save" } })
            .then(function (response) {
              if (response.ok && !response.redirected) { return pages.put(pageUrl, response); }
            })];
          assets.forEach(function (url) {
            saving.push(fetch(url, { credentials: "same-origin" }).then(function (response) {
              if (response.ok) { return statics.put(url, response); }
            }));
          });
          return Promise.all(saving);
        });
    }).catch(function () { /* no worker or no storage: the page works online as before */ });
  }

  // --- The course page's "Save this course for offline". ---
  var panel = document.querySelector("[data-offline-course]");
  if (!panel || !owner) { return; }
  var listingUrl = new URL(panel.getAttribute("data-offline-course"), location.href).href;
  var courseCache = cacheName("course:" + panel.getAttribute("data-course-id"));
  var saveButton = panel.querySelector("[data-offline-save]");
  var removeButton = panel.querySelector("[data-offline-remove]");
  var sizeLine = panel.querySelector("[data-offline-size]");
  var status = panel.querySelector("[data-offline-status]");
  var moduleList = panel.querySelector("[data-offline-modules]");
  var fresh = null; // the listing as the server gives it now
  var kept = null; // the listing of the copy saved on this device
  var busy = false;

  function say(name, values) {
    var text = panel.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.replace("%(" + key + ")s", values[key]);
    });
    return text;
  }

  function savedListing() {
    return caches.has(courseCache).then(function (has) {
      if (!has) { return null; }
      return caches.open(courseCache).then(function (cache) {
        return cache.match(listingUrl).then(function (r) { return r ? r.json() : null; });
      });
    });
  }

  // What is saved, module by module ("Saved" / "Not saved"), and which buttons apply.
  function show(listing) {
    return (caches.has(courseCache).then(function (has) {
      return has ? caches.open(courseCache) : null;
    })).then(function (cache) {
      var modules = (listing && listing.modules) || [];
      return Promise.all(modules.map(function (module) {
        return cache ? cache.match(module.url).then(Boolean) : false;
      })).then(function (states) {
        moduleList.textContent = "";
        modules.forEach(function (module, i) {
          var item = document.createElement("li");
          var title = document.createElement("span");
          title.textContent = module.title;
          var state = document.createElement("span");
          state.className = states[i] ? "offline-state saved" : "offline-state";
          state.textContent = " · " + say(states[i] ? "module-saved" : "module-not-saved");
          item.appendChild(title);
          item.appendChild(state);
          moduleList.appendChild(item);
        });
        var all = modules.length > 0 && states.every(Boolean);
        saveButton.hidden = all || !fresh;
        removeButton.hidden = !cache;
        return all;
      });
    });
  }

  function fetchListing() {
    return fetch(listingUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("listing " + response.status); }
        return response.json();
      });
  }

  // Each file in turn (slow links: one at a time, and the page says how far it got); the
  // description of the copy last, then whatever the new copy no longer holds goes.
  function save(listing) {
    var total = listing.files.length;
    var done = 0;
    return Promise.all([caches.open(courseCache), caches.open(cacheName("static"))])
      .then(function (opened) {
        var course = opened[0];
        var statics = opened[1];
        var offlineUrl = new URL(panel.getAttribute("data-offline-page"), location.href).href;
        var keep = {};
        keep[listingUrl] = true;
        return listing.files.reduce(function (chain, file) {
          return chain.then(function () {
            var url = new URL(file.url, location.href).href;
            var target = (file.kind === "static" || url === offlineUrl) ? statics : course;
            if (target === course) { keep[url] = true; }
            return fetch(url, { credentials: "same-origin", headers: { "Acompana-Offline": "save" } })
              .then(function (response) {
                if (!response.ok || response.redirected) { throw new Error("not saved: " + url); }
                return target.put(url, response);
              })
              .then(function () {
                done += 1;
                status.textContent = say("saving", { done: done, total: total });
              });
          });
        }, Promise.resolve()).then(function () {
          return course.put(listingUrl, new Response(JSON.stringify(listing), {
            headers: { "Content-Type": "application/json" }
          }));
        }).then(function () {
          return course.keys().then(function (requests) {
            return Promise.all(requests.filter(function (r) { return !keep[r.url]; })
              .map(function (r) { return course.delete(r); }));
          });
        });
      });
  }

  function run(kind, listing) {
    if (busy) { return Promise.resolve(); }
    busy = true;
    status.textContent = say(kind === "update" ? "updating" : "saving", { done: 0, total: listing.files.length });
    return save(listing).then(function () {
      kept = listing;
      status.textContent = say(kind === "update" ? "updated" : "saved");
      sizeLine.textContent = say("saved");
    }, function (error) {
      // No room left on the device is not a dropped connection: said as it is.
      var full = error && (error.name === "QuotaExceededError" || error.code === 22);
      status.textContent = say(full ? "full" : "failed");
    }).then(function () {
      busy = false;
      return show(listing);
    });
  }

  saveButton.addEventListener("click", function () {
    if (!fresh) { return; }
    run("save", fresh).then(function () {
      (removeButton.hidden ? saveButton : removeButton).focus();
    });
  });

  removeButton.addEventListener("click", function () {
    if (busy) { return; }
    var before = kept;
    caches.delete(courseCache).then(function () {
      kept = null;
      status.textContent = say("removed");
      if (fresh) { sizeLine.textContent = say("size", { size: fresh.total_label }); }
      return show(fresh || before);
    }).then(function () {
      // The button pressed is gone: the focus goes to the save button, or (none offered:
      // offline) to what the panel says happened.
      if (!saveButton.hidden) {
        saveButton.focus();
      } else {
        status.setAttribute("tabindex", "-1");
        status.focus();
      }
    });
  });

  Promise.all([registered, claimed]).then(function () {
    panel.hidden = false;
    return Promise.all([savedListing(), fetchListing().catch(function () { return null; })]);
  }, function () {
    return null; // no worker: the panel stays hidden
  }).then(function (found) {
    if (!found) { return; }
    kept = found[0];
    fresh = found[1];
    if (fresh) { sizeLine.textContent = say("size", { size: fresh.total_label }); }
    // Republished since it was saved (or a module opened, or the site's files changed): the
    // saved copy follows, without being asked.
    if (fresh && kept && kept.version !== fresh.version) {
      return run("update", fresh);
    }
    return show(fresh || kept).then(function (all) {
      if (all) {
        sizeLine.textContent = say("saved");
      } else if (!fresh) {
        sizeLine.textContent = say(kept ? "offline" : "unavailable");
      }
    });
  }).catch(function () {
    sizeLine.textContent = say("unavailable");
  });
})();
