/* sci-search pages: small enhancements for readers with JavaScript on.
   A live region's text present at page load is not read out; the result count
   is therefore written into its status region again once the page has loaded,
   so that screen readers announce it (politely) after a search. */
(function () {
  "use strict";
  function announceCount() {
    var region = document.getElementById("result-count");
    if (!region) return;
    var text = region.textContent.replace(/\s+/g, " ").trim();
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 300);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announceCount);
  } else {
    announceCount();
  }
})();
