// The signature box of the authorisation (网办): draws with a finger or the mouse and posts the
// drawing as a PNG data URL in the hidden field. Without JavaScript the page signs with the
// typed name and a texted code instead, so this only shows the box and hides that way.
(function () {
  "use strict";
  var form = document.getElementById("sign-form");
  if (!form) return;
  var pad = form.querySelector(".signature-pad");
  var canvas = pad && pad.querySelector("canvas");
  if (!canvas || !canvas.getContext) return;
  var context = canvas.getContext("2d");
  var method = form.querySelector("input[name=method]");
  var signature = form.querySelector("input[name=signature]");
  var drawn = false;
  var last = null;

  pad.hidden = false;
  document.querySelectorAll(".typed-way").forEach(function (element) { element.hidden = true; });
  method.value = "signature";
  context.lineWidth = 4;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (canvas.width / box.width),
      y: (event.clientY - box.top) * (canvas.height / box.height)
    };
  }
  canvas.addEventListener("pointerdown", function (event) {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!last) return;
    var next = point(event);
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
    drawn = true;
    event.preventDefault();
  });
  function stop() { last = null; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  pad.querySelector("[data-clear]").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    signature.value = "";
  });
  form.addEventListener("submit", function () {
    signature.value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();
