/* Module pages with H5P activities: the platform's side of the player frame.
   Messages are read only from the block's own frame, on the H5P origin. Each xAPI statement
   gets an id (H5P sends none) and loses the player's anonymous actor (the server puts the
   learner's account in), then waits in the device queue (static/js/device-queue.js, one queue
   for all this person sends from this device) until the server has it: a dropped connection, a
   reload or an expired launch loses nothing. The player's saved place goes the same way (only
   the newest waits).
   A frame starts (gets its src) only when its block comes within about a screen of being seen;
   in low-bandwidth mode only when the learner taps "Start exercise" on the block's card. Until
   the player says it is ready the block says it is loading; after a minute without it, or
   offline, it says so and offers to try again. The status line shows what the server recorded,
   in the words it sends (see h5p_status in courses/views.py).
   Strings come from data attributes, translated by the server. */
(function () {
  "use strict";
  var queue = window.AcompanaQueue || null;
  var MAX_WAITING = 300;  // statements of one block waiting on the device (the oldest go)
  var READY_SECONDS = 60;
  // The player's address carries a launch valid an hour (ACOMPANA_H5P_LAUNCH_SECONDS): a frame
  // started later than this after the page was served asks for a fresh one first.
  var FRESH_SECONDS = 50 * 60;
  var PAGE_SERVED = Date.now();


  function Block(section) {
    this.section = section;
    this.frame = section.querySelector("iframe");
    this.origin = section.getAttribute("data-origin");
    this.token = section.getAttribute("data-launch");
    this.status = section.querySelector(".h5p-status");
    // This block's statements in the device queue: known by where they are sent.
    this.xapiUrl = section.getAttribute("data-xapi-url");
    this.stateUrl = section.getAttribute("data-state-url");
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

  Block.prototype.renew = function () {
    var block = this;
    var headers = { "Accept": "application/json" };
    // Whose page this is: after someone else signed in on this browser, no launch for them here.
    if (queue && queue.owner) { headers["Acompana-Device-Owner"] = queue.owner; }
    return window.fetch(this.section.getAttribute("data-launch-url"), {
      credentials: "same-origin", headers: headers
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      block.token = data.token;
      // A frame (re)started from now on opens a launch that is valid again.
      if (data.player_url && block.frame) { block.frame.setAttribute("data-src", data.player_url); }
    });
  };

  Block.prototype.receive = function (statement) {
    if (!this.token || !this.xapiUrl || !queue || !statement || typeof statement !== "object") {
      return;
    }
    var copy = JSON.parse(JSON.stringify(statement));
    copy.id = queue.uuid();
    delete copy.actor;
    // The statement's id is its key: sent twice, it is recorded once (409 the second time).
    queue.add({
      kind: "xapi", url: this.xapiUrl, json: true, body: { token: this.token, statement: copy },
      key: copy.id, group: this.xapiUrl, limit: MAX_WAITING,
      renew: this.section.getAttribute("data-launch-url") || ""
    });
  };

  // What became of one of this block's statements (device-queue.js's "acompana:queue" event).
  Block.prototype.answered = function (detail) {
    var data = detail.data || {};
    if (detail.state === "queued") {
      // Signed out, or the server is unwell: the reason when it gave one, else "not sent yet".
      if (data.error) {
        this.status.textContent = data.error;
      } else if (detail.persisted === false && queue) {
        this.status.textContent = queue.message("unsaved");  // kept by this page only
      } else {
        this.say("offline");
      }
      return;
    }
    if (data.completed) {
      // Already completed, and this answer brings no points: what is shown stays.
      if (data.score_raw === undefined && this.section.classList.contains("completed")) {
        this.status.innerHTML = this.statusHtml;
      } else {
        this.showStatus(data.status, true);
      }
      this.section.classList.add("completed");
      if (data.module_completed) { moduleCompleted(); }
    } else if (data.status) {
      // A score that did not reach the pass mark: said as it is.
      this.showStatus(data.status, this.section.classList.contains("completed"));
    } else if (detail.state === "refused") {
      this.status.textContent = data.error || "";
    } else {
      // Sent (or recorded already, 409): a waiting notice gives way to what is recorded.
      this.status.innerHTML = this.statusHtml;
    }
  };

  Block.prototype.saveState = function (state) {
    if (!this.token || !this.stateUrl || !queue || typeof state !== "string") { return; }
    var block = this;
    this.pendingState = state;
    window.clearTimeout(this.stateTimer);
    this.stateTimer = window.setTimeout(function () {
      // Only the newest place waits (the slot): an older one is never sent after it.
      queue.add({
        kind: "state", url: block.stateUrl, json: true,
        body: { token: block.token, state: block.pendingState },
        slot: "state:" + block.stateUrl, group: block.stateUrl,
        renew: block.section.getAttribute("data-launch-url") || ""
      });
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
  window.addEventListener("acompana:queue", function (event) {
    var detail = event.detail || {};
    if (detail.kind !== "xapi") { return; }
    blocks.forEach(function (block) {
      if (block.xapiUrl && detail.group === block.xapiUrl) { block.answered(detail); }
    });
  });
  window.addEventListener("offline", function () {
    blocks.forEach(function (block) { if (block.started && !block.ready) { block.failed(); } });
  });
})();
