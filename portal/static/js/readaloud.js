// Read-aloud (MIIT 适老化 voice reading) through the phone's own speech engine.
// Progressive enhancement: the button stays hidden where the browser has no speech synthesis.
(function () {
  var button = document.querySelector(".readaloud");
  if (!button || !("speechSynthesis" in window)) return;
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    var synth = window.speechSynthesis;
    if (synth.speaking) { synth.cancel(); button.textContent = label; return; }
    var main = document.getElementById("main");
    var utterance = new SpeechSynthesisUtterance(main ? main.innerText : "");
    utterance.lang = document.documentElement.lang || "zh-CN";
    utterance.rate = 0.9;
    utterance.onend = function () { button.textContent = label; };
    button.textContent = button.getAttribute("data-stop");
    synth.speak(utterance);
  });
})();
