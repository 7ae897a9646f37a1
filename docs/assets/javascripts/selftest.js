/* Self-test mode (自测模式): hide the answers and reveal them one section / one question at a time.
 *
 * The build marks where the mode applies: a `.tmj-selftest` bar (question pages, 速查), the drillable `##`
 * sections of a question page (from the bar down to `.tmj-drill-end`) and `.tmj-card` blocks (速查, 相关问题)
 * with a `.tmj-card-answer`. Nothing is hidden by the HTML or the CSS: only this script hides answers, so with
 * JavaScript off every answer stays visible. The mode is one site-wide setting kept in localStorage.
 * Material's instant navigation swaps the page without reloading it: `document$` tells us about every new page.
 */
(function () {
  "use strict";
  var KEY = "tmj-selftest";
  var uid = 0;

  function isOn() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function remember(on) {
    try {
      if (on) { window.localStorage.setItem(KEY, "1"); } else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* private mode: the setting lasts for this page only */ }
  }

  function newId() { uid += 1; return "tmj-answer-" + uid; }

  function setShown(button, shown) {
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (target) { target.hidden = !shown; }
    button.setAttribute("aria-expanded", shown ? "true" : "false");
    button.textContent = (shown ? "隐藏答案" : "显示答案") + "：" + button.getAttribute("data-tmj-label");
  }

  function revealButton(target, label) {
    if (!target.id) { target.id = newId(); }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "tmj-reveal";
    b.setAttribute("aria-controls", target.id);
    b.setAttribute("data-tmj-label", label);
    b.addEventListener("click", function () {
      setShown(b, b.getAttribute("aria-expanded") !== "true");
    });
    return b;
  }

  /* Every unit to drill on this page: {button, target}; built once per page, on first use. */
  function units(root) {
    if (root.tmjUnits) { return root.tmjUnits; }
    var list = [];
    var bar = root.querySelector(".tmj-selftest");
    var end = root.querySelector(".tmj-drill-end");
    if (bar && end && bar.parentNode === end.parentNode) {
      var node = bar.nextElementSibling;
      while (node && node !== end) {
        if (node.tagName === "H2") {
          var h2 = node;
          var box = document.createElement("div");
          box.className = "tmj-answer";
          var next = h2.nextSibling;
          while (next && next !== end && !(next.nodeType === 1 && next.tagName === "H2")) {
            var move = next;
            next = next.nextSibling;
            box.appendChild(move);
          }
          h2.parentNode.insertBefore(box, next);
          var label = (h2.textContent || "").replace(/[¶#]\s*$/, "").trim();
          var b = revealButton(box, label);
          h2.parentNode.insertBefore(b, box);
          list.push({ button: b, target: box });
          node = box.nextElementSibling;
        } else {
          node = node.nextElementSibling;
        }
      }
    }
    root.querySelectorAll(".tmj-card").forEach(function (c) {
      var answer = c.querySelector(".tmj-card-answer");
      if (!answer) { return; }
      var title = c.querySelector(".tmj-card-title, h3");
      var label = title ? (title.textContent || "").replace(/[¶#]\s*$/, "").trim().split(" ")[0] : "本题";
      var b = revealButton(answer, label);
      answer.parentNode.insertBefore(b, answer);
      list.push({ button: b, target: answer });
    });
    root.tmjUnits = list;
    return list;
  }

  function apply(root, on) {
    var toggles = root.querySelectorAll("button.tmj-mode");
    toggles.forEach(function (t) {
      t.setAttribute("aria-pressed", on ? "true" : "false");
      t.querySelector(".tmj-mode-state").textContent = on ? "开" : "关";
    });
    root.querySelectorAll(".tmj-selftest-all").forEach(function (a) { a.hidden = !on; });
    document.documentElement.classList.toggle("tmj-selftest-on", on);
    if (!on && !root.tmjUnits) { return; }  // nothing was ever hidden: leave the page as the build made it
    units(root).forEach(function (u) {
      u.button.hidden = !on;
      setShown(u.button, !on);
    });
  }

  function bar(root, el) {
    if (el.tmjReady) { return; }
    el.tmjReady = true;
    // The bar's buttons are in the built HTML (tmj/reader.py SELFTEST_BAR); this only wires them up.
    var mode = el.querySelector(".tmj-mode");
    var status = el.querySelector(".tmj-selftest-status");  // role=status: screen readers hear what the switch did
    var all = el.querySelector(".tmj-selftest-all");
    if (!mode || !status || !all) { return; }
    mode.addEventListener("click", function () {
      var on = mode.getAttribute("aria-pressed") !== "true";
      remember(on);
      apply(root, on);
      status.textContent = on ? "自测模式已开启，答案已隐藏，对全站有效。" : "自测模式已关闭，答案全部显示。";
    });
    all.addEventListener("click", function () {
      units(root).forEach(function (u) { setShown(u.button, true); });
    });
  }

  function init() {
    var root = document.querySelector("article.md-content__inner") || document.body;
    var bars = root.querySelectorAll(".tmj-selftest");
    bars.forEach(function (el) { bar(root, el); });
    if (bars.length || root.querySelector(".tmj-card")) { apply(root, isOn()); }
    else { document.documentElement.classList.toggle("tmj-selftest-on", isOn()); }
  }

  function start() {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { init(); });
    } else {
      init();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
