/* Display math wider than its column scrolls inside its own box (extra.css). Such a box must be reachable by
   keyboard (WCAG 2.1.1; axe's scrollable-region-focusable): give it tabindex="0", role="region" and a name.
   Boxes that fit get nothing, so keyboard users do not tab through every formula.

   When to check, without ever forcing a layout the browser would not do anyway:
   - A ResizeObserver reports each formula box after the browser has laid it out: on the first layout, when the
     window is resized, and when a block that content-visibility skipped comes near the screen (boxes in skipped
     blocks are reported with size 0 and left alone until then). Layout is fresh inside the callback, so reading
     scrollWidth there costs nothing; all boxes are measured first, then marked.
   - A web font that arrives (KaTeX's) changes how wide a formula is but not its box: the boxes already laid out
     are checked again in the next animation frame, where the layout they need is due anyway.
   - Material's instant navigation swaps the page: document$ fires and the new page's boxes are observed.
   An earlier version checked every formula in idle callbacks; an idle period may last 50 ms, which Lighthouse's
   4x CPU slowdown turns into a 200 ms long task, and each check laid out a block the reader had not reached. */
(function () {
  "use strict";
  var LABEL = "公式（可横向滚动）";
  var SELECTOR = ".md-typeset div.arithmatex";
  // Code blocks: Material sets them up (copy button, tabindex when they overflow on a device with hover) only
  // when they come into view (content.lazy in mkdocs.yml); the tabindex is given here as soon as the block is
  // laid out, by Material's own rule, so a keyboard user can reach every overflowing block in tab order.
  var CODE = ".md-typeset pre > code";
  var HOVER = !!(window.matchMedia && window.matchMedia("(hover)").matches);
  var live = [];  // boxes laid out at least once on this page

  function update(els) {
    var over = els.map(function (el) { return el.scrollWidth > el.clientWidth + 1; });  // read all, then write
    els.forEach(function (el, i) {
      if (el.matches(CODE)) {
        if (over[i] && HOVER) el.setAttribute("tabindex", "0");
        else el.removeAttribute("tabindex");
        return;
      }
      if (over[i] && el.getAttribute("tabindex") !== "0") {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", LABEL);
      } else if (!over[i] && el.getAttribute("aria-label") === LABEL) {
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
      }
    });
  }

  if (!("ResizeObserver" in window)) {  // very old browsers: one pass after load and after each resize
    var all = function () { update(Array.prototype.slice.call(document.querySelectorAll(SELECTOR + "," + CODE))); };
    window.addEventListener("load", all);
    window.addEventListener("resize", all);
    return;
  }

  var observer = new ResizeObserver(function (entries) {
    var els = [];
    entries.forEach(function (entry) {
      if (entry.contentRect.width > 0) {
        els.push(entry.target);
        if (live.indexOf(entry.target) < 0) live.push(entry.target);
      }
    });
    update(els);
  });

  function watch() {
    observer.disconnect();
    live = [];
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR + "," + CODE), function (el) { observer.observe(el); });
  }

  if (document.fonts && document.fonts.addEventListener) {
    var pending = false;
    document.fonts.addEventListener("loadingdone", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        update(live.filter(function (el) { return el.isConnected; }));
      });
    });
  }

  if (window.document$) { window.document$.subscribe(watch); } else { document.addEventListener("DOMContentLoaded", watch); }
})();
