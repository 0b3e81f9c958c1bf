/* Module pages with H5P activities: the platform's side of the player frame.
   Messages are read only from the block's own frame, on the H5P origin. Each xAPI statement
   gets an id (H5P sends none) and loses the player's anonymous actor (the server puts the
   learner's account in), then waits in this browser (localStorage, under this person's key)
   until the server has it: a dropped connection, a reload or an expired launch loses nothing.
   A frame starts (gets its src) only when its block comes within about a screen of being seen;
   in low-bandwidth mode only when the learner taps "Start exercise" on the block's card. Until
   the player says it is ready the block says it is loading; after a minute without it, or
   offline, it says so and offers to try again. The status line shows what the server recorded,
   in the words it sends (see h5p_status in courses/views.py).
   Strings come from data attributes, translated by the server. */
(function () {
  "use strict";
  var store = {
    get: function (key) {
      try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or off */ }
    }
  };
  var MAX_WAITING = 300;
  var READY_SECONDS = 60;
  // The player's address carries a launch valid an hour (ACOMPANA_H5P_LAUNCH_SECONDS): a frame
  // started later than this after the page was served asks for a fresh one first.
  var FRESH_SECONDS = 50 * 60;
  var PAGE_SERVED = Date.now();

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

  function Block(section) {
    this.section = section;
    this.frame = section.querySelector("iframe");
    this.origin = section.getAttribute("data-origin");
    this.token = section.getAttribute("data-launch");
    this.queueKey = section.getAttribute("data-queue-key");
    this.status = section.querySelector(".h5p-status");
    this.sending = false;
    this.retry = null;
    this.queue = (this.queueKey && store.get(this.queueKey)) || [];
    var stateScript = document.getElementById("h5p-state-" + section.id.replace("activity-", ""));
    this.state = stateScript ? JSON.parse(stateScript.textContent) : null;
    this.stateTimer = null;
    this.pendingState = null;
    this.stage = section.querySelector("[data-h5p-stage]");
    this.card = section.querySelector("[data-h5p-card]");
    this.loading = section.querySelector("[data-h5p-loading]");
    this.retryButton = section.querySelector("[data-h5p-retry]");
    this.started = false;
    this.ready = false;
    this.readyTimer = null;
    this.attempt = 0;
    this.statusHtml = this.status ? this.status.innerHTML : "";
    this.flush();
  }

  Block.prototype.showStatus = function (text, done) {
    if (!text) { return; }
    this.status.textContent = "";
    if (done) {
      var mark = document.createElement("span");
      mark.className = "done";
      mark.textContent = "✓ " + text;
      this.status.appendChild(mark);
    } else {
      this.status.textContent = text;
    }
    this.statusHtml = this.status.innerHTML;
  };

  // The frame gets its address: the player starts loading. Again after a failure ("Try again",
  // `fresh`): then, or when the page has been open long, with a fresh launch from the server (the
  // old one may have expired; the player would only say so). The frame stays visible while it
  // loads (an error page in it is seen); the loading message is above it.
  Block.prototype.start = function (fresh) {
    if (!this.frame || !this.stage) { return; }
    var block = this;
    var attempt = ++this.attempt;
    this.started = true;
    this.ready = false;
    this.stage.classList.add("is-loading");
    this.stage.classList.remove("is-ready");
    this.loading.textContent = this.section.getAttribute("data-msg-loading") || "";
    this.retryButton.parentNode.hidden = true;
    window.clearTimeout(this.readyTimer);
    var go = function () {
      if (attempt !== block.attempt) { return; }  // tried again meanwhile
      block.frame.hidden = false;
      // Sandboxed before it has an address: the player's document never runs unsandboxed.
      block.frame.setAttribute("sandbox", block.frame.getAttribute("data-sandbox"));
      block.frame.setAttribute("src", block.frame.getAttribute("data-src"));
      block.readyTimer = window.setTimeout(function () { block.failed(); }, READY_SECONDS * 1000);
      // Already offline: the player's page cannot come (it is never cached); say so now, not
      // after a minute of "Loading".
      if (window.navigator.onLine === false) { block.failed(); }
    };
    var old = Date.now() - PAGE_SERVED > FRESH_SECONDS * 1000;
    if ((fresh || old) && this.section.getAttribute("data-launch-url")) {
      // Offline or refused: the address the page has is tried all the same.
      this.renew().then(go, go);
    } else {
      go();
    }
  };

  // No "ready" in time, offline, or (`reason` "error") the player's page said it cannot start.
  Block.prototype.failed = function (reason) {
    if (this.ready || !this.started) { return; }
    window.clearTimeout(this.readyTimer);
    this.loading.textContent = (reason === "error" && this.section.getAttribute("data-msg-error")) ||
      this.section.getAttribute("data-msg-failed") || "";
    this.retryButton.parentNode.hidden = false;
  };

  Block.prototype.isReady = function () {
    var focused = document.activeElement === this.loading;
    this.ready = true;
    window.clearTimeout(this.readyTimer);
    this.stage.classList.remove("is-loading");
    this.stage.classList.add("is-ready");
    this.loading.textContent = "";
    this.retryButton.parentNode.hidden = true;
    // Someone who tapped "Start exercise" continues in the exercise.
    if (focused) { this.frame.focus(); }
  };

  // Low bandwidth: nothing is downloaded until the learner asks; focus follows into the block.
  Block.prototype.offerStart = function () {
    var block = this;
    var button = this.card.querySelector("[data-h5p-start]");
    button.hidden = false;
    button.addEventListener("click", function () {
      block.card.hidden = true;
      block.start();
      block.loading.setAttribute("tabindex", "-1");
      block.loading.focus();
    });
  };

  Block.prototype.say = function (name, fallback) {
    var text = this.section.getAttribute("data-msg-" + name) || fallback || "";
    if (text) { this.status.textContent = text; }
  };

  Block.prototype.post = function (url, body) {
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {
        "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": this.section.getAttribute("data-csrf")
      }
    });
  };

  Block.prototype.renew = function () {
    var block = this;
    return window.fetch(this.section.getAttribute("data-launch-url"), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      block.token = data.token;
      // A frame (re)started from now on opens a launch that is valid again.
      if (data.player_url && block.frame) { block.frame.setAttribute("data-src", data.player_url); }
    });
  };

  Block.prototype.later = function (seconds) {
    var block = this;
    window.clearTimeout(this.retry);
    this.retry = window.setTimeout(function () { block.flush(); }, seconds * 1000);
  };

  Block.prototype.receive = function (statement) {
    if (!this.token || !statement || typeof statement !== "object") { return; }
    var copy = JSON.parse(JSON.stringify(statement));
    copy.id = uuid4();
    delete copy.actor;
    this.queue.push(copy);
    if (this.queue.length > MAX_WAITING) { this.queue.splice(0, this.queue.length - MAX_WAITING); }
    store.set(this.queueKey, this.queue);
    this.flush();
  };

  Block.prototype.flush = function () {
    if (this.sending || !this.queue.length || !this.token) { return; }
    var block = this;
    var statement = this.queue[0];
    this.sending = true;
    this.post(this.section.getAttribute("data-xapi-url"), { token: this.token, statement: statement })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          block.sending = false;
          var refused = data.code && response.status >= 400 && response.status < 500 &&
            response.status !== 401 && response.status !== 429;
          if (response.ok || response.status === 409 || refused) {
            // Recorded, already recorded, or refused for good (the reason is shown): done with it.
            block.queue.shift();
            store.set(block.queueKey, block.queue);
            if (data.completed) {
              // Already completed, and this answer brings no points: what is shown stays.
              if (data.score_raw === undefined && block.section.classList.contains("completed")) {
                block.status.innerHTML = block.statusHtml;
              } else {
                block.showStatus(data.status, true);
              }
              block.section.classList.add("completed");
              if (data.module_completed) { moduleCompleted(); }
            } else if (data.status) {
              // A score that did not reach the pass mark: said as it is.
              block.showStatus(data.status, block.section.classList.contains("completed"));
            } else if (!response.ok && response.status !== 409) {
              block.status.textContent = data.error || "";
            } else {
              // Sent: a waiting or offline notice gives way to what is recorded.
              block.status.innerHTML = block.statusHtml;
            }
            block.flush();
          } else if (response.status === 401 && data.code === "expired") {
            block.renew().then(function () { block.flush(); }, function () { block.later(30); });
          } else if (response.status === 429) {
            block.later(30);
          } else {
            // Signed out, a stale form, or the server is unwell: keep it and try again later.
            if (data.error) { block.status.textContent = data.error; } else { block.say("offline"); }
            block.later(30);
          }
        });
      }, function () {
        block.sending = false;
        block.say("offline");
        block.later(15);
      });
  };

  Block.prototype.saveState = function (state) {
    if (!this.token || typeof state !== "string") { return; }
    var block = this;
    this.pendingState = state;
    window.clearTimeout(this.stateTimer);
    this.stateTimer = window.setTimeout(function () {
      var body = { token: block.token, state: block.pendingState };
      block.post(block.section.getAttribute("data-state-url"), body).then(function (response) {
        if (response.status === 401) { return block.renew(); }
        return null;
      }).catch(function () { /* the next save carries the newer state */ });
    }, 1000);
  };

  Block.prototype.handle = function (data, source) {
    if (data.type === "acompana:h5p:hello") {
      source.postMessage({ type: "acompana:h5p:launch", state: this.state }, this.origin);
    } else if (data.type === "acompana:h5p:xapi") {
      this.receive(data.statement);
    } else if (data.type === "acompana:h5p:state") {
      this.saveState(data.state);
    } else if (data.type === "acompana:h5p:ready") {
      this.isReady();
    } else if (data.type === "acompana:h5p:error") {
      // The player's page could not start it (an expired launch, content that is gone).
      this.ready = false;
      this.failed("error");
    } else if (data.type === "acompana:h5p:resize") {
      var height = parseInt(data.height, 10);
      if (height > 0 && height < 20000) { this.frame.style.height = height + "px"; }
    }
  };

  // The module's own completion notice follows, without a reload.
  function moduleCompleted() {
    var notice = document.querySelector(".module-completion[data-msg-done]");
    if (!notice || notice.querySelector(".done")) { return; }
    var done = document.createElement("p");
    done.className = "done";
    done.textContent = "✓ " + notice.getAttribute("data-msg-done");
    notice.querySelectorAll("p, form").forEach(function (old) { old.remove(); });
    notice.appendChild(done);
  }

  var blocks = [];
  document.querySelectorAll("section[data-h5p]").forEach(function (section) {
    blocks.push(new Block(section));
  });

  // Frames start when near the screen (about a screen ahead); all at once without the observer.
  var lazy = blocks.filter(function (block) { return block.frame && block.stage; });
  lazy.forEach(function (block) {
    block.retryButton.addEventListener("click", function () {
      block.start(true);
      // The button's row is hidden now: focus goes on to what the block says (as after "Start
      // exercise"), not to the page's start.
      block.loading.setAttribute("tabindex", "-1");
      block.loading.focus();
    });
  });
  lazy.filter(function (block) { return block.card; }).forEach(function (block) {
    block.offerStart();
  });
  lazy = lazy.filter(function (block) { return !block.card; });
  if ("IntersectionObserver" in window) {
    var observer = new window.IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        observer.unobserve(entry.target);
        lazy.forEach(function (block) {
          if (block.stage === entry.target && !block.started) { block.start(); }
        });
      });
    }, { rootMargin: "800px 0px 800px 0px" });
    lazy.forEach(function (block) { observer.observe(block.stage); });
  } else {
    lazy.forEach(function (block) { block.start(); });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") { return; }
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      if (block.frame && block.frame.contentWindow === event.source &&
          event.origin === block.origin) {
        block.handle(data, event.source);
        return;
      }
    }
  });
  window.addEventListener("online", function () {
    blocks.forEach(function (block) { block.flush(); });
  });
  window.addEventListener("offline", function () {
    blocks.forEach(function (block) { if (block.started && !block.ready) { block.failed(); } });
  });
})();
