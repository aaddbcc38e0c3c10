// Puts the SITE_BASE_URL warning (portal/templates/wagtailadmin/base.html) at the top of the
// back office's message list, so it reads like Wagtail's own warnings.
(function () {
  "use strict";
  var template = document.getElementById("base-url-warning");
  var list = document.querySelector(".messages ul");
  if (!template || !list) {
    return;
  }
  list.prepend(template.content.cloneNode(true));
  document.body.classList.add("has-messages");
})();
