// 送达回证: the villager signs with a finger on the assistant's phone. The drawing goes into the
// form's hidden field as a PNG data URL when the form is sent. Without this file the page still
// works: the assistant uploads a photo of the receipt signed on paper instead.
(function () {
  "use strict";
  var pad = document.querySelector("[data-signature-pad]");
  var field = document.querySelector("input[data-signature-field]");
  if (!pad || !field) { return; }
  var canvas = pad.querySelector("canvas");
  if (!canvas || !canvas.getContext || !window.PointerEvent) { return; }
  var context = canvas.getContext("2d");
  var clear = pad.querySelector("[data-signature-clear]");
  var status = pad.querySelector("[data-signature-status]");
  var drawn = false;
  var drawing = false;
  var last = null;

  function size() {
    // The canvas draws at the screen's own resolution, so strokes stay sharp on a phone.
    var ratio = window.devicePixelRatio || 1;
    var box = canvas.getBoundingClientRect();
    var previous = drawn ? canvas.toDataURL("image/png") : "";
    canvas.width = Math.max(1, Math.round(box.width * ratio));
    canvas.height = Math.max(1, Math.round(box.height * ratio));
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1b1b1b";
    if (previous) { restore(previous); }
  }

  function restore(url) {
    // A signature sent back with the form (another field was wrong) is drawn again, not lost.
    var image = new Image();
    image.onload = function () {
      var box = canvas.getBoundingClientRect();
      context.drawImage(image, 0, 0, box.width, box.height);
      drawn = true;
      field.value = url;
      say();
    };
    image.src = url;
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function say() {
    if (status) { status.textContent = drawn ? status.getAttribute("data-signed") : status.getAttribute("data-empty"); }
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    last = point(event);
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    context.beginPath();
    context.arc(last.x, last.y, 1.5, 0, 2 * Math.PI);
    context.fillStyle = "#1b1b1b";
    context.fill();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var next = point(event);
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
    if (!drawn) { drawn = true; say(); }
  });
  function stop() {
    if (!drawing) { return; }
    drawing = false;
    drawn = true;
    field.value = canvas.toDataURL("image/png");
    say();
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  canvas.addEventListener("pointerleave", stop);

  if (clear) {
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
      say();
    });
  }

  var form = pad.closest("form");
  if (form) {
    form.addEventListener("submit", function () {
      if (drawn) { field.value = canvas.toDataURL("image/png"); }
    });
  }

  pad.hidden = false;
  size();
  if (field.value && field.value.indexOf("data:image/png;base64,") === 0) { restore(field.value); }
  say();
  var resized = null;
  window.addEventListener("resize", function () {
    clearTimeout(resized);
    resized = setTimeout(size, 150);
  });
})();
