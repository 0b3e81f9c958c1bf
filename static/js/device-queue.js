/* One queue of what this person's device has to send: quiz answers, reflections, "mark as
   done", H5P results and the player's saved place. Kept in this browser (localStorage
   `acompana:queue:<owner>`, the device owner of <body data-device-owner>: on a shared device
   nobody else's page finds it, and signing out wipes it), sent in order when there is a
   connection: at once, on each page, when the connection comes back, and after a failure
   again later (waiting longer each time). Nothing is recorded twice: each item carries an
   `Idempotency-Key` (training/idempotency.py; an xAPI statement is known by its id), and says
   whose queue it is (`Acompana-Device-Owner`): a page left open by one person, after someone
   else signed in on this browser, never sends the first person's items with the second one's
   session (the server refuses them, 401 "owner", and this queue stops until its owner is back).
   One item that cannot go yet does not hold back the others: each item waits on its own
   (attempts, and a later try, per item), and only items of the same group keep their order.
   An item that waited longer than the server keeps its keys (data-max-days) is given up.

   window.AcompanaQueue:
   - add({kind, url, body, key, label, json, slot, group, limit, renew}) → key
     kind: "quiz" | "reflection" | "done" | "xapi" | "state"; body: [[name, value], …] sent as
     a form, or (json: true) an object sent as JSON; key: a uuid (made when missing); slot:
     an item with the same slot still waiting is replaced (only the newest counts); group and
     limit: at most `limit` items of the group wait (the oldest go); renew: where to GET a fresh
     {token} for the body when the server says the one it has expired.
   - flush(), pending() (how many wait), items() (a copy), clear() (this person's, all), uuid(),
     message(name) (a translated string of the script's data-msg-<name>).
   - window event "acompana:queue", detail {key, kind, state: "queued" | "sent" | "refused",
     status, data (the server's JSON answer), slot, group, persisted (false when this browser's
     storage refused it: it is lost if the page closes)}: "queued" while it waits on this
     device, "sent" once the server has it, "refused" when the server will never take it (the
     page says why, in the server's words).
   Every page still works without this script: its forms post the ordinary way. */
