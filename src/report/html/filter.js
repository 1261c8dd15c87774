// Filters for the iamlint HTML report. Without this script every finding and function is
// shown; with it, the form at the top hides what does not match.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var order = ["info", "low", "medium", "high", "critical"];
  var all = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var total = {};
  all.forEach(function (li) { total[li.dataset.finding] = true; });
  var count = Object.keys(total).length;

  function rank(severity) { return order.indexOf(severity); }

  function apply() {
    var severity = form.elements.severity.value;
    var rule = form.elements.rule.value;
    var file = form.elements.file.value;
    var narrowing = severity !== "" || rule !== "";
    // A finding about several functions is listed under each: count it once.
    var shown = {};
    all.forEach(function (li) {
      var ok = (severity === "" || rank(li.dataset.severity) >= rank(severity)) &&
        (rule === "" || li.dataset.rule === rule) &&
        (file === "" || li.dataset.file === file);
      li.hidden = !ok;
      if (ok) { shown[li.dataset.finding] = true; }
    });
    document.querySelectorAll("article.function").forEach(function (article) {
      var visible = article.querySelectorAll("li.finding:not([hidden])").length > 0;
      var ok = (file === "" || article.dataset.file === file) && (!narrowing || visible);
      article.hidden = !ok;
      var row = document.querySelector("a[href='#" + article.id + "']");
      if (row && row.closest("tr")) { row.closest("tr").hidden = !ok; }
    });
    document.querySelectorAll("table.by-rule tr[data-rule]").forEach(function (tr) {
      tr.hidden = rule !== "" && tr.dataset.rule !== rule;
    });
    var other = document.getElementById("other");
    if (other) { other.hidden = other.querySelectorAll("li.finding:not([hidden])").length === 0; }
    form.elements.shown.value = Object.keys(shown).length + " of " + count + " findings shown";
  }

  // A link can preset the filters: report.html#severity=high&rule=wildcard-action
  if (window.location.hash.indexOf("=") > 0) {
    window.location.hash.slice(1).split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var field = form.elements[parts[0]];
      if (field && field.tagName === "SELECT") { field.value = decodeURIComponent(parts[1] || ""); }
    });
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
