/* Load the search index (about 100 KB gzip, more than half of a cold visit) only when the reader reaches for
   search, not on every page load. Material fetches search/search_index.json with XMLHttpRequest as soon as it
   starts; this holds that one request back until the search box gets focus or a click, a search shortcut
   (f, s, /) is pressed, or the address asks for a search (?q=, ?h=). Inlined into <head> by overrides/main.html
   so it runs before Material's (deferred) bundle. */
(function () {
  "use strict";
  var open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  var wanted = /[?&][qh]=/.test(location.search), waiting = [];
  function want() {
    if (wanted) return;
    wanted = true;
    waiting.splice(0).forEach(function (go) { go(); });
  }
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__tmjIndex = /\/search\/search_index\.json(\?|$)/.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var xhr = this, args = arguments;
    if (xhr.__tmjIndex && !wanted) { waiting.push(function () { send.apply(xhr, args); }); return; }
    return send.apply(xhr, args);
  };
  function inSearch(t) { return t && t.closest && t.closest(".md-search, label[for=__search]"); }
  document.addEventListener("focusin", function (e) { if (inSearch(e.target)) want(); }, true);
  document.addEventListener("pointerdown", function (e) { if (inSearch(e.target)) want(); }, true);
  document.addEventListener("change", function (e) { if (e.target && e.target.id === "__search") want(); }, true);
  document.addEventListener("keydown", function (e) { if (/^[fs\/]$/i.test(e.key)) want(); }, true);
})();
