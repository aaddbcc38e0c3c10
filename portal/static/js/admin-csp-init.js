// Runs what Wagtail's widgets and panels would run from inline <script> tags, which the
// Content-Security-Policy blocks (portal/web/csp.py). Cunban's copies of those templates
// (portal/web/templates/wagtailadmin/widgets, /panels; an app directory, so that the
// form renderer finds the widgets too) leave a hidden element instead:
//   data-cunban-call="initDateChooser" data-cunban-target="<input id>" data-cunban-options="<json>"
//   data-cunban-new="InlinePanel" data-cunban-options="<json>"
//   data-cunban-new="DocumentChooser" data-cunban-target="<input id>" data-cunban-options="<json>"
// Only these names may be called, so the markup cannot name any other function.
(function () {
  "use strict";
  var CALLS = ["initDateChooser", "initDateTimeChooser", "initTimeChooser"];
  var CLASSES = ["InlinePanel", "MultipleChooserPanel", "Chooser", "DocumentChooser", "ImageChooser",
    "PageChooser", "SnippetChooser"];

  function run(element) {
    if (element.dataset.cunbanDone) return;
    element.dataset.cunbanDone = "1";
    var options = JSON.parse(element.dataset.cunbanOptions || "{}");
    var call = element.dataset.cunbanCall;
    var make = element.dataset.cunbanNew;
    if (call && CALLS.indexOf(call) >= 0 && typeof window[call] === "function") {
      window[call](element.dataset.cunbanTarget, options);
    } else if (make && CLASSES.indexOf(make) >= 0 && typeof window[make] === "function") {
      if (element.dataset.cunbanTarget) {
        new window[make](element.dataset.cunbanTarget, options); // a chooser: (id, options)
      } else {
        new window[make](options); // a panel: (options)
      }
    }
  }

  function scan(root) {
    if (!root.querySelectorAll) return;
    if (root.matches && root.matches("[data-cunban-call], [data-cunban-new]")) run(root);
    root.querySelectorAll("[data-cunban-call], [data-cunban-new]").forEach(function (element) {
      // Not inside a <template>: those are copied and run when an inline form is added.
      if (!element.closest("template")) run(element);
    });
  }

  function start() {
    scan(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(scan);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
