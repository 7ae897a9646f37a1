/* Display math wider than its column scrolls inside its own box (extra.css). Such a box must be reachable by
   keyboard (WCAG 2.1.1; axe's scrollable-region-focusable): give it tabindex="0", role="region" and a name.
   Boxes that fit get nothing, so keyboard users do not tab through every formula. Checked after every page
   load (Material's document$, instant navigation included) and on resize, in idle time so the checks never make
   a long task. */
(function () {
  "use strict";
  var LABEL = "公式（可横向滚动）";
  function mark(el) {
    var over = el.scrollWidth > el.clientWidth + 1;
    if (over && el.getAttribute("tabindex") !== "0") {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", LABEL);
    } else if (!over && el.getAttribute("aria-label") === LABEL) {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  }
  var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1); };
  function run() {
    var els = Array.prototype.slice.call(document.querySelectorAll(".md-typeset div.arithmatex"));
    // Each check may lay out a formula that content-visibility skipped: do them while the browser is idle,
    // one at a time when it gives no deadline, so none of this becomes a long task.
    (function step(deadline) {
      do { if (els.length) mark(els.shift()); }
      while (els.length && deadline && deadline.timeRemaining && deadline.timeRemaining() > 6);
      if (els.length) idle(step);
    })();
  }
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(run, 200); });
  if (window.document$) { window.document$.subscribe(run); } else { document.addEventListener("DOMContentLoaded", run); }
})();
