// Coach: small enhancements on top of pages that work without JavaScript.
// Notes and decisions save as you type, sending the version they were based
// on; if someone else saved in between (412), your text stays in the box and
// theirs is shown beside it to merge (T5). Agenda timers tick.
(function () {
  "use strict";
  var csrf = (document.querySelector('input[name="_csrf"]') || {}).value || "";

  function state(el, text) {
    var form = el.closest("form");
    var s = form && form.querySelector(".save-state");
    if (s) { s.textContent = text; }
  }

  function send(el, body) {
    var version = el.getAttribute("data-version");
    return fetch(el.getAttribute("data-autosave"), {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, "if-match": '"v' + version + '"' },
      body: JSON.stringify(body)
    });
  }

  function conflict(el, theirs) {
    var box = el.parentNode.querySelector(".conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "conflict warning";
      el.parentNode.insertBefore(box, el);
    }
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "flag-line";
    p.textContent = "This changed elsewhere while you typed. Their version is below; yours stays in the box. Merge them, then keep typing to save.";
    var pre = document.createElement("p");
    pre.className = "pre";
    pre.textContent = theirs;
    var use = document.createElement("button");
    use.type = "button";
    use.className = "btn secondary small";
    use.textContent = "Use theirs";
    use.addEventListener("click", function () { el.value = theirs; box.remove(); state(el, "Saved"); });
    box.appendChild(p); box.appendChild(pre); box.appendChild(use);
  }

  function save(el) {
    var field = el.getAttribute("data-field");
    var body = {};
    body[field] = el.value;
    state(el, "Saving…");
    send(el, body).then(function (r) {
      if (r.ok) {
        return r.json().then(function (j) {
          el.setAttribute("data-version", j.version);
          var v = el.closest("form").querySelector('input[name="version"]');
          if (v) { v.value = j.version; }
          state(el, "Saved");
        });
      }
      if (r.status === 412) {
        // Read the latest, keep it as the base of the next save, show it.
        return latest(el).then(function (cur) {
            if (!cur) { state(el, "Not saved"); return; }
            el.setAttribute("data-version", cur.version);
            conflict(el, cur[field] || "");
            state(el, "Changed elsewhere");
          });
      }
      return r.json().then(function (j) { state(el, (j.error && j.error.message) || "Not saved"); });
    }).catch(function () { state(el, "Offline: not saved yet"); });
  }

  // The current version of what `el` edits.
  function latest(el) {
    var url = el.getAttribute("data-autosave");
    var session = document.querySelector("[data-session]");
    var sid = session && session.getAttribute("data-session");
    var id = url.split("/").pop();
    var list = url.indexOf("/notes/") >= 0 ? "/api/v1/sessions/" + sid + "/notes" : "/api/v1/sessions/" + sid;
    return fetch(list, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
      var rows = j.data || j.agenda || [];
      for (var i = 0; i < rows.length; i++) { if (rows[i].id === id) { return rows[i]; } }
      return null;
    });
  }

  document.querySelectorAll("[data-autosave]").forEach(function (el) {
    var timer = null;
    el.closest("form").classList.add("js-live");
    el.addEventListener("input", function () {
      state(el, "Editing…");
      clearTimeout(timer);
      timer = setTimeout(function () { save(el); }, 700);
    });
    el.addEventListener("blur", function () { if (timer) { clearTimeout(timer); timer = null; save(el); } });
  });

  document.querySelectorAll("[data-share]").forEach(function (box) {
    box.addEventListener("change", function () {
      var area = box.closest("form").querySelector("[data-autosave]");
      send(area, { shared: box.checked }).then(function (r) {
        if (r.ok) { return r.json().then(function (j) { area.setAttribute("data-version", j.version); state(area, box.checked ? "Shared" : "Private"); }); }
        state(area, "Not saved");
      });
    });
  });

  var timers = document.querySelectorAll("[data-since]");
  if (timers.length) {
    setInterval(function () {
      var now = Math.floor(Date.now() / 1000);
      timers.forEach(function (t) {
        var s = Math.max(0, now - parseInt(t.getAttribute("data-since"), 10));
        t.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      });
    }, 1000);
  }

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
