// Photos from a cheap phone on a poor network (issue 20), for <input type=file data-phone-photo>:
// a JPEG/PNG over data-phone-photo-bytes is redrawn upright, at most data-phone-photo px long, as
// a JPEG at 0.8; the form is sent in the background with its progress, and a failed send offers a
// retry keeping the files. If anything is missing or fails, the page works as without this file:
// the server scales and checks every photo anyway (portal/files/photos.py). The sizes are shown
// in upload-size.js's line.
(function () {
  var root = document.documentElement;
  if (root.hasAttribute("data-phone-photo-on")) return; // included once per input: run once
  root.setAttribute("data-phone-photo-on", "");
  var SELECTOR = "input[type=file][data-phone-photo]";
  var canShrink = !!(window.createImageBitmap && window.DataTransfer && window.Promise &&
    HTMLCanvasElement.prototype.toBlob);
  var pending = [];
  var replacing = false;

  function human(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }
  function total(files) {
    return Array.prototype.reduce.call(files, function (sum, file) { return sum + file.size; }, 0);
  }
  function line(element, className, text) {
    element.className = className;
    element.textContent = text;
    return element;
  }

  function smaller(file, edge, over) {
    if (!/^image\/(jpeg|png)$/.test(file.type) || file.size <= over) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // transparency on paper, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg",
            { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; });
  }

  function shrink(input) {
    var files = Array.prototype.slice.call(input.files || []);
    input.removeAttribute("data-original-bytes");
    if (!canShrink || !files.length) return;
    var before = total(files);
    var edge = parseInt(input.getAttribute("data-phone-photo"), 10) || 1600;
    var over = parseInt(input.getAttribute("data-phone-photo-bytes"), 10) || 1048576;
    var job = Promise.all(files.map(function (file) { return smaller(file, edge, over); }))
      .then(function (out) {
        if (input.files.length !== files.length || input.files[0] !== files[0]) return; // chosen again
        if (out.every(function (file, i) { return file === files[i]; })) return;
        var transfer = new DataTransfer();
        out.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
        input.setAttribute("data-original-bytes", before);
        if (input.form && input.form.hasAttribute("data-max-bytes")) {
          replacing = true; // upload-size.js shows it; this file does not shrink it again
          try { input.dispatchEvent(new Event("change", { bubbles: true })); } finally { replacing = false; }
        } else { // the line upload-size.js would show
          var p = line(document.createElement("p"), "hint upload-size", human(before) + " → " + human(total(input.files)));
          p.setAttribute("aria-live", "polite");
          var old = input.nextElementSibling;
          if (old && /upload-size/.test(old.className)) old.remove();
          input.parentNode.insertBefore(p, input.nextSibling);
        }
      }).catch(function () {});
    pending.push(job);
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var words = form.querySelector(SELECTOR);
    var status = form.querySelector(".phone-photo-send");
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("role", "status");
      (submitter && submitter.parentNode || form).insertBefore(status, submitter || null);
    }
    var buttons = form.querySelectorAll("button, input[type=submit]");
    function enable(on) { for (var i = 0; i < buttons.length; i++) buttons[i].disabled = !on; }
    function fail() {
      enable(true);
      line(status, "msg error phone-photo-send", words.getAttribute("data-failed") + " ");
      var retry = line(document.createElement("button"), "phone-photo-retry", words.getAttribute("data-retry"));
      retry.type = "button";
      retry.addEventListener("click", attempt);
      status.appendChild(retry);
    }
    function attempt() {
      enable(false);
      line(status, "msg phone-photo-send", words.getAttribute("data-sending"));
      var xhr = new XMLHttpRequest(); // fetch() cannot tell how much of the upload is sent
      xhr.open("POST", form.action || location.href);
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          status.textContent = words.getAttribute("data-sending") + " " +
            Math.round(100 * event.loaded / event.total) + "% (" + human(event.total) + ")";
        }
      };
      xhr.onload = function () {
        if (xhr.status === 0 || xhr.status === 502 || xhr.status === 503 || xhr.status === 504) return fail();
        // The page the browser would have shown (after any redirect, whose messages this used).
        var url = xhr.responseURL;
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (url && url !== location.href) history.replaceState(null, "", url);
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = fail;
      xhr.send(data);
    }
    attempt();
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!replacing && input.matches && input.matches(SELECTOR)) shrink(input);
  }, true); // before upload-size.js reads the sizes
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector(SELECTOR) || !window.FormData || !window.Promise ||
        (form.method || "").toLowerCase() !== "post") return;
    event.preventDefault();
    var submitter = event.submitter;
    Promise.all(pending).then(function () { send(form, submitter); });
  });
})();
