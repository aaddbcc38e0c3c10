// The size of each chosen file, shown before anything is sent, and a send that would be refused
// for its size stopped in the browser (issue 18, gap 12d). Without this file the server's check
// (portal/files/upload_limits.py) still answers with the form and a message. Inputs marked
// data-phone-photo are made smaller by phone-photo.js first, and their line says by how much.
(function () {
  var forms = document.querySelectorAll("form[data-max-bytes]");
  function human(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }
  function note(input) {
    var id = input.id ? input.id + "_size" : "";
    var existing = id ? document.getElementById(id) : null;
    if (existing) return existing;
    var p = document.createElement("p");
    p.className = "hint upload-size";
    if (id) p.id = id;
    p.setAttribute("aria-live", "polite");
    input.parentNode.insertBefore(p, input.nextSibling);
    return p;
  }
  function check(form) {
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var ceiling = parseInt(form.getAttribute("data-max-request-bytes"), 10) || 0;
    var total = 0, bad = 0;
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i], files = input.files || [], size = 0, names = [];
      for (var j = 0; j < files.length; j++) { size += files[j].size; names.push(files[j].name); }
      total += size;
      var p = note(input);
      if (!files.length) { p.textContent = ""; p.className = "hint upload-size"; continue; }
      var tooLarge = false;
      for (var k = 0; k < files.length; k++) { if (files[k].size > max) tooLarge = true; }
      if (tooLarge) bad++;
      // phone-photo.js notes what a photo weighed before it made it smaller.
      var before = parseInt(input.getAttribute("data-original-bytes"), 10);
      p.textContent = (tooLarge ? form.getAttribute("data-too-large") + " " : "") + names.join(", ") + ": " +
        (before ? human(before) + " → " : "") + human(size) + " (" + form.getAttribute("data-limit-label") + " " + human(max) + ")";
      p.className = tooLarge ? "msg error upload-size" : "hint upload-size";
    }
    var summary = form.querySelector(".upload-total");
    if (ceiling && total > ceiling) {
      bad++;
      if (summary) { summary.hidden = false; summary.textContent = form.getAttribute("data-too-much") + " " + human(total) + " / " + human(ceiling); }
    } else if (summary) { summary.hidden = true; }
    return bad === 0;
  }
  for (var f = 0; f < forms.length; f++) {
    (function (form) {
      form.addEventListener("change", function (event) {
        if (event.target && event.target.type === "file") check(form);
      });
      form.addEventListener("submit", function (event) {
        if (!check(form)) {
          event.preventDefault();
          var first = form.querySelector(".upload-size.error, .upload-total:not([hidden])");
          if (first) first.scrollIntoView({ block: "center" });
        }
      });
    })(forms[f]);
  }
})();