(function () {
  "use strict";
  var body = document.body;
  var owner = body && body.getAttribute("data-device-owner");
  if (!owner || window.AcompanaQueue) { return; }
  var script = document.currentScript;
  var TOKEN_URL = (script && script.getAttribute("data-csrf-url")) || "/accounts/csrf-token/";
  var COOKIE = (script && script.getAttribute("data-csrf-cookie")) || "acompana_csrftoken";
  var PREFIX = "acompana:queue:";
  var STORE = PREFIX + owner;
  var EVENT = "acompana:queue";
  var MAX_ITEMS = 1000;
  // Seconds before trying again after a failure: 2 s, 5 s … up to 10 minutes.
  var BACKOFF = [2, 5, 15, 30, 60, 120, 300, 600];
  var DAY = 24 * 3600 * 1000;
  // An item waits at most this long: the server keeps keys ACOMPANA_IDEMPOTENCY_DAYS, and one sent
  // after its key was forgotten could be recorded twice.
  var MAX_AGE = (parseFloat(script && script.getAttribute("data-max-days")) || 29) * DAY;

  var memory = null;  // used only when this browser's storage refuses to keep the queue
  var flushing = false;
  var again = false;
  var timer = null;
  var failures = 0;
  var stopped = false;
  var foreign = false;  // someone else is signed in on this browser now: nothing is sent
  var freshToken = null;
  var channel = null;
  try { channel = new window.BroadcastChannel("acompana-queue"); } catch (e) { channel = null; }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
            hex.slice(20)].join("-");
  }

  // --- Storage: read and written each time (another tab may have changed it) ------------------
  function load() {
    if (memory) { return memory.slice(); }
    try {
      var items = JSON.parse(window.localStorage.getItem(STORE));
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  // True when kept in this browser's storage; false when only this page holds it.
  function save(items) {
    if (stopped) { return true; }
    try {
      // Nothing left: no key left either (sign-out and tests look for none).
      if (items.length) {
        window.localStorage.setItem(STORE, JSON.stringify(items));
      } else {
        window.localStorage.removeItem(STORE);
      }
      memory = null;
      return true;
    } catch (e) {
      memory = items.slice();  // full or turned off: kept while this page is open
      return false;
    }
  }

  function message(name) {
    return (script && script.getAttribute("data-msg-" + name)) || "";
  }

  // Someone else's queue on this browser (they did not sign out): it goes when another person's
  // page loads, as their saved copies do (static/js/offline.js). Never sent for anyone else.
  try {
    Object.keys(window.localStorage).forEach(function (name) {
      if (name.indexOf(PREFIX) === 0 && name !== STORE) { window.localStorage.removeItem(name); }
    });
  } catch (e) { /* storage unavailable */ }

  function update(key, change) {
    var items = load();
    for (var i = 0; i < items.length; i++) {
      if (items[i].key === key) {
        if (change) { change(items[i]); } else { items.splice(i, 1); }
        save(items);
        return;
      }
    }
  }

  // --- Events ----------------------------------------------------------------------------------
  function dispatch(detail) {
    var event;
    try {
      event = new window.CustomEvent(EVENT, { detail: detail });
    } catch (e) {
      event = document.createEvent("CustomEvent");
      event.initCustomEvent(EVENT, false, false, detail);
    }
    window.dispatchEvent(event);
  }

  function tell(item, state, status, data) {
    var detail = {
      key: item.key, kind: item.kind, state: state, status: status || 0, data: data || null,
      slot: item.slot || null, group: item.group || null, persisted: memory === null
    };
    dispatch(detail);
    // Other tabs of this person (one of them may have sent what this page shows as waiting).
    if (channel) {
      try { channel.postMessage({ owner: owner, detail: detail }); } catch (e) { /* closed */ }
    }
  }

  function tellWaiting(status, data) {
    load().forEach(function (item) { tell(item, "queued", status, data); });
  }

  if (channel) {
    channel.onmessage = function (message) {
      var data = message.data;
      if (data && data.owner === owner && data.detail) { dispatch(data.detail); }
    };
  }

  // --- Sending ---------------------------------------------------------------------------------
  function cookie(name) {
    var found = null;
    (document.cookie || "").split(";").forEach(function (part) {
      var pair = part.trim().split("=");
      if (pair[0] === name) { found = decodeURIComponent(pair.slice(1).join("=")); }
    });
    return found;
  }

  // Read when sending: the page's token may be old (signed in again since, a new session).
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie(COOKIE) || freshToken || (input && input.value) || "";
  }

  function refreshToken() {
    return window.fetch(TOKEN_URL, {
      credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      if (!data || !data.token) { throw new Error("no token"); }
      if (data.owner && data.owner !== owner) {
        foreign = true;  // the session is someone else's: this queue is not theirs to send
        throw new Error("owner");
      }
      freshToken = data.token;
    });
  }

  // A fresh token for the item's body (an H5P launch that expired). Resolves to "again", or to
  // an answer: refused (4xx: the module is locked now, the activity gone: it never will be),
  // "wait" (signed out, someone else signed in) or "later" (no connection, the server unwell).
  function renew(item, answer) {
    return window.fetch(item.renew, {
      credentials: "same-origin", cache: "no-store", redirect: "manual",
      headers: { "Accept": "application/json", "Acompana-Device-Owner": owner }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var read = type.indexOf("application/json") === 0 ?
        response.json().catch(function () { return null; }) : Promise.resolve(null);
      return read.then(function (data) {
        var status = response.status;
        if (response.ok && data && data.token) {
          update(item.key, function (stored) { stored.body.token = data.token; });
          return "again";
        }
        answer.status = status;
        if (status === 401 || response.type === "opaqueredirect" || status === 0) {
          answer.data = data;
          answer.outcome = data && data.code === "owner" ? "owner" : "wait";
        } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          answer.outcome = "refused";
          answer.data = { error: (data && data.error) || message("gone") };
        } else {
          answer.outcome = "later";
        }
        return answer;
      });
    }, function () {
      answer.outcome = "later";
      answer.status = 0;
      return answer;
    });
  }

  function encode(item) {
    if (item.json) { return JSON.stringify(item.body); }
    var params = new URLSearchParams();
    (item.body || []).forEach(function (pair) {
      // The token goes in the header, read when sending; one kept in the body could be old.
      if (pair[0] !== "csrfmiddlewaretoken") { params.append(pair[0], pair[1]); }
    });
    return params;
  }

  function retryAfter(response) {
    var seconds = parseInt(response.headers.get("Retry-After"), 10);
    return seconds > 0 ? Math.min(seconds, 600) : null;
  }

  // What the server's answer means for the item: "sent", "refused", "again" (at once: a fresh
  // token), "later" (keep it, try again after a while) or "wait" (signed out: until a page
  // loads or the connection comes back).
  function send(item, csrfRetried) {
    var headers = {
      "Accept": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": csrf(),
      "Acompana-Device-Owner": owner
    };
    if (item.json) { headers["Content-Type"] = "application/json"; }
    return window.fetch(item.url, {
      method: "POST", credentials: "same-origin", cache: "no-store", redirect: "manual",
      headers: headers, body: encode(item)
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0) {
        // Sent to the sign-in page: signed out. Kept until the person signs in again.
        return { outcome: "wait", status: 401, data: null };
      }
      var type = response.headers.get("Content-Type") || "";
      var read = type.indexOf("application/json") === 0 ?
        response.json().catch(function () { return null; }) : Promise.resolve(null);
      return read.then(function (data) {
        var status = response.status;
        var answer = { status: status, data: data, seconds: retryAfter(response) };
        if ((status >= 200 && status < 300) || status === 409) {
          answer.outcome = "sent";  // 409: recorded already (an xAPI statement sent again)
        } else if (status === 401 && data && data.code === "owner") {
          answer.outcome = "owner";  // someone else signed in on this browser
        } else if (status === 401 && data && data.code === "expired" && item.renew) {
          return renew(item, answer).then(function (renewed) {
            if (renewed === "again") { answer.outcome = "again"; }
            return answer;
          });
        } else if (status === 401) {
          answer.outcome = "wait";
        } else if (status === 403 && !data && !csrfRetried) {
          // A page's CSRF token refused: a fresh one, and this item once more.
          return refreshToken().then(function () {
            return send(item, true);
          }, function () {
            answer.outcome = foreign ? "owner" : "later";
            return answer;
          });
        } else if (status === 408 || status === 429 || status >= 500) {
          answer.outcome = "later";
        } else {
          answer.outcome = "refused";
        }
        return answer;
      });
    }, function () {
      return { outcome: "later", status: 0, data: null, seconds: null };  // no connection
    });
  }

  function later(seconds) {
    window.clearTimeout(timer);
    var delay = seconds || BACKOFF[Math.min(failures, BACKOFF.length - 1)];
    failures += 1;
    // A little spread, so that many devices back online do not all come at once.
    timer = window.setTimeout(flush, (delay + Math.random() * delay * 0.2) * 1000);
  }

  // Try the item again after a while of its own (it alone failed; the others go on).
  function postpone(item, seconds) {
    var tries = (item.tries || 0) + 1;
    var delay = seconds || BACKOFF[Math.min(tries - 1, BACKOFF.length - 1)];
    var next = Date.now() + (delay + Math.random() * delay * 0.2) * 1000;
    update(item.key, function (stored) {
      stored.tries = tries;
      stored.next = next;
    });
  }

  // When the soonest postponed item is due, the queue looks again.
  function wake() {
    window.clearTimeout(timer);
    var soonest = null;
    load().forEach(function (item) {
      if (item.next && (soonest === null || item.next < soonest)) { soonest = item.next; }
    });
    if (soonest !== null) {
      timer = window.setTimeout(flush, Math.max(soonest - Date.now(), 500));
    }
  }

  function run(held) {
    if (stopped || foreign) { return Promise.resolve(); }
    held = held || {};  // groups of which an item could not go in this round: they keep order
    var now = Date.now();
    var items = load();
    if (!items.length) { return Promise.resolve(); }
    if (window.navigator.onLine === false) {
      tellWaiting(0, null);
      return Promise.resolve();  // the "online" event sends them
    }
    var item = null;
    for (var i = 0; i < items.length; i++) {
      var group = items[i].group || items[i].url;
      if (held[group]) { continue; }
      if (now - (items[i].added || now) > MAX_AGE) {
        // Waited longer than the server remembers what it recorded: given up, and said so.
        update(items[i].key);
        tell(items[i], "refused", 0, { error: message("too-old") });
        continue;
      }
      if (items[i].next && items[i].next > now) {
        held[group] = true;
        continue;
      }
      item = items[i];
      break;
    }
    if (!item) {
      wake();
      return Promise.resolve();
    }
    return send(item, false).then(function (answer) {
      if (stopped) { return null; }
      if (answer.outcome === "sent" || answer.outcome === "refused") {
        update(item.key);
        failures = 0;
        tell(item, answer.outcome, answer.status, answer.data);
        return run(held);
      }
      if (answer.outcome === "again") { return run(held); }
      if (answer.outcome === "later" && answer.status !== 0) {
        // The server could not take this one now: it waits, the next groups go on.
        postpone(item, answer.seconds);
        tell(item, "queued", answer.status, answer.data);
        held[item.group || item.url] = true;
        return run(held);
      }
      if (answer.outcome === "owner") { foreign = true; }
      tellWaiting(answer.status, answer.data);
      if (answer.outcome === "later") { later(answer.seconds); }  // no connection at all
      return null;
    });
  }

  function flush() {
    if (stopped || foreign) { return Promise.resolve(); }
    window.clearTimeout(timer);
    if (flushing) {
      again = true;
      return Promise.resolve();
    }
    flushing = true;
    var done = function () {
      flushing = false;
      if (again) {
        again = false;
        return flush();
      }
      return null;
    };
    var work = function () { return run().catch(function () { later(); }); };
    var sending;
    if (window.navigator.locks && window.navigator.locks.request) {
      // One tab sends at a time; the others hear what happened (BroadcastChannel).
      sending = window.navigator.locks.request(STORE, { ifAvailable: true }, function (lock) {
        if (!lock) {
          // Another tab is sending: what is left is looked at again shortly.
          timer = window.setTimeout(flush, BACKOFF[0] * 1000);
          return null;
        }
        return work();
      });
    } else {
      sending = work();
    }
    return sending.then(done, done);
  }

  function add(options) {
    var item = {
      key: options.key || uuid4(),
      kind: String(options.kind || ""),
      url: String(options.url || ""),
      body: options.body || [],
      json: Boolean(options.json),
      label: options.label ? String(options.label) : "",
      slot: options.slot ? String(options.slot) : "",
      group: options.group ? String(options.group) : "",
      renew: options.renew ? String(options.renew) : "",
      added: Date.now()
    };
    if (!item.url) { throw new Error("AcompanaQueue.add: no url"); }
    stopped = false;
    var items = load().filter(function (other) {
      return other.key !== item.key && !(item.slot && other.slot === item.slot);
    });
    items.push(item);
    var limit = parseInt(options.limit, 10);
    if (item.group && limit > 0) {
      var inGroup = items.filter(function (other) { return other.group === item.group; });
      var extra = inGroup.length - limit;
      items = items.filter(function (other) {
        if (extra > 0 && other.group === item.group) {
          extra -= 1;
          return false;
        }
        return true;
      });
    }
    if (items.length > MAX_ITEMS) { items = items.slice(items.length - MAX_ITEMS); }
    save(items);
    if (window.navigator.onLine === false || foreign) {
      tell(item, "queued", 0, null);
    } else {
      failures = 0;
      flush();
    }
    return item.key;
  }

  function clear() {
    stopped = true;
    window.clearTimeout(timer);
    memory = null;
    try { window.localStorage.removeItem(STORE); } catch (e) { /* off */ }
  }

  window.AcompanaQueue = {
    add: add,
    flush: flush,
    clear: clear,
    pending: function () { return load().length; },
    message: message,
    items: function () { return JSON.parse(JSON.stringify(load())); },
    uuid: uuid4,
    owner: owner
  };

  // Kept only by this page (storage full or blocked): leaving it loses them, so the browser asks.
  window.addEventListener("beforeunload", function (event) {
    if (memory && memory.length && !stopped) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.addEventListener("online", function () {
    failures = 0;
    // Back online: every item is tried again now, whatever it waited for.
    var items = load();
    if (items.some(function (item) { return item.next; })) {
      items.forEach(function (item) { delete item.next; });
      save(items);
    }
    flush();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  // After the page's own scripts (deferred, after this one) listen for what happens.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { window.setTimeout(flush, 0); });
  } else {
    window.setTimeout(flush, 0);
  }
})();
