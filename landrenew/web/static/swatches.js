// Legend colours (图例色块): each swatch names its colour in data-swatch and is painted here,
// since the pages' Content Security Policy allows no inline style attribute (CSSOM is allowed).
(function () {
  "use strict";
  function paint(root) {
    var swatches = root.querySelectorAll ? root.querySelectorAll("[data-swatch]") : [];
    Array.prototype.forEach.call(swatches, function (el) {
      if (el.classList.contains("line")) {
        el.style.borderColor = el.dataset.swatch;
      } else {
        el.style.background = el.dataset.swatch;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:load", function (event) { paint(event.target); });
})();
