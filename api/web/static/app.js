// Progressive enhancement only: after a refused form, move focus to the list of problems so that
// keyboard and screen-reader users start there. Everything works without it.
(function () {
  var s = document.getElementById("error-summary");
  if (s) { s.focus(); }
})();
