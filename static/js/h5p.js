/* Module pages with H5P activities: the platform's side of the player frame.
   Messages are read only from the block's own frame, on the H5P origin. Each xAPI statement
   gets an id (H5P sends none) and loses the player's anonymous actor (the server puts the
   learner's account in), then waits in this browser (localStorage, under this person's key)
   until the server has it: a dropped connection, a reload or an expired launch loses nothing.
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
    this.flush();
  }

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
    }).then(function (data) { block.token = data.token; });
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
              block.say("completed");
              block.section.classList.add("completed");
              if (data.module_completed) { moduleCompleted(); }
            } else if (!response.ok && response.status !== 409) {
              block.status.textContent = data.error || "";
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

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") { return; }
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      if (block.frame.contentWindow === event.source && event.origin === block.origin) {
        block.handle(data, event.source);
        return;
      }
    }
  });
  window.addEventListener("online", function () {
    blocks.forEach(function (block) { block.flush(); });
  });
})();
